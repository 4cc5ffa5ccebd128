#include "monitor/monitor_routes.hpp"

#include "monitor/monitor_service.hpp"
#include "routes/route_helpers.hpp"
#include "store/monitor_store.hpp"
#include "store/timestamp.hpp"

#include <nlohmann/json.hpp>

namespace erp::emag {

using erp::plugin::Request;
using erp::plugin::Response;
using nlohmann::json;

namespace {

std::shared_ptr<MonitorService> running(const std::function<std::shared_ptr<MonitorService>()>& monitor) {
    return require_running<MonitorService>(monitor, "the eMAG plugin (with at least one account)");
}

std::optional<std::string> text_param(const Request& req, const char* name, std::size_t max) {
    auto v = req.query_param(name);
    if (!v || v->empty()) {
        return std::nullopt;
    }
    if (v->size() > max) {
        throw bad_request(std::string(name) + " is longer than " + std::to_string(max) + " characters");
    }
    return v;
}

} // namespace

void register_monitor_routes(erp::plugin::Registrations& reg, std::function<std::shared_ptr<MonitorService>()> monitor,
                             std::function<std::string()> fallback_status) {
    reg.add_route("GET", "/api/status", 0, [monitor, fallback_status](const Request&, Response& resp) {
        guarded(resp, [&] {
            const auto m = monitor();
            std::string body = m ? m->status_json() : std::string();
            resp.json(body.empty() ? fallback_status() : body);
        });
    });
    reg.add_route("GET", "/api/metrics", 0, [monitor](const Request&, Response& resp) {
        guarded(resp, [&] { resp.json(running(monitor)->windows_json()); });
    });
    reg.add_route("GET", "/api/metrics/history", ERP_ROUTE_ADMIN, [monitor](const Request& req, Response& resp) {
        guarded(resp, [&] {
            const auto m = running(monitor);
            const auto account = text_param(req, "account", 64);
            if (!account) {
                throw bad_request("account=NAME is required");
            }
            std::string since = "0000-01-01T00:00:00Z";
            if (const auto s = text_param(req, "since", 32)) {
                if (!parse_iso8601_utc(*s)) {
                    throw bad_request("since must be a UTC time like 2026-11-30T08:00:00Z");
                }
                since = *s;
            }
            const std::int64_t limit = number_param(req, "limit", 100, 1, 10000);
            json rows = json::array();
            for (const MetricSnapshot& s : m->store().snapshots(*account, since, limit)) {
                rows.push_back({{"account", s.account},
                                {"taken_at", s.taken_at},
                                {"health", s.health},
                                {"figures", json::parse(s.figures_json, nullptr, false)}});
            }
            send(resp, 200, json{{"snapshots", rows}});
        });
    });
    reg.add_route("GET", "/api/alerts", ERP_ROUTE_ADMIN, [monitor](const Request& req, Response& resp) {
        guarded(resp, [&] {
            const auto m = running(monitor);
            AlertFilter f;
            f.account = text_param(req, "account", 64);
            f.rule = text_param(req, "rule", 64);
            f.state = text_param(req, "state", 16);
            if (f.state && *f.state != "active" && *f.state != "cleared") {
                throw bad_request("state must be active or cleared");
            }
            f.limit = number_param(req, "limit", 100, 1, 1000);
            f.before_id = number_param(req, "before", 0, 0, 1000000000000000LL);
            json rows = json::array();
            for (const AlertRow& a : m->store().alerts(f)) {
                rows.push_back(alert_json(a));
            }
            send(resp, 200, json{{"alerts", rows}});
        });
    });
}

} // namespace erp::emag
