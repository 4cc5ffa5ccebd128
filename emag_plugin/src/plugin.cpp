// The eMAG plugin's entry: the only file that speaks the C ABI. It wires the
// pieces of emag_core to the host through erp_plugin.hpp and holds no logic
// of its own: config and secrets (config/), the eMAG clients (api/), order
// validation (orders/), offers and their outbound queue (offers/), tables
// (store/), monitoring, alerts, health and status (monitor/), backups
// (backup/) and customer analytics (customers/).
#include "api/emag_client.hpp"
#include "api/request_log.hpp"
#include "api/transport.hpp"
#include "backup/backup_routes.hpp"
#include "backup/backup_service.hpp"
#include "config/plugin_config.hpp"
#include "customers/customer_analytics.hpp"
#include "customers/customer_routes.hpp"
#include "monitor/health.hpp"
#include "monitor/monitor_routes.hpp"
#include "monitor/monitor_service.hpp"
#include "monitor/status.hpp"
#include "offers/offer_change.hpp"
#include "offers/offer_routes.hpp"
#include "offers/offers_service.hpp"
#include "orders/order_routes.hpp"
#include "orders/order_rows.hpp"
#include "orders/orders_service.hpp"
#include "store/account_store.hpp"
#include "store/monitor_store.hpp"
#include "store/offer_store.hpp"
#include "store/order_store.hpp"
#include "store/outbound_store.hpp"
#include "store/schema.hpp"
#include "store/timestamp.hpp"

#include <erp_plugin/erp_plugin.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <dlfcn.h>
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

// cpprestsdk keeps a process-wide thread pool whose pending handlers and
// timers (ours among them) are destroyed at process exit, after the host has
// unloaded the plugin: their code must still be mapped then. Pinning the
// plugin (RTLD_NODELETE) keeps it mapped until exit; dlclose then only drops
// the host's reference.
void pin_in_memory() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&pin_in_memory), &info) != 0 && info.dli_fname != nullptr) {
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    }
}

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
        pin_in_memory();
        for (const auto& a : accounts_) {
            if (!emag::TimeZone::find(a.config.timezone)) {
                throw Error(ERP_E_CONFIG, "config",
                            a.config.path + ".timezone: \"" + a.config.timezone +
                                "\" is not a supported zone (supported: " + emag::TimeZone::supported_zones_text() +
                                ")");
            }
            // The password was resolved above, or init would have failed.
            health_.push_back(emag::AccountHealth{a.config.name, a.config.platform, !a.password.empty()});
            status_.push_back(emag::AccountStatus{&a.config, !a.password.empty(), std::nullopt});
        }

        for (const emag::SchemaVersion& v : emag::schema_versions()) {
            reg.add_db_mapping(v.version, v.description, v.declaration_json);
        }
        reg.add_monitor(
            "emag.health",
            [this] {
                const auto monitor = monitor_service();
                const nlohmann::json series = monitor ? monitor->metric_series() : nlohmann::json::array();
                // The outbound queue as the monitor last read it (every
                // sample): a scrape does no database work.
                return emag::metrics_json(health_, client_metrics(),
                                          monitor ? monitor->outbound_counts() : emag::OutboundCounts{}, &series);
            },
            [this] {
                if (const auto monitor = monitor_service()) {
                    return monitor->health_json();
                }
                std::vector<std::pair<std::string, emag::HealthScore>> scores;
                for (const auto& h : health_) {
                    emag::HealthInputs in;
                    in.credentials_ok = h.credentials_ok;
                    scores.emplace_back(h.name, emag::score_account(in));
                }
                return emag::health_json(scores);
            });
        reg.add_validator("emag.order", [](std::string_view order_json) {
            try {
                return emag::order_problems_json(order_json);
            } catch (const std::invalid_argument& e) {
                throw Error(ERP_E_INVALID_ARGUMENT, "emag.order", e.what());
            }
        });
        reg.add_validator("emag.offer", [](std::string_view change_json) {
            try {
                return emag::offer_change_problems_json(change_json);
            } catch (const std::invalid_argument& e) {
                throw Error(ERP_E_INVALID_ARGUMENT, "emag.offer", e.what());
            }
        });
        emag::register_monitor_routes(
            reg, [this] { return monitor_service(); }, [this] { return status_body(); });

        reg.add_job("emag.orders.sync", "eMAG orders: incremental sync of FBS and FBE orders for every account",
                    config_.orders.sync_interval_s, 15,
                    [this](erp_job* job, std::string_view) { return run_orders(job, 0); });
        reg.add_job("emag.orders.backfill", "eMAG orders: history back params.days days (default from config)", 0, 0,
                    [this](erp_job* job, std::string_view params) {
                        unsigned days = config_.orders.backfill_days;
                        const auto p = nlohmann::json::parse(params.empty() ? "{}" : params, nullptr, false);
                        if (p.is_object() && p.contains("days")) {
                            if (!p["days"].is_number_unsigned() || p["days"].get<unsigned>() < 1 ||
                                p["days"].get<unsigned>() > 3650) {
                                throw Error(ERP_E_INVALID_ARGUMENT, "emag.orders.backfill",
                                            "params.days must be a whole number from 1 to 3650");
                            }
                            days = p["days"].get<unsigned>();
                        }
                        return run_orders(job, days);
                    });
        reg.add_job("emag.offers.sync", "eMAG offers: read every offer of every account into emag_offers",
                    config_.offers.sync_interval_s, 60,
                    [this](erp_job* job, std::string_view) { return run_offers_sync(job); });
        reg.add_job("emag.offers.push",
                    "eMAG offers: send the queued price/stock/status changes that are due (also done in the "
                    "background)",
                    0, 0, [this](erp_job* job, std::string_view) { return run_offers_push(job); });
        reg.add_job("emag.offers.enqueue",
                    "eMAG offers: queue changes; params {\"changes\": [{\"account\", \"offer_id\", \"kind\": "
                    "\"price\"|\"stock\"|\"status\", ...values}]}",
                    0, 0, [this](erp_job* job, std::string_view params) { return run_offers_enqueue(job, params); });
        reg.add_job("emag.backup",
                    "eMAG data backup: orders, offers, customers and queues as gzip JSON lines with a manifest",
                    config_.backup.interval_s, 300, [this](erp_job* job, std::string_view) { return run_backup(job); });
        reg.add_job("emag.restore",
                    "eMAG data restore: params {\"backup\": NAME} (verified by checksum first; idempotent)", 0, 0,
                    [this](erp_job* job, std::string_view params) { return run_restore(job, params); });
        reg.add_job("emag.customers.update",
                    "eMAG customer analytics: fold the orders changed since the last update into emag_customers "
                    "(also done after every order sync)",
                    0, 0, [this](erp_job* job, std::string_view) { return run_customers(job); });
        emag::register_offer_routes(reg, [this] { return offers_service(); });
        emag::register_backup_routes(reg, [this] { return backup_service(); });
        emag::register_customer_routes(reg, [this] { return customer_analytics(); });
        emag::register_order_routes(
            reg, emag::OrderRoutesDeps{[this](const std::string& name) { return order_account(name); },
                                       [this] {
                                           std::shared_lock lock(clients_mu_);
                                           return store_;
                                       },
                                       [this] { return emag::iso8601_utc(host_.now_ms()); },
                                       [this] {
                                           return std::chrono::floor<std::chrono::seconds>(
                                               std::chrono::system_clock::time_point(
                                                   std::chrono::milliseconds(host_.now_ms())));
                                       }});
        // The admin pages (emag_plugin/web, bundled by the build into web/
        // beside manifest.json) at /plugins/emag/. A build without Node.js
        // has no web/ folder: the plugin then runs without pages and says so.
        try {
            reg.add_static("/", "web");
        } catch (const Error& e) {
            host_.warn(std::string("emag admin pages not installed (no web/ folder beside manifest.json; "
                                   "build with Node.js to bundle them): ") +
                       e.what());
        }
        // eMAG's new-order callback: GET <url>?order_id=N (reference §3); the
        // token in the registered URL says which account it is for.
        reg.add_route("GET", "/callback/order", 0, [this](const Request& req, Response& resp) {
            const auto id = req.query_param("order_id");
            const auto token = req.query_param("token");
            std::int64_t order_id = 0;
            if (!id || id->empty() || id->size() > 10 || id->find_first_not_of("0123456789") != std::string::npos ||
                (order_id = std::stoll(*id)) < 1 || order_id > 4294967295LL) {
                resp.json(400, R"j({"error":"order_id must be an eMAG order id (1..4294967295)"})j");
                return;
            }
            std::shared_ptr<emag::OrdersService> orders = orders_service();
            if (!orders) {
                resp.json(503, R"({"error":"the eMAG plugin is not running"})");
                return;
            }
            const auto account = orders->callback(order_id, token.value_or(""));
            if (!account) {
                resp.json(403, R"({"error":"unknown callback token"})");
                return;
            }
            resp.json(nlohmann::json{{"accepted", true}, {"account", *account}, {"order_id", order_id}}.dump());
        });
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

    // stop: the order service first (it uses the clients), then every
    // client fails its unanswered calls and joins its thread.
    void stop() {
        std::shared_ptr<emag::OrdersService> orders;
        std::shared_ptr<emag::OffersService> offers;
        std::shared_ptr<emag::MonitorService> monitor;
        {
            std::unique_lock lock(clients_mu_);
            orders.swap(orders_);
            offers.swap(offers_);
            monitor.swap(monitor_);
            backup_.reset();
            customers_.reset();
        }
        if (monitor) {
            monitor->stop(); // before the clients it samples go away
        }
        monitor.reset();
        offers.reset(); // stops the background pusher; a running job holds its own reference
        orders.reset(); // a running job holds its own reference until it ends
        std::vector<std::shared_ptr<emag::EmagClient>> clients;
        {
            std::unique_lock lock(clients_mu_);
            clients.swap(clients_);
            store_.reset();
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
        std::vector<std::shared_ptr<emag::EmagClient>> clients;
        for (const auto& a : accounts_) {
            emag::AccountEndpoint endpoint{a.config.name, a.config.base_url, a.config.username, a.password};
            clients.push_back(std::make_shared<emag::EmagClient>(std::move(endpoint), transport, config_.api, log));
        }
        std::shared_ptr<emag::OrderStore> store;
        try {
            store = std::make_shared<emag::OrderStore>(host_.database_url());
        } catch (const std::exception& e) {
            throw Error(ERP_E_IO, "database", std::string("opening the order store failed: ") + e.what());
        }
        std::vector<emag::OrdersAccount> order_accounts;
        for (std::size_t i = 0; i < accounts_.size(); ++i) {
            order_accounts.push_back(emag::OrdersAccount{accounts_[i].config.name, clients[i],
                                                         *emag::TimeZone::find(accounts_[i].config.timezone),
                                                         accounts_[i].callback_token.reveal()});
        }
        emag::SyncOptions sync;
        sync.overlap = std::chrono::seconds(config_.orders.overlap_s);
        sync.settle = std::chrono::seconds(config_.orders.settle_s);
        sync.first_run = std::chrono::seconds(config_.orders.first_run_days * 86400LL);
        sync.concurrency = config_.orders.page_concurrency;
        sync.acknowledge_new = config_.orders.acknowledge_new;
        auto orders = std::make_shared<emag::OrdersService>(std::move(order_accounts), store, sync, [this] {
            return std::chrono::system_clock::time_point(std::chrono::milliseconds(host_.now_ms()));
        });
        std::shared_ptr<emag::OffersService> offers;
        try {
            std::vector<emag::OffersAccount> offer_accounts;
            for (std::size_t i = 0; i < accounts_.size(); ++i) {
                offer_accounts.push_back(emag::OffersAccount{accounts_[i].config.name, clients[i]});
            }
            emag::OffersOptions o;
            o.page_concurrency = config_.offers.page_concurrency;
            o.push_interval = std::chrono::seconds(config_.offers.push_interval_s);
            o.push.batch_size = config_.offers.batch_size;
            o.push.in_flight = config_.offers.push_in_flight;
            o.push.max_attempts = config_.offers.max_attempts;
            o.push.backoff.clear();
            for (unsigned d : config_.offers.retry_delays_s) {
                o.push.backoff.push_back(std::chrono::seconds(d));
            }
            offers = std::make_shared<emag::OffersService>(
                std::move(offer_accounts), std::make_shared<emag::OfferStore>(host_.database_url()),
                std::make_shared<emag::OutboundStore>(host_.database_url()), o,
                [this] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(host_.now_ms())); });
        } catch (const std::exception& e) {
            throw Error(ERP_E_IO, "database", std::string("opening the offer stores failed: ") + e.what());
        }
        std::shared_ptr<emag::BackupService> backup;
        std::shared_ptr<emag::CustomerAnalytics> customers;
        std::shared_ptr<emag::MonitorService> monitor;
        try {
            emag::BackupOptions b;
            b.dir = config_.backup.dir.empty() ? std::filesystem::path(host_.data_dir()) / "backups"
                                               : std::filesystem::path(config_.backup.dir);
            b.keep = config_.backup.keep;
            b.plugin_version = EMAG_PLUGIN_VERSION;
            b.on_result = [this](bool ok, const std::string& what) {
                if (const auto monitor = monitor_service()) {
                    monitor->record_backup(ok, what);
                }
            };
            backup = std::make_shared<emag::BackupService>(host_.database_url(), b, host_clock());
            customers = std::make_shared<emag::CustomerAnalytics>(host_.database_url(), host_clock());
            emag::MonitorDeps deps;
            deps.clients = [this] { return client_metrics(); };
            deps.publish = [this](const std::string& topic, const std::string& event) { host_.publish(topic, event); };
            deps.warn = [this](const std::string& m) { host_.warn(m); };
            deps.info = [this](const std::string& m) { host_.info(m); };
            deps.now = host_clock();
            emag::MonitorSchedule schedule{config_.orders.sync_interval_s, config_.offers.sync_interval_s,
                                           config_.backup.interval_s};
            monitor = std::make_shared<emag::MonitorService>(config_.monitor, schedule, status_,
                                                             std::make_shared<emag::MonitorStore>(host_.database_url()),
                                                             std::move(deps), EMAG_PLUGIN_VERSION);
        } catch (const std::exception& e) {
            throw Error(ERP_E_IO, "database",
                        std::string("opening the monitor, backup or customer stores failed: ") + e.what());
        }
        {
            std::unique_lock lock(clients_mu_);
            clients_ = std::move(clients);
            orders_ = std::move(orders);
            offers_ = std::move(offers);
            store_ = std::move(store);
            backup_ = std::move(backup);
            customers_ = std::move(customers);
            monitor_ = monitor;
        }
        monitor->start(); // samples the clients: after they are published above
    }

    std::function<std::chrono::system_clock::time_point()> host_clock() const {
        return
            [host = host_] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(host.now_ms())); };
    }

    std::shared_ptr<emag::MonitorService> monitor_service() const {
        std::shared_lock lock(clients_mu_);
        return monitor_;
    }
    std::shared_ptr<emag::BackupService> backup_service() const {
        std::shared_lock lock(clients_mu_);
        return backup_;
    }
    std::shared_ptr<emag::CustomerAnalytics> customer_analytics() const {
        std::shared_lock lock(clients_mu_);
        return customers_;
    }

    // emag.backup: a failed backup raises the backup_failed alert (through
    // the backup service's on_result, as a backup made by the route does).
    erp_status run_backup(erp_job* job) {
        const auto backup = backup_service();
        if (!backup) {
            if (accounts_.empty()) {
                return ERP_OK;
            }
            throw Error(ERP_E_UNAVAILABLE, "emag.backup", "the plugin is not started");
        }
        try {
            const emag::BackupInfo info = backup->create(); // the outcome reaches the monitor (on_result)
            std::uint64_t rows = 0;
            for (const auto& t : info.tables) {
                rows += t.rows;
            }
            host_.job_progress(
                job,
                nlohmann::json{{"backup", info.name}, {"rows", rows}, {"bytes", info.bytes}, {"pruned", info.pruned}}
                    .dump());
            host_.info(fmt::format("emag backup {}: {} rows, {} bytes", info.name, rows, info.bytes));
        } catch (const std::exception& e) {
            throw Error(ERP_E_IO, "emag.backup", e.what());
        }
        return ERP_OK;
    }

    erp_status run_restore(erp_job* job, std::string_view params) {
        const auto p = nlohmann::json::parse(params.empty() ? "{}" : params, nullptr, false);
        if (!p.is_object() || !p.contains("backup") || !p["backup"].is_string()) {
            throw Error(
                ERP_E_INVALID_ARGUMENT, "emag.restore",
                "params must be {\"backup\": \"emag-YYYYMMDDTHHMMSSZ\"} (GET /plugins/emag/api/backups lists them)");
        }
        const auto backup = backup_service();
        if (!backup) {
            throw Error(ERP_E_UNAVAILABLE, "emag.restore", "the plugin is not started");
        }
        try {
            const emag::RestoreReport r = backup->restore(p["backup"].get<std::string>());
            nlohmann::json tables = nlohmann::json::object();
            for (const auto& [name, rows] : r.rows_per_table) {
                tables[name] = rows;
            }
            host_.job_progress(job, nlohmann::json{{"backup", r.name}, {"rows", r.rows}, {"tables", tables}}.dump());
            host_.info(fmt::format("emag restore of {}: {} rows", r.name, r.rows));
        } catch (const std::invalid_argument& e) {
            throw Error(ERP_E_INVALID_ARGUMENT, "emag.restore", e.what());
        } catch (const std::exception& e) {
            throw Error(ERP_E_IO, "emag.restore", e.what());
        }
        if (const auto customers = customer_analytics()) {
            customers->update(); // restored orders count for their customers
        }
        return ERP_OK;
    }

    erp_status run_customers(erp_job* job) {
        const auto customers = customer_analytics();
        if (!customers) {
            return ERP_OK;
        }
        const emag::AnalyticsReport r = customers->update();
        host_.job_progress(job, nlohmann::json{{"orders_seen", r.orders_seen},
                                               {"orders_changed", r.orders_changed},
                                               {"customers_touched", r.customers_touched},
                                               {"orders_without_customer", r.orders_without_customer}}
                                    .dump());
        return ERP_OK;
    }

    // After an order sync: customers follow their orders. A failure here
    // does not fail the sync (the orders are stored); the next pass retries.
    void update_customers() {
        if (const auto customers = customer_analytics()) {
            try {
                customers->update();
            } catch (const std::exception& e) {
                host_.warn(std::string("emag customer analytics: ") + e.what());
            }
        }
    }

    std::shared_ptr<emag::OffersService> offers_service() const {
        std::shared_lock lock(clients_mu_);
        return offers_;
    }

    // Sync progress (orders and offers): to the job and, at most twice a
    // second per stream, to /ws topic emag.sync.
    void publish_progress(erp_job* job, const emag::SyncProgress& p) {
        nlohmann::json e{{"account", p.account},
                         {"stream", p.stream},
                         {"processed", p.processed},
                         {"total", p.total},
                         {"rate", std::round(p.rate * 10) / 10},
                         {"eta_s", std::round(p.eta_s)},
                         {"errors", p.errors},
                         {"done", p.done}};
        if (!p.error.empty()) {
            e["error"] = p.error; // the pass failed: what the job's last_error says too
        }
        const std::string event = e.dump();
        host_.publish("emag.sync", event);
        host_.job_progress(job, event);
    }

    static void throw_failures(const char* job, const std::vector<std::string>& failures) {
        if (failures.empty()) {
            return;
        }
        std::string all;
        for (const auto& f : failures) {
            all += (all.empty() ? "" : "; ") + f;
        }
        throw Error(ERP_E_IO, job, all);
    }

    std::shared_ptr<emag::OffersService> running_offers() const {
        std::shared_ptr<emag::OffersService> offers = offers_service();
        if (!offers && !accounts_.empty()) {
            throw Error(ERP_E_UNAVAILABLE, "emag offers", "the plugin is not started");
        }
        return offers;
    }

    erp_status run_offers_sync(erp_job* job) {
        const auto offers = running_offers();
        if (!offers) {
            return ERP_OK; // no accounts
        }
        const emag::OffersRunReport r =
            offers->sync([this, job](const emag::SyncProgress& p) { publish_progress(job, p); },
                         [this, job] { return host_.job_cancelled(job); });
        if (const auto monitor = monitor_service()) {
            monitor->record_sync(r.outcomes);
        }
        throw_failures("emag.offers.sync", r.failures);
        return ERP_OK;
    }

    erp_status run_offers_push(erp_job* job) {
        const auto offers = running_offers();
        if (!offers) {
            return ERP_OK;
        }
        const emag::OffersRunReport r = offers->push([this, job] { return host_.job_cancelled(job); });
        host_.job_progress(
            job,
            nlohmann::json{{"calls", r.calls}, {"confirmed", r.confirmed}, {"failed", r.failed}, {"retried", r.retried}}
                .dump());
        throw_failures("emag.offers.push", r.failures);
        return ERP_OK;
    }

    // params {"changes": [...]}: each change queued or kept as rejected; the
    // job's progress lists what became of each. A malformed params document
    // fails the job (nothing queued); rejected changes do not.
    erp_status run_offers_enqueue(erp_job* job, std::string_view params) {
        const auto offers = running_offers();
        const auto p = nlohmann::json::parse(params.empty() ? "{}" : params, nullptr, false);
        if (!p.is_object() || !p.contains("changes") || !p["changes"].is_array()) {
            throw Error(ERP_E_INVALID_ARGUMENT, "emag.offers.enqueue", "params must be {\"changes\": [...]}");
        }
        if (!offers) {
            throw Error(ERP_E_UNAVAILABLE, "emag.offers.enqueue", "no eMAG account is configured");
        }
        nlohmann::json results = nlohmann::json::array();
        std::vector<emag::OfferChange> parsed;
        std::vector<std::size_t> index_of; // parsed[k] is changes[index_of[k]]
        for (std::size_t i = 0; i < p["changes"].size(); ++i) {
            emag::ChangeParse c = emag::parse_change(p["changes"][i], std::nullopt);
            if (!c.change) {
                results.push_back({{"index", i}, {"queued", false}, {"problems", emag::problems_json(c.problems)}});
                continue;
            }
            parsed.push_back(std::move(*c.change));
            index_of.push_back(i);
        }
        std::size_t queued = 0;
        const std::vector<emag::EnqueueResult> done = offers->enqueue_many(std::move(parsed), "job");
        for (std::size_t k = 0; k < done.size(); ++k) {
            queued += done[k].queued ? 1 : 0;
            results.push_back({{"index", index_of[k]},
                               {"id", done[k].id},
                               {"queued", done[k].queued},
                               {"problems", emag::problems_json(done[k].problems)}});
        }
        std::sort(results.begin(), results.end(),
                  [](const nlohmann::json& a, const nlohmann::json& b) { return a["index"] < b["index"]; });
        host_.job_progress(job, nlohmann::json{{"queued", queued},
                                               {"refused", p["changes"].size() - queued},
                                               {"results", std::move(results)}}
                                    .dump());
        return ERP_OK;
    }

    // The order routes' view of an account: its client (kept alive for the
    // request) and zone; reads work before start, actions need the client.
    std::optional<emag::OrderAccount> order_account(const std::string& name) const {
        for (std::size_t i = 0; i < accounts_.size(); ++i) {
            if (accounts_[i].config.name != name) {
                continue;
            }
            emag::OrderAccount a;
            a.zone = *emag::TimeZone::find(accounts_[i].config.timezone);
            std::shared_lock lock(clients_mu_);
            if (i < clients_.size()) {
                a.client = clients_[i].get();
                a.keep_alive = clients_[i];
            }
            return a;
        }
        return std::nullopt;
    }

    std::shared_ptr<emag::OrdersService> orders_service() const {
        std::shared_lock lock(clients_mu_);
        return orders_;
    }

    // emag.orders.sync (days == 0) and emag.orders.backfill: progress goes to
    // the job and, at most twice a second per stream, to /ws topic emag.sync.
    erp_status run_orders(erp_job* job, unsigned backfill_days) {
        std::shared_ptr<emag::OrdersService> orders = orders_service();
        if (!orders) {
            if (accounts_.empty()) {
                return ERP_OK; // nothing to sync
            }
            throw Error(ERP_E_UNAVAILABLE, "emag orders", "the plugin is not started");
        }
        const auto publish = [this, job](const emag::SyncProgress& p) { publish_progress(job, p); };
        const auto cancelled = [this, job] { return host_.job_cancelled(job); };
        const emag::OrdersRunReport r =
            backfill_days == 0 ? orders->sync(publish, cancelled) : orders->backfill(backfill_days, publish, cancelled);
        if (const auto monitor = monitor_service()) {
            monitor->record_sync(r.outcomes);
        }
        update_customers();
        throw_failures(backfill_days == 0 ? "emag.orders.sync" : "emag.orders.backfill", r.failures);
        return ERP_OK;
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
    std::vector<std::shared_ptr<emag::EmagClient>> clients_; // one per account, from start to stop
    std::shared_ptr<emag::OrdersService> orders_;            // from start to stop
    std::shared_ptr<emag::OffersService> offers_;            // from start to stop
    std::shared_ptr<emag::OrderStore> store_;                // from start to stop
    std::shared_ptr<emag::MonitorService> monitor_;          // from start to stop
    std::shared_ptr<emag::BackupService> backup_;            // from start to stop
    std::shared_ptr<emag::CustomerAnalytics> customers_;     // from start to stop
};

} // namespace

ERP_CPP_PLUGIN(EmagPlugin, EMAG_PLUGIN_ID, EMAG_PLUGIN_VERSION)
