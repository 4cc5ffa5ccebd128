// Health and metrics documents for the host's /health and /metrics (the
// formats of erp_monitor_def in erp_plugin.h), as pure functions of the
// accounts' state so they are trivial to test. Grows with the sync figures of
// DESIGN.md §5.4.
#pragma once

#include "api/client_metrics.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace erp::emag {

struct AccountHealth {
    std::string name;
    std::string platform;
    bool credentials_ok = false; // the password was resolved at init
};

// {"status":"ok"|"degraded","score":0..100,
//  "detail":{"accounts":N,"credentials_ok":N}}
// Score is the share of accounts with credentials; no accounts is "ok".
std::string health_json(const std::vector<AccountHealth>& accounts);

// {"metrics":[emag_accounts_configured (gauge), emag_account_info (gauge,
// one per account, labels account/platform, value 1), then the clients'
// series (api_metrics.hpp), then emag_outbound_changes (gauge, labels
// account/state: the outbound queue's rows by state; state="failed" is the
// dead letter)]}
using OutboundCounts = std::map<std::string, std::map<std::string, std::int64_t>>; // account -> state -> rows
std::string metrics_json(const std::vector<AccountHealth>& accounts, const std::vector<ClientMetrics>& clients = {},
                         const OutboundCounts& outbound = {});

} // namespace erp::emag
