// PluginLoader: one plugin's way from manifest.json to a running instance and
// back — manifest check, Boost.DLL load, entry, version negotiation, identity
// check, init (registrations), migrations, start, stop, shutdown, unload.
// Each step that fails throws PluginError naming the plugin, the step and the
// reason; the host then goes on without that plugin.
#pragma once

#include "host_services.hpp"
#include "manifest.hpp"
#include "registry.hpp"

#include <erp_plugin/erp_plugin.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace erp::host {

class PluginError : public std::runtime_error {
  public:
    PluginError(const std::string& plugin, const std::string& step, const std::string& reason);
    const std::string& plugin() const { return plugin_; }
    const std::string& step() const { return step_; }
    const std::string& reason() const { return reason_; }

  private:
    std::string plugin_, step_, reason_;
};

enum class PluginState { loaded, initialized, running, stopped, failed };
const char* to_string(PluginState s);

class PluginInstance {
  public:
    ~PluginInstance(); // shuts down and unloads if still loaded

    const Manifest& manifest() const { return manifest_; }
    const std::string& id() const { return manifest_.id; }
    PluginState state() const { return state_; }
    const PluginRegistrations& registrations() const { return regs_; }
    const erp_host_api* host_api() const;
    const std::string& build_info() const { return build_info_; }
    uint32_t abi_version() const { return api_.abi_version; }

    // Steps, in order. Each throws PluginError on failure and leaves the
    // instance so that the destructor (or shutdown()) cleans up correctly.
    void init(const std::string& config_json);
    void migrate(const std::string& soci_db_url);
    void start();
    void stop();     // no-op unless running; errors are logged, not thrown
    void shutdown(); // calls the plugin's shutdown if init succeeded; unloads

  private:
    friend std::unique_ptr<PluginInstance> load_plugin(const std::filesystem::path&, HostServices&);
    PluginInstance() = default;
    [[noreturn]] void fail(const std::string& step, const std::string& reason);

    Manifest manifest_;
    PluginState state_ = PluginState::loaded;
    struct Library;
    std::unique_ptr<Library> lib_;
    erp_plugin_api api_{};
    std::string build_info_;
    std::unique_ptr<HostServices::PluginHostApi> host_api_;
    erp_plugin_state* instance_ = nullptr;
    bool initialized_ = false;
    PluginRegistrations regs_;
};

// Reads <dir>/manifest.json, verifies it and the library's sha256, loads the
// library (RTLD_NOW | RTLD_LOCAL), calls erp_plugin_entry and checks what the
// plugin reports (ABI major both ways, minor not newer than the host, id and
// version equal to the manifest's).
std::unique_ptr<PluginInstance> load_plugin(const std::filesystem::path& plugin_dir, HostServices& services);

} // namespace erp::host
