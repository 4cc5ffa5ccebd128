// Health and metrics documents for the host's /health and /metrics (the
// formats of erp_monitor_def in erp_plugin.h), as pure functions of the
// accounts' figures so they are trivial to test.
//
// The health score (docs/monitoring.md) starts at 100 per account and loses:
//   credentials missing                    everything (score 0)
//   401s from eMAG in the last 5 min       50
//   error rate over 5 min                  400 x rate, at most 40 (5% -> 20)
//   average response over 5 min > 1 s      15 x (avg - 1 s) / 2 s, at most 15
//   failed sync passes over 1 h            300 x failed share, at most 30
//   order cursor lag > 15 min              20 x (lag - 15 min) / 45 min, at most 20
//   offer changes in dead letter           1 each, at most 10
//   quarantined orders and offers          1 each, at most 5
// (rates need min_requests requests in the window). The plugin's score is
// its worst account's, minus 10 while the last backup failed. Status: "ok"
// from 80, "degraded" from 50, else "down".
#pragma once

#include "api/client_metrics.hpp"
#include "monitor/alert_rules.hpp"
#include "monitor/metric_windows.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace erp::emag {

struct AccountHealth {
    std::string name;
    std::string platform;
    bool credentials_ok = false; // the password was resolved at init
};

struct HealthPenalty {
    std::string reason;
    int points = 0;
};

struct HealthScore {
    int score = 100;
    std::vector<HealthPenalty> penalties;
};

const char* health_status(int score);

struct HealthInputs {
    bool credentials_ok = true;
    const AccountWindow* last_5m = nullptr; // null before the monitor has samples
    const AccountWindow* last_1h = nullptr;
    const AccountGauges* gauges = nullptr;
    unsigned min_requests = 10;
};

HealthScore score_account(const HealthInputs& in);

// {"status","score","detail":{"accounts":{"ro1":{"score","status",
//  "penalties":[{"reason","points"}]}}, "backup":"ok"|"failed" (once one ran)}}
std::string health_json(const std::vector<std::pair<std::string, HealthScore>>& accounts,
                        const std::optional<BackupOutcome>& backup = std::nullopt);
// The plugin-wide score health_json reports.
int overall_score(const std::vector<std::pair<std::string, HealthScore>>& accounts,
                  const std::optional<BackupOutcome>& backup);

// {"metrics":[emag_accounts_configured (gauge), emag_account_info (gauge,
// one per account, labels account/platform, value 1), then the clients'
// series (api_metrics.hpp), then emag_outbound_changes (gauge, labels
// account/state: the outbound queue's rows by state; state="failed" is the
// dead letter), then `extra` (the monitor's windowed series)]}
using OutboundCounts = std::map<std::string, std::map<std::string, std::int64_t>>; // account -> state -> rows
std::string metrics_json(const std::vector<AccountHealth>& accounts, const std::vector<ClientMetrics>& clients = {},
                         const OutboundCounts& outbound = {}, const nlohmann::json* extra = nullptr);

} // namespace erp::emag
