#include "monitor/api_metrics.hpp"

namespace erp::emag {

using nlohmann::json;

namespace {

constexpr ErrorKind kKinds[] = {ErrorKind::auth, ErrorKind::rate_limited, ErrorKind::validation, ErrorKind::transient,
                                ErrorKind::protocol};

void add(json& out, const char* name, const char* type, const char* help, json labels, double value) {
    out.push_back({{"name", name}, {"type", type}, {"help", help}, {"labels", std::move(labels)}, {"value", value}});
}

double ratio(unsigned used, unsigned limit) {
    return limit == 0 ? 0.0 : static_cast<double>(used) / limit;
}

} // namespace

void append_api_metrics(const std::vector<ClientMetrics>& clients, json& out) {
    for (const auto& c : clients) {
        for (const auto& g : c.groups) {
            const json labels = {{"account", c.account}, {"group", group_name(g.group)}};
            add(out, "emag_api_calls_total", "counter", "eMAG API calls submitted (one call may take several attempts)",
                labels, static_cast<double>(g.calls));
            add(out, "emag_api_calls_failed_total", "counter", "eMAG API calls that ended in an error after retries",
                labels, static_cast<double>(g.calls_failed));
            add(out, "emag_api_requests_total", "counter", "HTTP requests sent to eMAG, retries included", labels,
                static_cast<double>(g.attempts));
            add(out, "emag_api_retries_total", "counter", "Retries of transient errors and 429s", labels,
                static_cast<double>(g.retries));
            for (ErrorKind k : kKinds) {
                json l = labels;
                l["kind"] = error_kind_name(k);
                add(out, "emag_api_errors_total", "counter", "Failed eMAG requests by error kind", l,
                    static_cast<double>(g.errors_of(k)));
            }
            add(out, "emag_api_latency_seconds_sum", "counter", "Total time of answered eMAG requests", labels,
                g.latency_ms_sum / 1000.0);
            add(out, "emag_api_latency_seconds_count", "counter", "eMAG requests whose time was measured", labels,
                static_cast<double>(g.latency_count));
            add(out, "emag_api_latency_p95_seconds", "gauge",
                "95th percentile of eMAG request time since start (histogram bucket bound)", labels,
                g.latency_quantile_ms(0.95) / 1000.0);
            add(out, "emag_api_rate_limit_waits_total", "counter", "Requests that waited for their rate-limit slot",
                labels, static_cast<double>(g.rate_waits));
            add(out, "emag_api_rate_limit_wait_seconds_total", "counter", "Time requests spent waiting for rate slots",
                labels, g.rate_wait_ms_sum / 1000.0);
            json l1 = labels;
            l1["window"] = "1s";
            add(out, "emag_api_rate_limit_usage_ratio", "gauge", "Share of eMAG's rate limit used in the last window",
                l1, ratio(g.used_last_second, g.limits.per_second));
            json l60 = labels;
            l60["window"] = "60s";
            add(out, "emag_api_rate_limit_usage_ratio", "gauge", "Share of eMAG's rate limit used in the last window",
                l60, ratio(g.used_last_minute, g.limits.per_minute));
            add(out, "emag_api_in_flight", "gauge", "eMAG requests waiting for a rate slot or an answer", labels,
                g.in_flight);
            add(out, "emag_api_queued", "gauge", "eMAG calls waiting for an in-flight place", labels, g.queued);
        }
    }
}

json api_status_json(const ClientMetrics& client) {
    json out = json::object();
    for (const auto& g : client.groups) {
        json errors = json::object();
        for (ErrorKind k : kKinds) {
            errors[error_kind_name(k)] = g.errors_of(k);
        }
        out[group_name(g.group)] = {
            {"calls", g.calls},
            {"calls_failed", g.calls_failed},
            {"requests", g.attempts},
            {"retries", g.retries},
            {"errors", errors},
            {"latency_ms_avg", g.latency_count == 0 ? 0.0 : g.latency_ms_sum / static_cast<double>(g.latency_count)},
            {"latency_ms_p95", g.latency_quantile_ms(0.95)},
            {"rate_limit",
             {{"per_second", g.limits.per_second},
              {"per_minute", g.limits.per_minute},
              {"used_last_second", g.used_last_second},
              {"used_last_minute", g.used_last_minute},
              {"waits", g.rate_waits}}},
            {"in_flight", g.in_flight},
            {"queued", g.queued}};
    }
    return out;
}

} // namespace erp::emag
