#include "control_routes.hpp"

#include "form_decode.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <map>

namespace emag::sandbox {

namespace {

using json = nlohmann::json;

// Route and counts can hold client bytes (account names from a query):
// never throw on invalid UTF-8.
std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

SandboxResponse reply(unsigned status, const json& body) {
    SandboxResponse r;
    r.status = status;
    r.body = dump(body);
    return r;
}

SandboxResponse error(unsigned status, const std::string& message) {
    return reply(status, {{"error", message}});
}

std::map<std::string, std::string> parse_query(const std::string& query) {
    std::map<std::string, std::string> out;
    std::size_t start = 0;
    while (start < query.size()) {
        auto end = query.find('&', start);
        if (end == std::string::npos)
            end = query.size();
        const auto pair = query.substr(start, end - start);
        start = end + 1;
        const auto eq = pair.find('=');
        std::string key, value;
        if (form_unescape(pair.substr(0, eq), key) &&
            form_unescape(eq == std::string::npos ? "" : pair.substr(eq + 1), value))
            out[key] = value;
    }
    return out;
}

bool parse_count(const std::map<std::string, std::string>& q, const std::string& key, uint64_t max, uint64_t& out) {
    out = 0;
    const auto it = q.find(key);
    if (it == q.end())
        return true;
    const auto& s = it->second;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out <= max;
}

// The account a control request names (or the only one).
Marketplace* pick_market(SandboxState& state, const std::map<std::string, std::string>& q, std::string& name,
                         SandboxResponse& failure) {
    const auto it = q.find("account");
    if (it == q.end()) {
        if (state.accounts.size() == 1) {
            name = state.accounts.front().name;
            return state.markets.at(name).get();
        }
        failure = error(400, "several accounts: name one with ?account=NAME");
        return nullptr;
    }
    name = it->second;
    const auto m = state.markets.find(name);
    if (m == state.markets.end()) {
        failure = error(404, "unknown account '" + name + "'");
        return nullptr;
    }
    return m->second.get();
}

json stats_json(SandboxState& state) {
    json accounts = json::object();
    for (const auto& a : state.accounts)
        for (const char* g : {"orders", "other"})
            accounts[a.name][g] = {{"requests", 0}, {"rate_limited", 0}};
    for (const auto& [account, groups] : state.limiter->stats())
        for (const auto& [g, s] : groups)
            accounts[account][g] = {{"requests", s.admitted + s.rejected}, {"rate_limited", s.rejected}};
    json faults = json::object();
    {
        std::lock_guard lock(state.fault_mu);
        for (const auto& [kind, n] : state.faults_injected)
            faults[kind] = n;
    }
    return {{"accounts", std::move(accounts)},
            {"unauthorized", state.unauthorized.load()},
            {"faults", std::move(faults)},
            {"mutation", state.mutator->stats()}};
}

} // namespace

SandboxResponse handle_control(SandboxState& state, const SandboxRequest& req) {
    if (!req.loopback_peer)
        return error(403, "the /_sandbox routes answer loopback clients only");
    const auto q = parse_query(req.query);
    const std::string& p = req.path;
    const bool get = req.method == "GET";
    const bool post = req.method == "POST";

    if (p == "/_sandbox/health" && get)
        return reply(200, {{"status", "ok"}});

    if (p == "/_sandbox/accounts" && get) {
        json out = json::array();
        for (const auto& a : state.accounts) {
            const auto& m = *state.markets.at(a.name);
            out.push_back({{"name", a.name},
                           {"user", a.user},
                           {"platform", a.platform},
                           {"orders", m.order_count()},
                           {"offers", m.offer_count()}});
        }
        return reply(200, out);
    }

    if ((p == "/_sandbox/orders" || p == "/_sandbox/offers") && get) {
        std::string name;
        SandboxResponse failure;
        auto* market = pick_market(state, q, name, failure);
        if (!market)
            return failure;
        SandboxResponse r;
        r.body = p == "/_sandbox/orders" ? market->orders_json() : market->offers_json();
        return r;
    }

    if (p == "/_sandbox/offer-updates" && get) {
        std::string name;
        SandboxResponse failure;
        auto* market = pick_market(state, q, name, failure);
        if (!market)
            return failure;
        uint64_t since = 0;
        if (!parse_count(q, "since", UINT64_MAX, since))
            return error(400, "since must be a sequence number");
        SandboxResponse r;
        r.body = market->offer_updates_json(since);
        return r;
    }

    if (p == "/_sandbox/requests" && get) {
        uint64_t since = 0;
        if (!parse_count(q, "since", UINT64_MAX, since))
            return error(400, "since must be a sequence number");
        return reply(200, state.log->since(since));
    }

    if (p == "/_sandbox/stats" && get)
        return reply(200, stats_json(state));

    if (p == "/_sandbox/mutation/pause" && post) {
        state.mutator->pause();
        return reply(200, {{"paused", true}});
    }
    if (p == "/_sandbox/mutation/resume" && post) {
        state.mutator->resume();
        return reply(200, {{"paused", false}});
    }

    // Body {"faults": ["ROUTE_GLOB:KIND:FRACTION", ...], "latency_ms": N,
    // "jitter_ms": N}: replaces the fault rules and latency from now on.
    if (p == "/_sandbox/faults" && post) {
        const json body = json::parse(req.body, nullptr, false);
        if (!body.is_object())
            return error(400, "the body must be a JSON object {\"faults\": [...], \"latency_ms\": N}");
        std::vector<FaultRule> rules;
        try {
            for (const auto& f : body.value("faults", json::array()))
                rules.push_back(parse_fault_rule(f.get<std::string>()));
        } catch (const std::exception& e) {
            return error(400, e.what());
        }
        const auto ms = [&](const char* key) {
            const json& v = body.contains(key) ? body[key] : json(0);
            return std::chrono::milliseconds(v.is_number_unsigned() ? v.get<std::int64_t>() : 0);
        };
        const std::size_t n = rules.size();
        state.faults->reconfigure(std::move(rules), ms("latency_ms"), ms("jitter_ms"));
        return reply(200, {{"rules", n}, {"latency_ms", ms("latency_ms").count()}});
    }

    if (p == "/_sandbox/mutate" && post) {
        std::string name;
        SandboxResponse failure;
        if (!pick_market(state, q, name, failure))
            return failure;
        uint64_t changes = 0, creations = 0;
        // Bounded so one call cannot stall the server for long.
        if (!parse_count(q, "changes", 100000, changes) || !parse_count(q, "creations", 100000, creations))
            return error(400, "changes and creations must be integers in 0..100000");
        const auto report = state.mutator->step(name, changes, creations);
        return reply(200, {{"account", name}, {"created", report.created}, {"changed", report.changed}});
    }

    return error(404, "unknown sandbox route " + req.method + " " + p);
}

} // namespace emag::sandbox
