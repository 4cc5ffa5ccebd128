#include "router.hpp"

#include "host_app.hpp"
#include "metrics_format.hpp"
#include "sinks.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

namespace erp::host {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < path.size()) {
        while (pos < path.size() && path[pos] == '/') {
            ++pos;
        }
        if (pos >= path.size()) {
            break;
        }
        const size_t next = path.find('/', pos);
        out.push_back(path.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
        pos = next == std::string::npos ? path.size() : next;
    }
    return out;
}

bool is_read_method(const std::string& m) {
    return m == "GET" || m == "HEAD";
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Calls a plugin monitor's collect/health across the ABI.
std::optional<std::string> call_monitor(decltype(MonitorReg::health) fn, void* user, std::string& error_out) {
    if (fn == nullptr) {
        return std::nullopt;
    }
    BufferSink out(4 * 1024 * 1024);
    BufferSink error(64 * 1024);
    erp_status st = ERP_E_INTERNAL;
    try {
        st = fn(user, out.get(), error.get());
    } catch (...) {
        error_out = "an exception escaped the monitor callback";
        return std::nullopt;
    }
    if (st != ERP_OK) {
        error_out = describe_plugin_error(st, error.str());
        return std::nullopt;
    }
    return out.take();
}

bool constant_time_equal(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

// The erp_http_response a plugin handler fills.
struct ResponseBuilder {
    HttpResponse resp;
    BufferSink body{64 * 1024 * 1024};
    erp_http_response table{};

    ResponseBuilder() {
        table.struct_size = sizeof(erp_http_response);
        table.ctx = this;
        table.set_status = [](void* ctx, uint32_t status) {
            if (ctx != nullptr && status >= 100 && status <= 599) {
                static_cast<ResponseBuilder*>(ctx)->resp.status = status;
            }
        };
        table.set_header = [](void* ctx, const char* name, const char* value) {
            if (ctx == nullptr || name == nullptr || value == nullptr) {
                return;
            }
            try {
                auto* self = static_cast<ResponseBuilder*>(ctx);
                std::string n(name);
                std::string v(value);
                // No header injection: CR/LF never reach the wire.
                if (n.find_first_of("\r\n:") != std::string::npos || v.find_first_of("\r\n") != std::string::npos) {
                    return;
                }
                for (auto& c : n) {
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                }
                if (n == "content-type") {
                    self->resp.content_type = v;
                    return;
                }
                for (auto& h : self->resp.headers) {
                    if (h.first == n) {
                        h.second = v;
                        return;
                    }
                }
                self->resp.headers.emplace_back(n, v);
            } catch (...) {
            }
        };
        table.body = body.get();
    }
};

} // namespace

bool match_route(const std::vector<std::string>& pattern_segments, const std::string& path,
                 std::map<std::string, std::string>& params) {
    const auto parts = split_path(path);
    if (parts.size() != pattern_segments.size()) {
        return false;
    }
    std::map<std::string, std::string> found;
    for (size_t i = 0; i < parts.size(); ++i) {
        const auto& seg = pattern_segments[i];
        if (!seg.empty() && seg.front() == '{') {
            found[seg.substr(1, seg.size() - 2)] = parts[i];
        } else if (seg != parts[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

std::string content_type_for(const fs::path& p) {
    static const std::map<std::string, std::string> types{
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
        {".wasm", "application/wasm"},
    };
    const auto it = types.find(p.extension().string());
    return it == types.end() ? "application/octet-stream" : it->second;
}

std::optional<HttpResponse> serve_static(const fs::path& root, const std::string& rel, bool head) {
    for (const auto& part : split_path(rel)) {
        if (part == ".." || part == "." || part.find('\\') != std::string::npos ||
            part.find('\0') != std::string::npos) {
            return std::nullopt;
        }
    }
    std::error_code ec;
    fs::path target = root / fs::path(rel.empty() || rel == "/" ? "" : rel.substr(rel.front() == '/' ? 1 : 0));
    if (fs::is_directory(target, ec)) {
        target /= "index.html";
    }
    const fs::path canon = fs::weakly_canonical(target, ec);
    if (ec) {
        return std::nullopt;
    }
    // Symlinks must not lead outside the root either.
    const auto [root_end, _] = std::mismatch(root.begin(), root.end(), canon.begin(), canon.end());
    if (root_end != root.end() || !fs::is_regular_file(canon, ec)) {
        return std::nullopt;
    }
    std::ifstream in(canon, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    HttpResponse r;
    r.content_type = content_type_for(canon);
    if (!head) {
        std::ostringstream os;
        os << in.rdbuf();
        r.body = os.str();
    }
    r.headers.emplace_back("cache-control", "no-cache");
    return r;
}

bool Router::authorized(const HttpRequest& req) const {
    const std::string& token = app_.config().admin_token;
    if (token.empty()) {
        return false;
    }
    const auto it = req.headers.find("authorization");
    return it != req.headers.end() && constant_time_equal(it->second, "Bearer " + token);
}

HttpResponse Router::unauthorized() const {
    if (app_.config().admin_token.empty()) {
        return HttpResponse::error(403, "admin_token_not_configured",
                                   "this route needs the admin token, and none is configured on this host "
                                   "(set [host] admin_token_env or admin_token_file)");
    }
    auto r = HttpResponse::error(401, "unauthorized", "send 'Authorization: Bearer <admin token>'");
    r.headers.emplace_back("www-authenticate", "Bearer");
    return r;
}

HttpResponse Router::handle(const HttpRequest& req) const {
    const std::string& path = req.path;
    const bool read = is_read_method(req.method);
    if (path == "/health" && read) {
        return health();
    }
    if (path == "/metrics" && read) {
        return metrics();
    }
    if (path == "/api/plugins" && read) {
        return plugins();
    }
    if (path == "/api/jobs" && read) {
        return jobs();
    }
    const auto parts = split_path(path);
    if (parts.size() == 4 && parts[0] == "api" && parts[1] == "jobs" && parts[3] == "run") {
        if (req.method != "POST") {
            auto r = HttpResponse::error(405, "method_not_allowed", "use POST");
            r.headers.emplace_back("allow", "POST");
            return r;
        }
        return authorized(req) ? run_job(parts[2], req) : unauthorized();
    }
    if (parts.size() == 3 && parts[0] == "api" && parts[1] == "validate") {
        if (req.method != "POST") {
            auto r = HttpResponse::error(405, "method_not_allowed", "use POST");
            r.headers.emplace_back("allow", "POST");
            return r;
        }
        return authorized(req) ? validate(parts[2], req) : unauthorized();
    }
    if (parts.size() >= 2 && parts[0] == "plugins") {
        const std::string prefix = "/plugins/" + parts[1];
        std::string rest = path.substr(prefix.size());
        if (rest.empty() && read) {
            // A plugin's pages use URLs relative to /plugins/<id>/: without
            // the slash they would resolve one level too high.
            HttpResponse r = HttpResponse::error(301, "moved", "the plugin's pages are at " + prefix + "/");
            r.headers.emplace_back("location", prefix + "/" + (req.query.empty() ? "" : "?" + req.query));
            return r;
        }
        if (rest.empty()) {
            rest = "/";
        }
        return plugin_request(parts[1], rest, req);
    }
    if (parts.size() == 1 && parts[0] == "plugins") {
        return plugins();
    }
    if (path == "/" && read) {
        return HttpResponse::json(
            200,
            dump(json{{"service", "erp-host"},
                      {"endpoints", {"/health", "/metrics", "/api/plugins", "/api/jobs", "/ws", "/plugins/<id>/"}}}));
    }
    return HttpResponse::error(404, "not_found", "no route for " + req.method + " " + path);
}

HttpResponse Router::health() const {
    json plugins = json::array();
    std::string overall = "ok";
    size_t running = 0;
    auto worsen = [&overall](const std::string& s) {
        if (s == "down") {
            overall = "down";
        } else if (s == "degraded" && overall == "ok") {
            overall = "degraded";
        }
    };
    for (const auto& p : app_.plugins()) {
        json entry{{"id", p.id}};
        if (!p.failed_step.empty() || !p.instance) {
            entry["state"] = "failed";
            entry["step"] = p.failed_step;
            entry["error"] = p.error;
            worsen("degraded");
            plugins.push_back(std::move(entry));
            continue;
        }
        entry["state"] = to_string(p.instance->state());
        entry["version"] = p.instance->manifest().version;
        if (p.instance->state() == PluginState::running) {
            ++running;
            for (const auto& m : p.instance->registrations().monitors) {
                std::string err;
                const auto out = call_monitor(m.health, m.user, err);
                if (!out) {
                    if (!err.empty()) {
                        entry["health_errors"].push_back(m.id + ": " + err);
                        worsen("degraded");
                    }
                    continue;
                }
                const auto h = json::parse(*out, nullptr, false);
                if (!h.is_object()) {
                    entry["health_errors"].push_back(m.id + ": health output is not a JSON object");
                    worsen("degraded");
                    continue;
                }
                entry["health"][m.id] = h;
                worsen(h.value("status", "ok"));
            }
        }
        plugins.push_back(std::move(entry));
    }
    if (running == 0 && !app_.plugins().empty()) {
        overall = "down";
    }
    const auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - app_.started_at()).count();
    json body{{"status", overall},
              {"host",
               {{"abi_version", std::to_string(ERP_ABI_VERSION_MAJOR) + "." + std::to_string(ERP_ABI_VERSION_MINOR)},
                {"uptime_s", uptime}}},
              {"plugins", plugins}};
    return HttpResponse::json(overall == "down" ? 503 : 200, dump(body));
}

HttpResponse Router::metrics() const {
    std::vector<MetricSample> samples;
    samples.push_back({"erp_host_up", "gauge", "1 while erp-host serves", {}, 1});
    std::map<std::string, double> by_state;
    for (const auto& p : app_.plugins()) {
        by_state[p.instance && p.failed_step.empty() ? to_string(p.instance->state()) : "failed"] += 1;
    }
    for (const auto& [state, n] : by_state) {
        samples.push_back({"erp_host_plugins", "gauge", "Enabled plugins by state", {{"state", state}}, n});
    }
    for (const auto& s : app_.scheduler().status()) {
        samples.push_back(
            {"erp_host_job_runs_total", "counter", "Finished job runs", {{"job", s.id}}, static_cast<double>(s.runs)});
        samples.push_back({"erp_host_job_failures_total",
                           "counter",
                           "Job runs that failed",
                           {{"job", s.id}},
                           static_cast<double>(s.failures)});
        samples.push_back({"erp_host_job_skipped_total",
                           "counter",
                           "Due job runs skipped because the previous run was still going",
                           {{"job", s.id}},
                           static_cast<double>(s.skipped)});
        samples.push_back(
            {"erp_host_job_running", "gauge", "1 while the job runs", {{"job", s.id}}, s.running ? 1.0 : 0.0});
    }
    for (const auto& p : app_.plugins()) {
        if (!p.instance || p.instance->state() != PluginState::running) {
            continue;
        }
        for (const auto& m : p.instance->registrations().monitors) {
            std::string err;
            const auto out = call_monitor(m.collect, m.user, err);
            std::vector<std::string> problems;
            if (out) {
                auto parsed = parse_monitor_metrics(p.id, *out, problems);
                samples.insert(samples.end(), std::make_move_iterator(parsed.begin()),
                               std::make_move_iterator(parsed.end()));
            } else if (!err.empty()) {
                problems.push_back(err);
            }
            for (const auto& pr : problems) {
                spdlog::warn("plugin '{}': monitor {}: {}", p.id, m.id, pr);
            }
            samples.push_back({"erp_host_monitor_problems",
                               "gauge",
                               "Problems in the last metrics collection of a monitoring hook",
                               {{"monitor", m.id}},
                               static_cast<double>(problems.size())});
        }
    }
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = format_prometheus(samples);
    return r;
}

HttpResponse Router::plugins() const {
    json list = json::array();
    for (const auto& p : app_.plugins()) {
        json e{{"id", p.id}};
        if (!p.instance || !p.failed_step.empty()) {
            e["state"] = "failed";
            e["step"] = p.failed_step;
            e["error"] = p.error;
            list.push_back(std::move(e));
            continue;
        }
        const auto& m = p.instance->manifest();
        const auto& r = p.instance->registrations();
        e["state"] = to_string(p.instance->state());
        e["name"] = m.name;
        e["version"] = m.version;
        e["description"] = m.description;
        e["abi_version"] = m.abi_string();
        e["build_info"] = p.instance->build_info();
        e["capabilities"] = m.capabilities;
        e["jobs"] = json::array();
        for (const auto& j : r.jobs) {
            e["jobs"].push_back({{"id", j.id},
                                 {"description", j.description},
                                 {"interval_seconds", j.interval_seconds},
                                 {"jitter_seconds", j.jitter_seconds}});
        }
        e["routes"] = json::array();
        for (const auto& rt : r.routes) {
            e["routes"].push_back({{"method", rt.method},
                                   {"path", "/plugins/" + p.id + rt.pattern},
                                   {"admin", !is_read_method(rt.method) || (rt.flags & ERP_ROUTE_ADMIN) != 0}});
        }
        e["validators"] = json::array();
        for (const auto& v : r.validators) {
            e["validators"].push_back(v.kind);
        }
        e["monitors"] = json::array();
        for (const auto& mo : r.monitors) {
            e["monitors"].push_back(mo.id);
        }
        e["db_mappings"] = json::array();
        for (const auto& mi : r.migrations) {
            e["db_mappings"].push_back({{"version", mi.version}, {"description", mi.description}});
        }
        e["static"] = json::array();
        for (const auto& s : r.statics) {
            e["static"].push_back("/plugins/" + p.id + (s.url_prefix == "/" ? "/" : s.url_prefix + "/"));
        }
        list.push_back(std::move(e));
    }
    return HttpResponse::json(200, dump(json{{"plugins", list}}));
}

HttpResponse Router::jobs() const {
    json list = json::array();
    auto epoch_ms = [](const std::optional<std::chrono::system_clock::time_point>& t) -> json {
        if (!t) {
            return nullptr;
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
        return ms;
    };
    for (const auto& s : app_.scheduler().status()) {
        list.push_back({{"id", s.id},
                        {"running", s.running},
                        {"runs", s.runs},
                        {"failures", s.failures},
                        {"skipped", s.skipped},
                        {"last_start_ms", epoch_ms(s.last_start)},
                        {"last_end_ms", epoch_ms(s.last_end)},
                        {"next_run_ms", epoch_ms(s.next_run)},
                        {"last_error", s.last_error}});
    }
    return HttpResponse::json(200, dump(json{{"jobs", list}}));
}

HttpResponse Router::run_job(const std::string& job_id, const HttpRequest& req) const {
    std::string params = req.body.empty() ? "{}" : req.body;
    const auto p = json::parse(params, nullptr, false);
    if (!p.is_object()) {
        return HttpResponse::error(400, "bad_params", "the body must be a JSON object of job parameters");
    }
    // trigger() is const-safe: the scheduler is internally synchronized.
    auto& sched = const_cast<HostApp&>(app_).scheduler();
    switch (sched.trigger(job_id, params)) {
    case Scheduler::Trigger::started:
        return HttpResponse::json(202, dump(json{{"job", job_id}, {"result", "started"}}));
    case Scheduler::Trigger::already_running:
        return HttpResponse::error(409, "already_running", "job '" + job_id + "' is already running");
    case Scheduler::Trigger::unknown_job:
        return HttpResponse::error(404, "unknown_job", "no running plugin registered a job '" + job_id + "'");
    case Scheduler::Trigger::stopped:
        return HttpResponse::error(503, "stopping", "the host is stopping");
    }
    return HttpResponse::error(500, "internal", "unknown trigger result");
}

HttpResponse Router::validate(const std::string& kind, const HttpRequest& req) const {
    // Validators are promised JSON text; malformed input is refused here with
    // the parser's position, before any plugin sees it.
    try {
        [[maybe_unused]] const auto parsed = json::parse(req.body);
    } catch (const json::parse_error& e) {
        return HttpResponse::error(400, "malformed_json",
                                   std::string("the request body is not valid JSON: ") + e.what());
    }
    for (const auto& p : app_.plugins()) {
        if (!p.instance || p.instance->state() != PluginState::running) {
            continue;
        }
        for (const auto& v : p.instance->registrations().validators) {
            if (v.kind != kind) {
                continue;
            }
            BufferSink problems(16 * 1024 * 1024);
            BufferSink error(64 * 1024);
            erp_status st = ERP_E_INTERNAL;
            try {
                st = v.validate(v.user, req.body.data(), req.body.size(), problems.get(), error.get());
            } catch (...) {
                return HttpResponse::error(500, "plugin_error", "an exception escaped validator " + kind);
            }
            if (st != ERP_OK) {
                return HttpResponse::error(st == ERP_E_INVALID_ARGUMENT ? 400 : 500, "validation_failed",
                                           describe_plugin_error(st, error.str()));
            }
            const auto list = json::parse(problems.str(), nullptr, false);
            if (!list.is_array()) {
                return HttpResponse::error(500, "plugin_error", "validator " + kind + " wrote no JSON array");
            }
            return HttpResponse::json(200, dump(json{{"kind", kind}, {"valid", list.empty()}, {"problems", list}}));
        }
    }
    return HttpResponse::error(404, "unknown_validator", "no running plugin registered validator '" + kind + "'");
}

HttpResponse Router::plugin_request(const std::string& plugin_id, const std::string& rest,
                                    const HttpRequest& req) const {
    const PluginInstance* plugin = app_.running_plugin(plugin_id);
    if (plugin == nullptr) {
        for (const auto& p : app_.plugins()) {
            if (p.id == plugin_id) {
                return HttpResponse::error(503, "plugin_unavailable",
                                           p.error.empty() ? "plugin '" + plugin_id + "' is not running" : p.error);
            }
        }
        return HttpResponse::error(404, "unknown_plugin", "no plugin '" + plugin_id + "' is enabled");
    }
    const auto& regs = plugin->registrations();
    const std::string match_method = req.method == "HEAD" ? "GET" : req.method;
    std::vector<std::string> allowed;
    for (const auto& r : regs.routes) {
        std::map<std::string, std::string> params;
        if (!match_route(r.segments, rest, params)) {
            continue;
        }
        if (r.method != match_method) {
            allowed.push_back(r.method);
            continue;
        }
        if ((!is_read_method(req.method) || (r.flags & ERP_ROUTE_ADMIN) != 0) && !authorized(req)) {
            return unauthorized();
        }
        json headers = json::object();
        for (const auto& [k, v] : req.headers) {
            if (k != "authorization" && k != "cookie") {
                headers[k] = v;
            }
        }
        const std::string params_json = dump(json(params));
        const std::string headers_json = dump(headers);
        erp_http_request creq{};
        creq.struct_size = sizeof(erp_http_request);
        creq.method = req.method.c_str();
        creq.path = rest.c_str();
        creq.query = req.query.c_str();
        creq.params_json = params_json.c_str();
        creq.headers_json = headers_json.c_str();
        creq.body = req.body.data();
        creq.body_len = req.body.size();
        ResponseBuilder rb;
        BufferSink error(64 * 1024);
        erp_status st = ERP_E_INTERNAL;
        try {
            st = r.handle(r.user, &creq, &rb.table, error.get());
        } catch (...) {
            return HttpResponse::error(500, "plugin_error",
                                       "an exception escaped the handler of " + r.method + " " + r.pattern);
        }
        if (st != ERP_OK) {
            spdlog::warn("plugin '{}': {} {}: {}", plugin_id, req.method, rest, describe_plugin_error(st, error.str()));
            return HttpResponse::error(500, "plugin_error", describe_plugin_error(st, error.str()));
        }
        rb.resp.body = req.method == "HEAD" ? std::string() : rb.body.take();
        return std::move(rb.resp);
    }
    if (is_read_method(req.method)) {
        // Longest static prefix first.
        const StaticReg* best = nullptr;
        for (const auto& s : regs.statics) {
            const bool hit = s.url_prefix == "/" || rest == s.url_prefix || rest.rfind(s.url_prefix + "/", 0) == 0;
            if (hit && (best == nullptr || s.url_prefix.size() > best->url_prefix.size())) {
                best = &s;
            }
        }
        if (best != nullptr) {
            const std::string rel = best->url_prefix == "/" ? rest : rest.substr(best->url_prefix.size());
            if (auto r = serve_static(best->directory, rel, req.method == "HEAD")) {
                return std::move(*r);
            }
        }
    }
    if (!allowed.empty()) {
        std::string allow;
        for (const auto& a : allowed) {
            allow += (allow.empty() ? "" : ", ") + a;
        }
        auto r = HttpResponse::error(405, "method_not_allowed", req.method + " is not allowed here; use " + allow);
        r.headers.emplace_back("allow", allow);
        return r;
    }
    return HttpResponse::error(404, "not_found",
                               "plugin '" + plugin_id + "' has no route for " + req.method + " " + rest);
}

} // namespace erp::host
