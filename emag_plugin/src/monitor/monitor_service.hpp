// The plugin's monitor (DESIGN.md §5.4, docs/monitoring.md). Every
// sample_interval it samples the eMAG clients' counters and the database
// gauges (quarantines, dead letter, order cursors) into a MetricHistory,
// computes the 1 min / 5 min / 1 h windows, scores each account's health,
// evaluates the alert rules (AlertEngine: raised once, cleared with
// hysteresis) and stores each transition in emag_alerts. It then caches the
// /metrics series, the /health document and the status route's body, so
// those answer from memory (the status route must stay far under 200 ms at
// 1,000 requests/s), and only then logs each transition, publishes it on /ws
// topic emag.alerts and posts it to the webhook: whoever reacts to an alert
// reads documents that already show it. Every snapshot_interval it writes one
// emag_metrics row per account and prunes rows past the retention.
#pragma once

#include "config/monitor_config.hpp"
#include "monitor/alert_engine.hpp"
#include "monitor/alert_rules.hpp"
#include "monitor/health.hpp"
#include "monitor/metric_windows.hpp"
#include "monitor/monitor_documents.hpp"
#include "monitor/status.hpp"
#include "orders/order_sync.hpp" // StreamOutcome

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace erp::emag {

class MonitorStore;
class WebhookSender;
struct AlertRow;

// An emag_alerts row as the routes and the status show it.
nlohmann::json alert_json(const AlertRow& a);

struct MonitorDeps {
    std::function<std::vector<ClientMetrics>()> clients;                            // empty before start
    std::function<void(const std::string& topic, const std::string& json)> publish; // the host's /ws
    std::function<void(const std::string&)> warn;
    std::function<void(const std::string&)> info;
    std::function<std::chrono::system_clock::time_point()> now;
    // The windows' clock; empty = steady_clock (tests step it).
    std::function<std::chrono::steady_clock::time_point()> steady;
};

class MonitorService {
  public:
    MonitorService(MonitorConfig config, MonitorSchedule schedule, std::vector<AccountStatus> accounts,
                   std::shared_ptr<MonitorStore> store, MonitorDeps deps, std::string version);
    ~MonitorService(); // stops the thread
    MonitorService(const MonitorService&) = delete;
    MonitorService& operator=(const MonitorService&) = delete;

    // Restores the active alerts from emag_alerts, takes a first sample and
    // starts sampling every sample_interval.
    void start();
    void stop();
    // One sample, evaluation and cache refresh (the thread's work; tests
    // call it directly).
    void tick();

    void record_sync(const std::vector<StreamOutcome>& outcomes);
    void record_backup(bool ok, const std::string& message);

    // The cached documents (rebuilt by tick()).
    std::string health_json() const;
    nlohmann::json metric_series() const; // the windowed series for /metrics
    std::string status_json() const;
    std::string windows_json() const; // GET /api/metrics
    // The outbound queue by state as of the last tick, for /metrics (so a
    // scrape does no database work).
    OutboundCounts outbound_counts() const;

    MonitorStore& store() { return *store_; }
    std::uint64_t ticks() const;

  private:
    std::map<std::string, AccountGauges> read_gauges(std::chrono::system_clock::time_point now,
                                                     std::vector<struct SyncStateInfo>& states);
    struct Announcement {
        bool raised;
        std::string event; // the JSON for /ws and the webhook
        std::string log;
    };
    // Stores each transition in emag_alerts; returns what to announce.
    std::vector<Announcement> record(const std::vector<AlertTransition>& transitions, const std::string& now_iso);
    // Publishes on /ws, logs and posts to the webhook.
    void announce(const std::vector<Announcement>& announcements);
    void run();

    const MonitorConfig config_;
    const MonitorSchedule schedule_;
    const std::vector<AccountStatus> accounts_;
    std::shared_ptr<MonitorStore> store_;
    MonitorDeps deps_;
    const std::string version_;
    std::unique_ptr<WebhookSender> webhook_;

    // Touched by tick() only (one thread at a time: tick_mu_).
    std::mutex tick_mu_;
    MetricHistory history_;
    AlertEngine engine_;
    std::map<std::string, AccountGauges> last_gauges_;
    bool gauges_failed_ = false;
    std::chrono::system_clock::time_point last_snapshot_{};

    mutable std::mutex mu_; // the sync counters, the backup outcome and the caches
    std::map<std::string, std::map<std::string, StreamRunInfo>> runs_; // account -> stream
    std::optional<BackupOutcome> backup_;
    std::string last_backup_at_;
    std::shared_ptr<const std::string> health_, status_, windows_;
    std::shared_ptr<const nlohmann::json> series_;
    OutboundCounts outbound_;
    std::uint64_t ticks_ = 0;

    std::mutex thread_mu_;
    std::condition_variable thread_cv_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace erp::emag
