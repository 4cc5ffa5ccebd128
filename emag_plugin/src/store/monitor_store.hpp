// The monitor's tables and the figures it reads from the others (all SQL of
// monitoring lives here): emag_metrics snapshots with bounded retention,
// emag_alerts (raised, touched, cleared; never deleted), and per account the
// sizes of the quarantines and the dead letter and the order streams' sync
// state. One session, serialized: the monitor thread and route handlers
// share it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

namespace erp::emag {

struct SyncStateInfo {
    std::string account;
    int order_type = 0;
    std::string stream; // "incremental" | "backfill"
    std::string cursor_utc, last_run_at, last_outcome, last_error;
    std::int64_t processed = 0;
};

struct AlertRow {
    std::int64_t id = 0;
    std::string account, rule, subject, severity;
    std::string state; // "active" | "cleared"
    std::string message, value, threshold;
    std::string raised_at, cleared_at, last_value, updated_at;
};

struct AlertFilter {
    std::optional<std::string> account;
    std::optional<std::string> state;
    std::optional<std::string> rule;
    std::int64_t limit = 100;
    std::int64_t before_id = 0; // 0: from the newest
};

struct MetricSnapshot {
    std::string account, taken_at;
    int health = 0;
    std::string figures_json;
};

class MonitorStore {
  public:
    explicit MonitorStore(const std::string& db_url);
    ~MonitorStore();
    MonitorStore(const MonitorStore&) = delete;
    MonitorStore& operator=(const MonitorStore&) = delete;

    std::vector<SyncStateInfo> sync_states();
    // account -> rows
    std::map<std::string, std::int64_t> quarantined_orders();
    std::map<std::string, std::int64_t> quarantined_offers();
    // account -> state -> rows of emag_outbound (state "failed" is the dead
    // letter): one query feeds the dead-letter gauge and /metrics alike.
    std::map<std::string, std::map<std::string, std::int64_t>> outbound_by_state();

    // Returns the new alert's id.
    std::int64_t raise_alert(const AlertRow& alert);
    void clear_alert(std::int64_t id, const std::string& last_value, const std::string& now_iso);
    void touch_alert(std::int64_t id, const std::string& last_value, const std::string& now_iso);
    std::vector<AlertRow> alerts(const AlertFilter& filter);

    void save_snapshots(const std::vector<MetricSnapshot>& rows);
    // Deletes snapshots taken before `before_iso`; returns how many.
    std::int64_t prune_snapshots(const std::string& before_iso);
    std::vector<MetricSnapshot> snapshots(const std::string& account, const std::string& since_iso, std::int64_t limit);

  private:
    std::map<std::string, std::int64_t> count_by_account(const char* sql);

    std::mutex mutex_;
    std::unique_ptr<soci::session> session_;
};

} // namespace erp::emag
