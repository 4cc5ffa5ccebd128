// The eMAG plugin's entry: the only file that speaks the C ABI. It wires the
// pieces of emag_core to the host through erp_plugin.hpp and holds no logic
// of its own: config and secrets (config/), the eMAG clients (api/), order
// validation (orders/), tables (store/), health, metrics and status documents
// (monitor/).
#include "api/emag_client.hpp"
#include "api/request_log.hpp"
#include "api/transport.hpp"
#include "config/plugin_config.hpp"
#include "monitor/health.hpp"
#include "monitor/status.hpp"
#include "orders/order_rows.hpp"
#include "store/account_store.hpp"
#include "store/schema.hpp"
#include "store/timestamp.hpp"

#include <erp_plugin/erp_plugin.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

// Both come from manifest.json (emag_plugin/CMakeLists.txt), so the library
// can never disagree with its manifest, which the host checks at load.
#if !defined(EMAG_PLUGIN_ID) || !defined(EMAG_PLUGIN_VERSION)
#error "EMAG_PLUGIN_ID and EMAG_PLUGIN_VERSION are set from manifest.json by emag_plugin/CMakeLists.txt"
#endif

namespace {

using erp::plugin::Error;
using erp::plugin::HostApi;
using erp::plugin::Registrations;
using erp::plugin::Request;
using erp::plugin::Response;
namespace emag = erp::emag;

// One instance per init, destroyed at shutdown (ERP_CPP_PLUGIN). Everything
// the handlers read is fixed in the constructor, except the eMAG clients,
// which live from start to stop behind clients_mu_ (routes and monitors are
// called on any thread at once).
class EmagPlugin {
  public:
    // init: parse the config, resolve the secrets (a missing one fails init
    // with ERP_E_CONFIG), register tables, monitor and routes.
    EmagPlugin(HostApi host, std::string_view config_json, Registrations& reg)
        : host_(host), config_(load_config(config_json)), accounts_(load_accounts(config_)) {
        for (const auto& a : accounts_) {
            // The password was resolved above, or init would have failed.
            health_.push_back(emag::AccountHealth{a.config.name, a.config.platform, !a.password.empty()});
            status_.push_back(emag::AccountStatus{&a.config, !a.password.empty(), std::nullopt});
        }

        for (const emag::SchemaVersion& v : emag::schema_versions()) {
            reg.add_db_mapping(v.version, v.description, v.declaration_json);
        }
        reg.add_monitor(
            "emag.health", [this] { return emag::metrics_json(health_, client_metrics()); },
            [this] { return emag::health_json(health_); });
        reg.add_validator("emag.order", [](std::string_view order_json) {
            try {
                return emag::order_problems_json(order_json);
            } catch (const std::invalid_argument& e) {
                throw Error(ERP_E_INVALID_ARGUMENT, "emag.order", e.what());
            }
        });
        reg.add_route("GET", "/api/status", 0, [this](const Request&, Response& resp) { resp.json(status_body()); });
    }
    // The handlers registered above capture `this`, and status_ points into
    // accounts_: the instance stays where ERP_CPP_PLUGIN constructed it.
    EmagPlugin(const EmagPlugin&) = delete;
    EmagPlugin& operator=(const EmagPlugin&) = delete;

    // start: the host has created the tables; record the configured accounts
    // and open one eMAG client per account.
    void start() {
        std::vector<emag::AccountRecord> records;
        std::string summary;
        for (const auto& a : accounts_) {
            records.push_back(emag::to_record(a.config));
            summary += (summary.empty() ? "" : ", ") + a.config.name + " (" + a.config.platform + ")";
        }
        const std::string db_url = host_.database_url(); // throws Error with the host's status
        try {
            emag::AccountStore store(db_url);
            store.upsert(records, emag::iso8601_utc(host_.now_ms()));
        } catch (const std::exception& e) {
            throw Error(ERP_E_IO, "database", std::string("storing the accounts in emag_accounts failed: ") + e.what());
        }
        start_clients();
        // Account names and platforms only: usernames stay out of logs.
        if (accounts_.empty()) {
            host_.warn("emag " EMAG_PLUGIN_VERSION ": started with no accounts configured ([plugins.emag] accounts)");
        } else {
            host_.info(
                fmt::format("emag {}: started with {} account(s): {}", EMAG_PLUGIN_VERSION, accounts_.size(), summary));
        }
    }

    // stop: every client fails its unanswered calls and joins its thread.
    void stop() {
        std::vector<std::unique_ptr<emag::EmagClient>> clients;
        {
            std::unique_lock lock(clients_mu_);
            clients.swap(clients_);
        }
        clients.clear(); // each destructor stops its client
    }

  private:
    static emag::PluginConfig load_config(std::string_view config_json) {
        try {
            return emag::parse_plugin_config(config_json);
        } catch (const emag::ConfigError& e) {
            throw Error(ERP_E_CONFIG, "config", e.what());
        }
    }
    static std::vector<emag::ResolvedAccount> load_accounts(const emag::PluginConfig& config) {
        try {
            return emag::resolve_accounts(config);
        } catch (const emag::ConfigError& e) {
            throw Error(ERP_E_CONFIG, "config", e.what());
        }
    }

    // The request log goes to <data dir>/requests (daily files).
    void start_clients() {
        if (accounts_.empty()) {
            return;
        }
        const std::filesystem::path log_dir = std::filesystem::path(host_.data_dir()) / "requests";
        std::shared_ptr<emag::RequestLog> log;
        try {
            log = std::make_shared<emag::RequestLog>(log_dir, config_.api.request_log_days);
        } catch (const std::exception& e) {
            throw Error(ERP_E_IO, "request log", e.what());
        }
        auto transport = emag::make_cpprest_transport(config_.api.transport);
        std::vector<std::unique_ptr<emag::EmagClient>> clients;
        for (const auto& a : accounts_) {
            emag::AccountEndpoint endpoint{a.config.name, a.config.base_url, a.config.username, a.password};
            clients.push_back(std::make_unique<emag::EmagClient>(std::move(endpoint), transport, config_.api, log));
        }
        std::unique_lock lock(clients_mu_);
        clients_ = std::move(clients);
    }

    std::vector<emag::ClientMetrics> client_metrics() const {
        std::shared_lock lock(clients_mu_);
        std::vector<emag::ClientMetrics> out;
        for (const auto& c : clients_) {
            out.push_back(c->metrics());
        }
        return out;
    }

    std::string status_body() const {
        std::vector<emag::AccountStatus> status = status_;
        for (auto& m : client_metrics()) {
            for (auto& s : status) {
                if (s.account->name == m.account) {
                    s.api = std::move(m);
                    break;
                }
            }
        }
        return emag::status_json(EMAG_PLUGIN_VERSION, status);
    }

    HostApi host_;
    const emag::PluginConfig config_;
    const std::vector<emag::ResolvedAccount> accounts_;
    std::vector<emag::AccountHealth> health_;
    std::vector<emag::AccountStatus> status_; // points into accounts_
    mutable std::shared_mutex clients_mu_;
    std::vector<std::unique_ptr<emag::EmagClient>> clients_; // one per account, from start to stop
};

} // namespace

ERP_CPP_PLUGIN(EmagPlugin, EMAG_PLUGIN_ID, EMAG_PLUGIN_VERSION)
