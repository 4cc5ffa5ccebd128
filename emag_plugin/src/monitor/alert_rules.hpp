// The alert rules of MonitorConfig turned into observations for the
// AlertEngine, from the windowed figures and the database gauges:
//   error_rate        per group: failed / sent requests over the rule's window
//   latency_ms        per group: average response time
//   rate_limit_usage  per group: requests / the group's budget
//   sync_success      per account: successful / all sync passes
//   cursor_lag_s      per order stream: how far its cursor is behind now
//   dead_letter       per account: offer changes newly in dead letter
//   auth_failures     per account: 401s (bad credentials, IP not whitelisted)
//   backup_failed     plugin-wide ("*"): the last emag.backup failed
// A rate over fewer than min_requests requests (or no sync pass, or no
// request at all for auth_failures) gives no verdict: an alert is neither
// raised on too little evidence nor cleared by silence — it clears when
// requests (or passes) show the recovery.
#pragma once

#include "config/monitor_config.hpp"
#include "monitor/alert_engine.hpp"
#include "monitor/metric_windows.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace erp::emag {

struct BackupOutcome {
    bool ok = true;
    std::string message; // what failed (no secrets)
};

struct AlertInputs {
    // The figures over `window_s` seconds (the monitor caches them per window).
    std::function<const std::vector<AccountWindow>&(unsigned window_s)> window;
    std::map<std::string, AccountGauges> gauges; // newest, per account
    std::optional<BackupOutcome> backup;         // none: no backup has run
};

std::vector<Observation> observe_alerts(const MonitorConfig& config, const AlertInputs& in);

// "47 s", "25 min", "5 h", "71 days": a duration, rounded, in words.
std::string duration_words(double seconds);

// "5 min", "1 h", "90 s": a window's length in words.
std::string window_words(unsigned seconds);

} // namespace erp::emag
