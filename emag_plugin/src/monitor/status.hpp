// The body of GET /plugins/emag/api/status: what the plugin is, which
// accounts it serves and, once the monitor runs, each account's health, sync
// streams, windowed rates, active alerts and quarantine/dead-letter sizes
// (monitor_service.hpp builds that part). Never a password (AccountConfig
// holds none; the secret lives in ResolvedAccount::password).
#pragma once

#include "api/client_metrics.hpp"
#include "config/plugin_config.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace erp::emag {

struct AccountStatus {
    const AccountConfig* account; // borrowed for the call
    bool credentials_ok;
    std::optional<ClientMetrics> api; // the client's figures once it runs
};

// {"name","platform","base_url","currency","locale","timezone","username",
//  "credentials":"ok"|"missing" (the monitor's status also says "refused"
//  after recent 401s: monitor_documents.cpp), "api":{"orders":{...},"other":{...}} (once
//  started, api_metrics.hpp)}
nlohmann::json account_status_json(const AccountStatus& s);

// {"plugin":"emag","version":"0.1.0","accounts":[account_status_json...]}:
// the answer before the monitor's first sample.
std::string status_json(std::string_view version, const std::vector<AccountStatus>& accounts);

} // namespace erp::emag
