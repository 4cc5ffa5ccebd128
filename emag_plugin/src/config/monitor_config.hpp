// The `monitor` and `backup` sections of the plugin config: how often the
// monitor samples, how long metric snapshots are kept, the alert rules'
// thresholds (with their recovery thresholds: hysteresis), the webhook, and
// the backup job's schedule and retention. Defaults are DESIGN.md §5.4's.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace erp::emag {

// One alert rule. "Above" rules (error_rate, latency_ms, rate_limit_usage,
// cursor_lag_s) raise when the value is above `threshold` and clear once it
// is at or below `clear`; sync_success raises below `threshold` and clears
// at or above `clear`. dead_letter and auth_failures raise on any growth or
// failure within `window_s` and clear after a whole window without one.
struct AlertRuleConfig {
    std::string name;
    bool enabled = true;
    double threshold = 0;
    double clear = 0;
    unsigned window_s = 300; // the window the value is computed over
};

struct MonitorConfig {
    unsigned sample_interval_ms = 5000; // counters sampled, gauges read, alerts evaluated
    unsigned snapshot_interval_s = 60;  // one emag_metrics row per account
    unsigned retention_h = 168;         // emag_metrics rows older than this are deleted
    unsigned raise_after = 1;           // bad evaluations in a row before an alert is raised
    unsigned clear_after = 3;           // good evaluations in a row before it clears
    unsigned min_requests = 10;         // fewer requests in a window: no verdict on rates
    std::vector<AlertRuleConfig> rules; // every rule, defaults filled in
    std::string webhook_url;            // empty: no webhook
    unsigned webhook_timeout_ms = 5000;
    std::vector<unsigned> webhook_retry_delays_s = {1, 5, 30};

    const AlertRuleConfig* rule(const std::string& name) const;
};

struct BackupConfig {
    unsigned interval_s = 86400; // emag.backup's schedule (0 = only when run)
    unsigned keep = 7;           // newest backups kept
    std::string dir;             // empty: the plugin's data dir (<host data_dir>/plugins/emag)/backups
};

// The rules' names and defaults, in the order they are evaluated.
std::vector<AlertRuleConfig> default_alert_rules();

MonitorConfig parse_monitor_config(const nlohmann::json& section); // throws ConfigError
BackupConfig parse_backup_config(const nlohmann::json& section);   // throws ConfigError

} // namespace erp::emag
