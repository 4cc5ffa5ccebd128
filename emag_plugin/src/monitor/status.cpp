#include "monitor/status.hpp"

#include "monitor/api_metrics.hpp"

#include <nlohmann/json.hpp>

namespace erp::emag {

using nlohmann::json;

json account_status_json(const AccountStatus& s) {
    const AccountConfig& a = *s.account;
    json entry = {{"name", a.name},         {"platform", a.platform},
                  {"base_url", a.base_url}, {"currency", a.currency},
                  {"locale", a.locale},     {"timezone", a.timezone},
                  {"username", a.username}, {"credentials", s.credentials_ok ? "ok" : "missing"}};
    if (s.api) {
        entry["api"] = api_status_json(*s.api);
    }
    return entry;
}

std::string status_json(std::string_view version, const std::vector<AccountStatus>& accounts) {
    json list = json::array();
    for (const AccountStatus& s : accounts) {
        list.push_back(account_status_json(s));
    }
    return json{{"plugin", "emag"}, {"version", std::string(version)}, {"accounts", list}}.dump();
}

} // namespace erp::emag
