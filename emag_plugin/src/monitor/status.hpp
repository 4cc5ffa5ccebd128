// The body of GET /plugins/emag/api/status: what the plugin is and which
// accounts it serves. Never a password (AccountConfig holds none; the secret
// lives in ResolvedAccount::password and is not passed here).
#pragma once

#include "api/client_metrics.hpp"
#include "config/plugin_config.hpp"

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

// {"plugin":"emag","version":"0.1.0","accounts":[{"name","platform","base_url",
//  "currency","locale","timezone","username","credentials":"ok"|"missing",
//  "api":{"orders":{...},"other":{...}} (once started, api_metrics.hpp)}]}
std::string status_json(std::string_view version, const std::vector<AccountStatus>& accounts);

} // namespace erp::emag
