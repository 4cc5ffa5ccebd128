#include "plugin_loader.hpp"

#include "abi_structs.hpp"
#include "migrations.hpp"
#include "sinks.hpp"

#include <boost/dll/shared_library.hpp>
#include <spdlog/spdlog.h>

namespace erp::host {
namespace fs = std::filesystem;

PluginError::PluginError(const std::string& plugin, const std::string& step, const std::string& reason)
    : std::runtime_error("plugin '" + plugin + "': " + step + ": " + reason), plugin_(plugin), step_(step),
      reason_(reason) {}

const char* to_string(PluginState s) {
    switch (s) {
    case PluginState::loaded:
        return "loaded";
    case PluginState::initialized:
        return "initialized";
    case PluginState::running:
        return "running";
    case PluginState::stopped:
        return "stopped";
    case PluginState::failed:
        return "failed";
    }
    return "unknown";
}

struct PluginInstance::Library {
    boost::dll::shared_library lib;
};

namespace {

std::string abi_str(uint32_t v) {
    return std::to_string(ERP_ABI_VERSION_MAJOR_OF(v)) + "." + std::to_string(ERP_ABI_VERSION_MINOR_OF(v));
}

} // namespace

PluginInstance::~PluginInstance() {
    try {
        shutdown();
    } catch (...) {
        // Destructors never throw; shutdown() already logged.
    }
}

const erp_host_api* PluginInstance::host_api() const {
    return host_api_ ? host_api_->table() : nullptr;
}

void PluginInstance::fail(const std::string& step, const std::string& reason) {
    state_ = PluginState::failed;
    throw PluginError(manifest_.id, step, reason);
}

std::unique_ptr<PluginInstance> load_plugin(const fs::path& plugin_dir, HostServices& services) {
    std::unique_ptr<PluginInstance> p(new PluginInstance());
    const std::string dir_id = plugin_dir.filename().string();
    try {
        p->manifest_ = load_manifest(plugin_dir / "manifest.json");
    } catch (const ManifestError& e) {
        throw PluginError(dir_id, "manifest", e.what());
    }
    const Manifest& m = p->manifest_;
    if (m.id != dir_id) {
        throw PluginError(dir_id, "manifest",
                          "manifest id '" + m.id + "' does not match its directory '" + dir_id +
                              "' (the id enabled in the config)");
    }
    if (m.abi_major != ERP_ABI_VERSION_MAJOR) {
        throw PluginError(m.id, "abi",
                          "manifest declares ABI " + m.abi_string() + ", this host implements ABI " +
                              abi_str(ERP_ABI_VERSION) + " (major versions differ)");
    }
    try {
        verify_library(m);
    } catch (const ManifestError& e) {
        throw PluginError(m.id, "checksum", e.what());
    }

    p->lib_ = std::make_unique<PluginInstance::Library>();
    try {
        boost::dll::fs::error_code ec;
        p->lib_->lib.load(boost::dll::fs::path(m.library_path().string()),
                          boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
        if (ec) {
            throw PluginError(m.id, "load", "cannot load " + m.library_path().string() + ": " + ec.message());
        }
    } catch (const PluginError&) {
        throw;
    } catch (const std::exception& e) {
        throw PluginError(m.id, "load", "cannot load " + m.library_path().string() + ": " + e.what());
    }
    if (!p->lib_->lib.has(ERP_PLUGIN_ENTRY_SYMBOL)) {
        throw PluginError(m.id, "entry",
                          std::string("the library exports no '") + ERP_PLUGIN_ENTRY_SYMBOL + "' symbol: " +
                              m.library_path().string() + " is not an erp plugin (or was built without the export)");
    }
    auto entry = p->lib_->lib.get<erp_status(uint32_t, const erp_plugin_api**, erp_sink*)>(ERP_PLUGIN_ENTRY_SYMBOL);

    const erp_plugin_api* reported = nullptr;
    BufferSink error(64 * 1024);
    const erp_status st = entry(ERP_ABI_VERSION, &reported, error.get());
    if (st != ERP_OK) {
        throw PluginError(m.id, "entry",
                          "erp_plugin_entry refused host ABI " + abi_str(ERP_ABI_VERSION) + ": " +
                              describe_plugin_error(st, error.str()));
    }
    const auto api = read_foreign(reported);
    if (!api) {
        throw PluginError(m.id, "entry", "erp_plugin_entry returned no plugin description");
    }
    const uint32_t pv = api->abi_version;
    if (ERP_ABI_VERSION_MAJOR_OF(pv) != ERP_ABI_VERSION_MAJOR) {
        throw PluginError(m.id, "abi",
                          "plugin was built for ABI " + abi_str(pv) + ", this host implements ABI " +
                              abi_str(ERP_ABI_VERSION) + " (major versions differ)");
    }
    if (ERP_ABI_VERSION_MINOR_OF(pv) > ERP_ABI_VERSION_MINOR) {
        throw PluginError(m.id, "abi",
                          "plugin requires ABI " + abi_str(pv) + " but this host implements only ABI " +
                              abi_str(ERP_ABI_VERSION) + ": upgrade erp-host");
    }
    if (pv != ERP_MAKE_ABI_VERSION(m.abi_major, m.abi_minor)) {
        throw PluginError(m.id, "identity",
                          "plugin reports ABI " + abi_str(pv) + " but its manifest declares " + m.abi_string());
    }
    const std::string id = c_str_or_empty(api->id);
    if (id != m.id) {
        throw PluginError(m.id, "identity", "plugin reports id '" + id + "' but its manifest says '" + m.id + "'");
    }
    const std::string version = c_str_or_empty(api->version);
    if (version != m.version) {
        throw PluginError(m.id, "identity",
                          "plugin reports version '" + version + "' but its manifest says '" + m.version + "'");
    }
    if (api->init == nullptr || api->shutdown == nullptr) {
        throw PluginError(m.id, "entry", "plugin description lacks the required init or shutdown callback");
    }
    p->api_ = *api;
    if (ERP_HAS_FIELD(erp_plugin_api, reported, build_info)) {
        p->build_info_ = c_str_or_empty(api->build_info);
    }
    p->host_api_ = services.make_api(m.id);
    return p;
}

void PluginInstance::init(const std::string& config_json) {
    RegistrarContext registrar(manifest_.id, manifest_.dir, regs_);
    BufferSink error(64 * 1024);
    erp_plugin_state* state = nullptr;
    erp_status st = ERP_E_INTERNAL;
    try {
        st = api_.init(host_api_->table(), config_json.data(), config_json.size(), registrar.table(), &state,
                       error.get());
    } catch (...) {
        // Defence in depth only: exceptions must never cross the ABI, and a
        // plugin that lets one out has a bug the message names.
        registrar.close();
        regs_ = PluginRegistrations{};
        fail("init", "an exception escaped the plugin's init (it must catch everything: use an exception fence)");
    }
    registrar.close();
    if (st != ERP_OK) {
        regs_ = PluginRegistrations{};
        fail("init", describe_plugin_error(st, error.str()));
    }
    instance_ = state;
    initialized_ = true;
    state_ = PluginState::initialized;
}

void PluginInstance::migrate(const std::string& soci_db_url) {
    if (regs_.migrations.empty()) {
        return;
    }
    try {
        const auto report = apply_migrations(soci_db_url, manifest_.id, regs_.migrations);
        for (auto v : report.applied) {
            spdlog::info("plugin '{}': applied DB mapping version {}", manifest_.id, v);
        }
    } catch (const std::exception& e) {
        fail("migrate", e.what());
    }
}

void PluginInstance::start() {
    if (api_.start != nullptr) {
        BufferSink error(64 * 1024);
        const erp_status st = api_.start(instance_, error.get());
        if (st != ERP_OK) {
            fail("start", describe_plugin_error(st, error.str()));
        }
    }
    state_ = PluginState::running;
}

void PluginInstance::stop() {
    if (state_ != PluginState::running) {
        return;
    }
    if (api_.stop != nullptr) {
        BufferSink error(64 * 1024);
        const erp_status st = api_.stop(instance_, error.get());
        if (st != ERP_OK) {
            spdlog::warn("plugin '{}': stop: {}", manifest_.id, describe_plugin_error(st, error.str()));
        }
    }
    state_ = PluginState::stopped;
}

void PluginInstance::shutdown() {
    if (initialized_) {
        initialized_ = false;
        api_.shutdown(instance_);
        instance_ = nullptr;
    }
    // Registrations hold pointers into the library: drop them before unloading.
    regs_ = PluginRegistrations{};
    host_api_.reset();
    if (lib_) {
        lib_->lib.unload();
        lib_.reset();
    }
}

} // namespace erp::host
