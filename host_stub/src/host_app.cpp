#include "host_app.hpp"

#include "database.hpp"
#include "http_server.hpp"
#include "registry.hpp"
#include "router.hpp"
#include "sinks.hpp"

#include <nlohmann/json.hpp>
#include <soci/soci.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace erp::host {
namespace fs = std::filesystem;

void configure_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("erp-host");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

HostApp::HostApp(HostConfig config) : config_(std::move(config)) {
    std::error_code ec;
    fs::create_directories(config_.data_dir, ec);
    if (ec) {
        throw ConfigError(config_.file.string(), "host.data_dir",
                          "cannot create " + config_.data_dir.string() + ": " + ec.message());
    }
    DbUrl db;
    try {
        db = parse_db_url(config_.database_url, config_.base_dir.string());
    } catch (const std::exception& e) {
        throw ConfigError(config_.file.string(), "database.url", e.what());
    }
    if (db.backend == DbBackend::sqlite3 && db.sqlite_path != ":memory:") {
        fs::create_directories(fs::path(db.sqlite_path).parent_path(), ec);
    }
    soci_db_url_ = db.soci_url;
    // Fail early, naming the setting, when the database cannot be opened.
    try {
        open_session(soci_db_url_);
    } catch (const std::exception& e) {
        throw ConfigError(config_.file.string(), "database.url", std::string("cannot open the database: ") + e.what());
    }
    services_ = std::make_unique<HostServices>(HostServicesOptions{soci_db_url_, config_.data_dir, {}}, events_);
    scheduler_ = std::make_unique<Scheduler>(config_.worker_threads);
    router_ = std::make_unique<Router>(*this);
}

HostApp::~HostApp() {
    try {
        stop();
    } catch (const std::exception& e) {
        spdlog::error("erp-host: error while stopping: {}", e.what());
    }
}

void HostApp::load_plugins(LoadUntil until) {
    for (const auto& id : config_.enabled) {
        load_one(id, until);
    }
}

void HostApp::load_one(const std::string& id, LoadUntil until) {
    PluginRecord rec;
    rec.id = id;
    try {
        rec.instance = load_plugin(config_.plugins_dir / id, *services_);
        const auto problems =
            check_config_against_schema(rec.instance->manifest().config_schema_json, config_.plugin_config(id));
        if (!problems.empty()) {
            std::string msg = "[plugins." + id + "] does not match the manifest's config_schema: ";
            for (size_t i = 0; i < problems.size(); ++i) {
                msg += (i ? "; " : "") + problems[i];
            }
            throw PluginError(id, "config", msg);
        }
        rec.instance->init(config_.plugin_config(id));
        if (until != LoadUntil::init) {
            rec.instance->migrate(soci_db_url_);
        }
        if (until == LoadUntil::start) {
            rec.instance->start();
        }
        spdlog::info("plugin '{}' {} {} (ABI {}.{}): {}", id, rec.instance->manifest().name,
                     rec.instance->manifest().version, ERP_ABI_VERSION_MAJOR_OF(rec.instance->abi_version()),
                     ERP_ABI_VERSION_MINOR_OF(rec.instance->abi_version()), to_string(rec.instance->state()));
    } catch (const PluginError& e) {
        rec.failed_step = e.step();
        rec.error = e.what();
    } catch (const std::exception& e) {
        rec.failed_step = "load";
        rec.error = "plugin '" + id + "': " + e.what();
    }
    if (!rec.failed_step.empty()) {
        spdlog::error("{} — plugin disabled, the host goes on without it", rec.error);
        if (rec.instance) {
            rec.instance->shutdown();
        }
    }
    plugins_.push_back(std::move(rec));
}

const PluginInstance* HostApp::running_plugin(const std::string& id) const {
    for (const auto& p : plugins_) {
        if (p.id == id && p.instance && p.instance->state() == PluginState::running) {
            return p.instance.get();
        }
    }
    return nullptr;
}

namespace {

// Adapts a plugin job to the scheduler: calls run() across the ABI with the
// JobRun as the opaque erp_job*, publishes lifecycle events on "jobs".
std::function<void(JobRun&)> job_body(const JobReg& reg, EventBus& events) {
    return [reg, &events](JobRun& run) {
        const auto t0 = std::chrono::steady_clock::now();
        publish_job_event(events, reg.id, "started");
        BufferSink error(64 * 1024);
        erp_status st = ERP_E_INTERNAL;
        try {
            st = reg.run(reg.user, reinterpret_cast<erp_job*>(&run), run.params_json.data(), run.params_json.size(),
                         error.get());
        } catch (...) {
            error.take();
            write_error_json(error.get(), "internal", "an exception escaped the job (missing exception fence)", "run");
        }
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        const std::string extra = nlohmann::json{{"duration_ms", ms}}.dump();
        if (st == ERP_OK) {
            publish_job_event(events, reg.id, "finished", extra);
            return;
        }
        if (st == ERP_E_CANCELLED) {
            publish_job_event(events, reg.id, "cancelled", extra);
            return;
        }
        const std::string msg = describe_plugin_error(st, error.str());
        publish_job_event(events, reg.id, "failed",
                          nlohmann::json{{"duration_ms", ms}, {"error", msg}}.dump(
                              -1, ' ', false, nlohmann::json::error_handler_t::replace));
        throw std::runtime_error(msg);
    };
}

} // namespace

void HostApp::start_scheduler(bool periodic) {
    if (scheduler_started_) {
        return;
    }
    scheduler_started_ = true;
    for (const auto& p : plugins_) {
        if (!p.instance || p.instance->state() != PluginState::running) {
            continue;
        }
        for (const auto& j : p.instance->registrations().jobs) {
            JobSpec spec;
            spec.id = j.id;
            const auto override_it = config_.schedule.find(j.id);
            const int64_t interval = override_it != config_.schedule.end() ? override_it->second : j.interval_seconds;
            spec.interval = periodic ? std::chrono::seconds(interval) : std::chrono::seconds(0);
            spec.jitter = std::chrono::seconds(j.jitter_seconds);
            spec.body = job_body(j, events_);
            scheduler_->add(std::move(spec));
        }
    }
    for (const auto& [job, _] : config_.schedule) {
        bool known = false;
        for (const auto& s : scheduler_->status()) {
            known = known || s.id == job;
        }
        if (!known) {
            spdlog::warn("{}: [schedule] names job '{}', which no running plugin registered", config_.file.string(),
                         job);
        }
    }
    scheduler_->start();
}

uint16_t HostApp::start_http() {
    HttpServerOptions opts;
    opts.address = config_.listen_address;
    opts.port = config_.port;
    opts.threads = config_.http_threads;
    http_ = std::make_unique<HttpServer>(
        opts, [this](const HttpRequest& r) { return handle(r); }, events_);
    http_->start();
    spdlog::info("erp-host serving on http://{}:{} ({} plugin(s) running)", config_.listen_address, http_->port(),
                 std::count_if(plugins_.begin(), plugins_.end(), [](const PluginRecord& p) {
                     return p.instance && p.instance->state() == PluginState::running;
                 }));
    return http_->port();
}

void HostApp::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    if (http_) {
        http_->stop();
    }
    scheduler_->stop();
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
        if (it->instance) {
            it->instance->stop();
        }
    }
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
        if (it->instance) {
            it->instance->shutdown();
        }
    }
}

std::string HostApp::run_job(const std::string& job_id, const std::string& params_json) {
    if (!scheduler_started_) {
        start_scheduler(false);
    }
    try {
        switch (scheduler_->run_now(job_id, params_json)) {
        case Scheduler::Trigger::started:
            return "";
        case Scheduler::Trigger::already_running:
            return "job '" + job_id + "' is already running";
        case Scheduler::Trigger::unknown_job:
            return "no running plugin registered a job '" + job_id + "'";
        case Scheduler::Trigger::stopped:
            return "the host is stopping";
        }
    } catch (const std::exception& e) {
        return e.what();
    }
    return "unknown outcome";
}

HttpResponse HostApp::handle(const HttpRequest& req) const {
    return router_->handle(req);
}

} // namespace erp::host
