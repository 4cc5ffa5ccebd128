#include "monitor/monitor_documents.hpp"

#include "monitor/monitor_service.hpp" // alert_json
#include "orders/order_sync.hpp"
#include "store/timestamp.hpp"

#include <cmath>

namespace erp::emag {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<unsigned, const char*>, 3> kWindows{{{60, "1m"}, {300, "5m"}, {3600, "1h"}}};
constexpr ErrorKind kKinds[] = {ErrorKind::auth, ErrorKind::rate_limited, ErrorKind::validation, ErrorKind::transient,
                                ErrorKind::protocol};

double rounded(double v, double scale = 10000) {
    return std::round(v * scale) / scale;
}

// `last` + `interval_s`, or null when either is unknown.
json next_run(const std::string& last, unsigned interval_s) {
    const auto t = parse_iso8601_utc(last);
    if (!t || interval_s == 0) {
        return nullptr;
    }
    return iso8601_utc(std::chrono::duration_cast<std::chrono::milliseconds>(
                           (*t + std::chrono::seconds(interval_s)).time_since_epoch())
                           .count());
}

json group_json(const GroupWindow& g) {
    json errors = json::object();
    for (ErrorKind k : kKinds) {
        errors[error_kind_name(k)] = g.errors_by_kind[static_cast<std::size_t>(k)];
    }
    return {{"requests", g.requests},
            {"requests_per_minute", rounded(g.requests_per_minute, 100)},
            {"errors", g.errors},
            {"error_rate", rounded(g.error_rate)},
            {"errors_by_kind", errors},
            {"avg_ms", rounded(g.avg_ms, 10)},
            {"p95_ms", rounded(g.p95_ms, 10)},
            {"usage", rounded(g.usage)}};
}

json window_json(const AccountWindow& w) {
    json streams = json::object();
    for (const auto& [name, s] : w.streams) {
        streams[name] = {
            {"runs", s.counts.runs}, {"ok", s.counts.ok}, {"failed", s.counts.failed}, {"items", s.counts.items}};
    }
    const auto success = w.sync_success();
    return {{"covered_s", rounded(w.covered_s, 10)},
            {"orders", group_json(w.groups[0])},
            {"other", group_json(w.groups[1])},
            {"sync",
             {{"runs", w.sync_runs},
              {"ok", w.sync_ok},
              {"success_rate", success ? json(rounded(*success)) : json(nullptr)},
              {"orders_synced", w.orders_synced},
              {"offers_synced", w.offers_synced},
              {"streams", streams}}}};
}

json health_object(const HealthScore& h) {
    json penalties = json::array();
    for (const auto& p : h.penalties) {
        penalties.push_back({{"reason", p.reason}, {"points", p.points}});
    }
    return {{"score", h.score}, {"status", health_status(h.score)}, {"penalties", penalties}};
}

void add_series(json& out, const char* name, const char* type, const char* help, json labels, double value) {
    out.push_back({{"name", name}, {"type", type}, {"help", help}, {"labels", std::move(labels)}, {"value", value}});
}

const AccountWindow* find_window(const std::vector<AccountWindow>& ws, const std::string& account) {
    for (const auto& w : ws) {
        if (w.account == account) {
            return &w;
        }
    }
    return nullptr;
}

} // namespace
MonitorDocuments build_documents(const DocumentInputs& in) {
    MonitorDocuments out;
    std::vector<std::pair<std::string, HealthScore>> scores;
    json& series = out.series;
    series = json::array();
    json status_accounts = json::array();
    json window_accounts = json::array();
    for (const AccountStatus& a : in.accounts) {
        const std::string& name = a.account->name;
        static const AccountGauges kNoGauges;
        const auto gauges_it = in.gauges.find(name);
        const AccountGauges& g = gauges_it == in.gauges.end() ? kNoGauges : gauges_it->second;
        HealthInputs hi;
        hi.credentials_ok = a.credentials_ok;
        hi.last_5m = find_window(in.window(300), name);
        hi.last_1h = find_window(in.window(3600), name);
        hi.gauges = &g;
        hi.min_requests = in.min_requests;
        const HealthScore h = score_account(hi);
        scores.emplace_back(name, h);

        json rates = json::object();
        for (const auto& [seconds, label] : kWindows) {
            const AccountWindow* w = find_window(in.window(seconds), name);
            if (!w) {
                continue;
            }
            rates[label] = window_json(*w);
            for (const GroupWindow& gw : w->groups) {
                const json l = {{"account", name}, {"group", group_name(gw.group)}, {"window", label}};
                add_series(series, "emag_window_requests_per_minute", "gauge",
                           "HTTP requests to eMAG per minute over the window", l, rounded(gw.requests_per_minute, 100));
                add_series(series, "emag_window_error_ratio", "gauge",
                           "Share of eMAG requests that failed over the window", l, rounded(gw.error_rate));
                for (ErrorKind k : kKinds) {
                    json lk = l;
                    lk["kind"] = error_kind_name(k);
                    add_series(series, "emag_window_errors", "gauge", "Failed eMAG requests over the window by kind",
                               lk, static_cast<double>(gw.errors_by_kind[static_cast<std::size_t>(k)]));
                }
                add_series(series, "emag_window_latency_avg_seconds", "gauge",
                           "Average eMAG response time over the window", l, rounded(gw.avg_ms / 1000, 100000));
                add_series(series, "emag_window_latency_p95_seconds", "gauge",
                           "95th percentile of eMAG response time over the window (histogram bucket bound)", l,
                           rounded(gw.p95_ms / 1000, 100000));
                add_series(series, "emag_window_rate_limit_usage_ratio", "gauge",
                           "Share of the route group's eMAG rate limit used over the window", l, rounded(gw.usage));
            }
            for (const auto& [stream, s] : w->streams) {
                const json l = {{"account", name}, {"stream", stream}, {"window", label}};
                add_series(series, "emag_window_sync_runs", "gauge", "Sync passes over the window", l,
                           static_cast<double>(s.counts.runs));
                if (s.success_rate) {
                    add_series(series, "emag_window_sync_success_ratio", "gauge",
                               "Share of sync passes that succeeded over the window", l, rounded(*s.success_rate));
                }
                add_series(series, "emag_window_synced_items", "gauge",
                           "Orders or offers stored by sync passes over the window", l,
                           static_cast<double>(s.counts.items));
            }
        }
        add_series(series, "emag_quarantine_size", "gauge", "Records held in quarantine (invalid as eMAG sent them)",
                   {{"account", name}, {"kind", "orders"}}, static_cast<double>(g.quarantined_orders));
        add_series(series, "emag_quarantine_size", "gauge", "Records held in quarantine (invalid as eMAG sent them)",
                   {{"account", name}, {"kind", "offers"}}, static_cast<double>(g.quarantined_offers));
        add_series(series, "emag_dead_letter_size", "gauge", "Offer changes refused by eMAG (dead letter)",
                   {{"account", name}}, static_cast<double>(g.dead_letter));
        for (const auto& [stream, lag] : g.cursor_lag_s) {
            add_series(series, "emag_cursor_lag_seconds", "gauge", "How far an order stream's cursor is behind now",
                       {{"account", name}, {"stream", stream}}, static_cast<double>(lag));
        }
        add_series(series, "emag_health_score", "gauge", "Health score 0-100 (docs/monitoring.md)", {{"account", name}},
                   h.score);

        // The account's sync streams: the stored state plus this process's runs.
        json streams = json::array();
        const auto runs_it = in.runs.find(name);
        static const std::map<std::string, StreamRunInfo> kNoRuns;
        const std::map<std::string, StreamRunInfo>& account_runs = runs_it == in.runs.end() ? kNoRuns : runs_it->second;
        for (const SyncStateInfo& s : in.states) {
            if (s.account != name) {
                continue;
            }
            const std::string stream = OrderSync::stream_name(s.stream.c_str(), s.order_type);
            json st = {{"stream", stream},
                       {"order_type", s.order_type},
                       {"cursor_utc", s.cursor_utc},
                       {"last_run_at", s.last_run_at},
                       {"last_outcome", s.last_outcome},
                       {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
                       {"processed", s.processed},
                       {"next_run_at", s.stream == "incremental"
                                           ? next_run(s.last_run_at, in.schedule.orders_interval_s)
                                           : json(nullptr)}};
            if (const auto it = g.cursor_lag_s.find(stream); it != g.cursor_lag_s.end()) {
                st["lag_s"] = it->second;
            }
            if (const auto it = account_runs.find(stream); it != account_runs.end()) {
                st["runs"] = it->second.counters.runs;
                st["failed"] = it->second.counters.failed;
            }
            streams.push_back(std::move(st));
        }
        if (const auto it = account_runs.find("offers"); it != account_runs.end()) {
            streams.push_back({{"stream", "offers"},
                               {"last_run_at", it->second.last_run_at},
                               {"last_outcome", it->second.last_ok ? "ok" : "failed"},
                               {"runs", it->second.counters.runs},
                               {"failed", it->second.counters.failed},
                               {"next_run_at", next_run(it->second.last_run_at, in.schedule.offers_interval_s)}});
        }
        json alerts = json::array();
        for (const AlertRow& r : in.active) {
            if (r.account == name) {
                alerts.push_back(alert_json(r));
            }
        }
        AccountStatus with_api = a;
        for (const ClientMetrics& c : in.clients) {
            if (c.account == name) {
                with_api.api = c;
            }
        }
        json entry = account_status_json(with_api);
        // "refused" when eMAG answered 401/403 over the last 5 minutes: the
        // credentials are configured but wrong, or this IP is not whitelisted.
        if (entry["credentials"] == "ok") {
            std::int64_t refused = 0;
            for (const char* group : {"orders", "other"}) {
                const json::json_pointer auth("/5m/" + std::string(group) + "/errors_by_kind/auth");
                refused +=
                    rates.contains(auth) && rates[auth].is_number_integer() ? rates[auth].get<std::int64_t>() : 0;
            }
            if (refused > 0) {
                entry["credentials"] = "refused";
            }
        }
        entry["health"] = health_object(h);
        entry["streams"] = std::move(streams);
        entry["rates"] = rates;
        entry["alerts"] = std::move(alerts);
        entry["quarantine"] = {{"orders", g.quarantined_orders}, {"offers", g.quarantined_offers}};
        entry["dead_letter"] = g.dead_letter;
        status_accounts.push_back(std::move(entry));
        window_accounts.push_back({{"account", name}, {"health", h.score}, {"windows", rates}});
        out.snapshots.push_back(
            {name, in.now_iso, h.score,
             json{{"windows", rates},
                  {"quarantine", {{"orders", g.quarantined_orders}, {"offers", g.quarantined_offers}}},
                  {"dead_letter", g.dead_letter},
                  {"cursor_lag_s", g.cursor_lag_s}}
                 .dump()});
    }
    for (const AlertRow& r : in.active) {
        add_series(series, "emag_alert_active", "gauge", "One series per active alert; the value is always 1",
                   {{"account", r.account}, {"rule", r.rule}, {"subject", r.subject}, {"severity", r.severity}}, 1);
    }
    add_series(series, "emag_alerts_active", "gauge", "Active alerts", json::object(),
               static_cast<double>(in.active.size()));
    const int overall = overall_score(scores, in.backup);
    add_series(series, "emag_health_score", "gauge", "Health score 0-100 (docs/monitoring.md)", json::object(),
               overall);
    if (in.webhook) {
        const WebhookStats& w = *in.webhook;
        for (const auto& [outcome, n] : {std::pair<const char*, std::uint64_t>{"delivered", w.delivered},
                                         {"attempt_failed", w.attempts_failed},
                                         {"given_up", w.given_up},
                                         {"dropped", w.dropped}}) {
            add_series(series, "emag_webhook_deliveries_total", "counter", "Alert webhook deliveries by outcome",
                       {{"outcome", outcome}}, static_cast<double>(n));
        }
    }

    json backup_json = nullptr;
    if (in.backup) {
        backup_json = {{"ok", in.backup->ok},
                       {"at", in.last_backup_at},
                       {"message", in.backup->message},
                       {"next_run_at", next_run(in.last_backup_at, in.schedule.backup_interval_s)}};
    }
    json all_alerts = json::array();
    for (const AlertRow& r : in.active) {
        if (r.account == "*") {
            all_alerts.push_back(alert_json(r));
        }
    }
    const json status = {{"plugin", "emag"},
                         {"version", in.version},
                         {"generated_at", in.now_iso},
                         {"health", {{"score", overall}, {"status", health_status(overall)}}},
                         {"alerts_active", in.active.size()},
                         {"plugin_alerts", all_alerts},
                         {"backup", backup_json},
                         {"accounts", status_accounts}};
    out.health = emag::health_json(scores, in.backup);
    out.status = status.dump(-1, ' ', false, json::error_handler_t::replace);
    out.windows = json{{"generated_at", in.now_iso}, {"accounts", window_accounts}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
    return out;
}

} // namespace erp::emag
