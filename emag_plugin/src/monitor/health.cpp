#include "monitor/health.hpp"

#include "monitor/api_metrics.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace erp::emag {

using nlohmann::json;

const char* health_status(int score) {
    return score >= 80 ? "ok" : score >= 50 ? "degraded" : "down";
}

namespace {

int capped(double points, int cap) {
    return static_cast<int>(std::lround(std::clamp(points, 0.0, static_cast<double>(cap))));
}

void penalize(HealthScore& h, std::string reason, int points) {
    if (points > 0) {
        h.penalties.push_back({std::move(reason), points});
        h.score -= points;
    }
}

} // namespace

HealthScore score_account(const HealthInputs& in) {
    HealthScore h;
    if (!in.credentials_ok) {
        penalize(h, "credentials missing", 100);
        h.score = 0;
        return h;
    }
    if (const AccountWindow* w = in.last_5m) {
        if (w->auth_errors > 0) {
            penalize(h, fmt::format("eMAG refused the credentials {} time(s) in 5 min", w->auth_errors), 50);
        }
        std::uint64_t requests = 0, errors = 0, timed = 0;
        double ms_sum = 0;
        for (const GroupWindow& g : w->groups) {
            requests += g.requests;
            errors += g.errors;
            timed += g.timed;
            ms_sum += g.avg_ms * static_cast<double>(g.timed);
        }
        if (requests >= in.min_requests) {
            const double rate = static_cast<double>(errors) / static_cast<double>(requests);
            penalize(h, fmt::format("{:.1f}% of eMAG requests failed in 5 min", rate * 100), capped(400 * rate, 40));
        }
        if (timed >= in.min_requests) {
            const double avg = ms_sum / static_cast<double>(timed);
            penalize(h, fmt::format("eMAG answered in {:.2f} s on average in 5 min", avg / 1000),
                     capped(15 * (avg - 1000) / 2000, 15));
        }
    }
    if (const AccountWindow* w = in.last_1h) {
        if (const auto success = w->sync_success()) {
            penalize(h, fmt::format("{} of {} sync passes failed in 1 h", w->sync_runs - w->sync_ok, w->sync_runs),
                     capped(300 * (1 - *success), 30));
        }
    }
    if (const AccountGauges* g = in.gauges) {
        std::int64_t lag = 0;
        for (const auto& [stream, s] : g->cursor_lag_s) {
            lag = std::max(lag, s);
        }
        if (lag > 900) {
            penalize(h, "order cursor " + duration_words(static_cast<double>(lag)) + " behind",
                     capped(20 * static_cast<double>(lag - 900) / 2700, 20));
        }
        penalize(h, fmt::format("{} offer change(s) in dead letter", g->dead_letter),
                 capped(static_cast<double>(g->dead_letter), 10));
        const std::int64_t q = g->quarantined_orders + g->quarantined_offers;
        penalize(h, fmt::format("{} record(s) in quarantine", q), capped(static_cast<double>(q), 5));
    }
    h.score = std::clamp(h.score, 0, 100);
    return h;
}

int overall_score(const std::vector<std::pair<std::string, HealthScore>>& accounts,
                  const std::optional<BackupOutcome>& backup) {
    int score = 100;
    for (const auto& [name, h] : accounts) {
        score = std::min(score, h.score);
    }
    if (backup && !backup->ok) {
        score = std::max(0, score - 10);
    }
    return score;
}

std::string health_json(const std::vector<std::pair<std::string, HealthScore>>& accounts,
                        const std::optional<BackupOutcome>& backup) {
    json per_account = json::object();
    for (const auto& [name, h] : accounts) {
        json penalties = json::array();
        for (const auto& p : h.penalties) {
            penalties.push_back({{"reason", p.reason}, {"points", p.points}});
        }
        per_account[name] = {{"score", h.score}, {"status", health_status(h.score)}, {"penalties", penalties}};
    }
    const int score = overall_score(accounts, backup);
    json detail = {{"accounts", per_account}};
    if (backup) {
        detail["backup"] = backup->ok ? "ok" : "failed";
    }
    return json{{"status", health_status(score)}, {"score", score}, {"detail", detail}}.dump();
}

std::string metrics_json(const std::vector<AccountHealth>& accounts, const std::vector<ClientMetrics>& clients,
                         const OutboundCounts& outbound, const json* extra) {
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
    if (extra != nullptr) {
        for (const auto& m : *extra) {
            metrics.push_back(m);
        }
    }
    return json{{"metrics", metrics}}.dump();
}

} // namespace erp::emag
