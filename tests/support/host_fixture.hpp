// HostFixture: a real erp-host (HostApp) in a temp directory with real plugin
// libraries installed the way an admin would: <dir>/plugins/<id>/manifest.json
// beside the library, a TOML config, and SQLite or PostgreSQL.
#pragma once

#include "host_app.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace erp::test {

inline constexpr const char* kAdminToken = "test-admin-token-0123456789";

class HostFixture {
  public:
    HostFixture();
    ~HostFixture();

    // Copies a plugin staged by the build ("emag", "hello_c") into plugins/.
    void add_staged(const std::string& id);
    // Installs a test plugin library (tests/plugins) under plugins/<id>/.
    void add_test_plugin(const std::string& id, const std::string& library_file, const std::string& version = "1.0.0");
    // Raw TOML appended to the config (e.g. "[plugins.hello_c]\ngreeting = \"x\"\n").
    void extra_config(const std::string& toml) { extra_ += toml; }
    void use_database(const std::string& url) { db_url_ = url; }

    // Writes erp-host.toml enabling `enabled` (in order); returns its path.
    std::filesystem::path write_config(const std::vector<std::string>& enabled);
    // write_config, then creates the app from it.
    host::HostApp& make_app(const std::vector<std::string>& enabled);
    // The port written into the config (0 = any free port).
    void set_port(uint16_t port) { port_ = port; }
    void set_log_level(std::string level) { log_level_ = std::move(level); }
    host::HostApp& app() { return *app_; }
    void reset_app() { app_.reset(); }

    // The load record of plugin `id` (fails the test when absent).
    const host::PluginRecord& record(const std::string& id) const;
    const std::filesystem::path& dir() const { return dir_.path(); }
    std::filesystem::path plugins_dir() const { return dir_.path() / "plugins"; }

  private:
    TempDir dir_;
    std::string db_url_;
    std::string extra_;
    uint16_t port_ = 0;
    std::string log_level_ = "warn";
    std::unique_ptr<host::HostApp> app_;
};

} // namespace erp::test
