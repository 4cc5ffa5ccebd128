// HostApp: the composition root of erp-host. Owns the config, the event bus,
// the host services, the loaded plugins, the scheduler and the HTTP server,
// and runs the lifecycle: load -> init -> migrate -> start -> serve -> stop ->
// shutdown -> unload. A plugin that fails any step is disabled and reported;
// the host keeps serving.
#pragma once

#include "config.hpp"
#include "event_bus.hpp"
#include "host_services.hpp"
#include "http_types.hpp"
#include "plugin_loader.hpp"
#include "scheduler.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace erp::host {

class HttpServer;
class Router;

struct PluginRecord {
    std::string id;
    std::unique_ptr<PluginInstance> instance; // null when loading failed
    std::string failed_step;                  // "" when fine
    std::string error;                        // full message when failed
};

class HostApp {
  public:
    explicit HostApp(HostConfig config);
    ~HostApp(); // stop()
    HostApp(const HostApp&) = delete;
    HostApp& operator=(const HostApp&) = delete;

    enum class LoadUntil { init, migrate, start };
    // Loads every enabled plugin up to `until`. Never throws for a plugin's
    // failure (it is recorded and logged); throws for host-level problems.
    void load_plugins(LoadUntil until = LoadUntil::start);

    // Registers the running plugins' jobs (with [schedule] overrides).
    // `periodic` starts their timers; without it jobs run only on demand.
    void start_scheduler(bool periodic = true);
    // Starts the HTTP server; returns the bound port.
    uint16_t start_http();
    // HTTP server -> jobs (cancelled and drained) -> plugins stop -> shutdown
    // -> unload. Idempotent.
    void stop();

    // Runs a job on the calling thread; returns "" on success, else the error.
    std::string run_job(const std::string& job_id, const std::string& params_json = "{}");

    HttpResponse handle(const HttpRequest& req) const;

    const HostConfig& config() const { return config_; }
    const std::vector<PluginRecord>& plugins() const { return plugins_; }
    const PluginInstance* running_plugin(const std::string& id) const;
    Scheduler& scheduler() { return *scheduler_; }
    const Scheduler& scheduler() const { return *scheduler_; }
    EventBus& events() { return events_; }
    HostServices& services() { return *services_; }
    const std::string& soci_db_url() const { return soci_db_url_; }
    std::chrono::steady_clock::time_point started_at() const { return started_at_; }

  private:
    void load_one(const std::string& id, LoadUntil until);

    HostConfig config_;
    std::string soci_db_url_;
    EventBus events_;
    std::unique_ptr<HostServices> services_;
    std::vector<PluginRecord> plugins_;
    std::unique_ptr<Scheduler> scheduler_;
    std::unique_ptr<Router> router_;
    std::unique_ptr<HttpServer> http_;
    bool scheduler_started_ = false;
    bool stopped_ = false;
    std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
};

// Sets up spdlog for the host at the config's log level (stderr).
void configure_logging(const std::string& level);

} // namespace erp::host
