#include "monitor/health.hpp"

#include "monitor/api_metrics.hpp"

#include <nlohmann/json.hpp>

namespace erp::emag {

using nlohmann::json;

std::string health_json(const std::vector<AccountHealth>& accounts) {
    std::size_t ok = 0;
    for (const auto& a : accounts) {
        ok += a.credentials_ok ? 1 : 0;
    }
    const std::size_t total = accounts.size();
    const int score = total == 0 ? 100 : static_cast<int>(ok * 100 / total);
    return json{{"status", ok == total ? "ok" : "degraded"},
                {"score", score},
                {"detail", {{"accounts", total}, {"credentials_ok", ok}}}}
        .dump();
}

std::string metrics_json(const std::vector<AccountHealth>& accounts, const std::vector<ClientMetrics>& clients,
                         const OutboundCounts& outbound) {
    json metrics = json::array();
    metrics.push_back({{"name", "emag_accounts_configured"},
                       {"type", "gauge"},
                       {"help", "eMAG accounts configured in the plugin"},
                       {"labels", json::object()},
                       {"value", accounts.size()}});
    for (const auto& a : accounts) {
        metrics.push_back({{"name", "emag_account_info"},
                           {"type", "gauge"},
                           {"help", "One series per configured eMAG account; the value is always 1"},
                           {"labels", {{"account", a.name}, {"platform", a.platform}}},
                           {"value", 1}});
    }
    append_api_metrics(clients, metrics);
    for (const auto& [account, states] : outbound) {
        // Every state, zeros included, so a dashboard's series never vanish.
        for (const char* state : {"queued", "sending", "confirmed", "superseded", "failed", "rejected"}) {
            const auto it = states.find(state);
            metrics.push_back({{"name", "emag_outbound_changes"},
                               {"type", "gauge"},
                               {"help", "Offer changes in the outbound queue by state (failed = dead letter)"},
                               {"labels", {{"account", account}, {"state", state}}},
                               {"value", it == states.end() ? 0 : it->second}});
        }
    }
    return json{{"metrics", metrics}}.dump();
}

} // namespace erp::emag
