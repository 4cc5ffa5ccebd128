#include "monitor/status.hpp"

#include <nlohmann/json.hpp>

namespace erp::emag {

std::string status_json(std::string_view version, const std::vector<AccountStatus>& accounts) {
    using nlohmann::json;
    json list = json::array();
    for (const AccountStatus& s : accounts) {
        const AccountConfig& a = *s.account;
        list.push_back({{"name", a.name},
                        {"platform", a.platform},
                        {"base_url", a.base_url},
                        {"currency", a.currency},
                        {"locale", a.locale},
                        {"timezone", a.timezone},
                        {"username", a.username},
                        {"credentials", s.credentials_ok ? "ok" : "missing"}});
    }
    return json{{"plugin", "emag"}, {"version", std::string(version)}, {"accounts", list}}.dump();
}

} // namespace erp::emag
