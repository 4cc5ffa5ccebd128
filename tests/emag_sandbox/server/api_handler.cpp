#include "api_handler.hpp"

#include "form_decode.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace emag::sandbox {

namespace {

using json = nlohmann::json;

const std::string kApiPrefix = "/api-3";
constexpr std::size_t kMaxLoggedRoute = 200;

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string envelope_error(const std::string& message) {
    return json{{"isError", true}, {"messages", {message}}, {"results", json::array()}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
}

// The account whose user:password the Authorization header carries.
const AccountConfig* authenticate(const SandboxState& state, const std::string& header) {
    namespace b64 = boost::beast::detail::base64;
    const std::string scheme = "Basic ";
    if (header.size() <= scheme.size() || !std::equal(scheme.begin(), scheme.end(), header.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
        return nullptr;
    std::string encoded = header.substr(scheme.size());
    encoded.erase(0, encoded.find_first_not_of(' '));
    encoded.erase(encoded.find_last_not_of(' ') + 1);
    // Beast's decoder stops at '=' padding: strip it (at most two) and
    // require that everything before it decodes.
    const auto unpadded = encoded.find_last_not_of('=') + 1;
    if (encoded.size() > 4096 || encoded.size() - unpadded > 2)
        return nullptr;
    encoded.resize(unpadded);
    std::string plain(encoded.size(), '\0'); // upper bound; decoded_size() assumes padding
    const auto [written, read] = b64::decode(plain.data(), encoded.data(), encoded.size());
    if (read != encoded.size())
        return nullptr; // not valid base64
    plain.resize(written);
    const auto colon = plain.find(':');
    if (colon == std::string::npos)
        return nullptr;
    const auto user = plain.substr(0, colon);
    const auto password = plain.substr(colon + 1);
    for (const auto& a : state.accounts)
        if (a.user == user && a.password == password)
            return &a;
    return nullptr;
}

void add_rate_headers(SandboxResponse& r, const RateDecision& d) {
    r.headers.emplace_back("X-RateLimit-Limit-3second", std::to_string(d.limit));
    r.headers.emplace_back("X-RateLimit-Remaining-3second", std::to_string(d.remaining));
}

// The Marketplace's answer for an authenticated, admitted request.
SandboxResponse call_marketplace(Marketplace& market, const SandboxRequest& req, const ApiRoute& route) {
    SandboxResponse r;
    ApiResult result;
    if (req.method == "PATCH") {
        if (route.resource != "offer_stock" || !route.id || !route.action.empty()) {
            r.status = 404;
            r.body = R"({"message":"Invalid URL"})";
            return r;
        }
        result = market.patch_offer_stock(*route.id, req.body);
    } else if (req.method != "POST") {
        r.status = 405;
        r.body = envelope_error("Method " + req.method + " not allowed; the API takes POST");
        r.headers.emplace_back("Allow", "POST");
        return r;
    } else {
        const auto decoded = decode_request_body(req.content_type, req.body);
        if (!decoded.ok) {
            r.status = 400;
            r.body = envelope_error(decoded.error);
            return r;
        }
        result = market.handle(route.resource, route.action, route.id, decoded.data);
    }
    r.status = result.http_status;
    r.content_type = result.content_type;
    r.body = std::move(result.body);
    r.headers = std::move(result.headers);
    return r;
}

} // namespace

std::string ApiRoute::name() const {
    std::string n = resource;
    if (!action.empty())
        n += (n.empty() ? "" : "/") + action;
    return n;
}

ApiRoute parse_api_route(const std::string& below) {
    std::vector<std::string> segs;
    std::size_t start = 0;
    while (start <= below.size()) {
        auto end = below.find('/', start);
        if (end == std::string::npos)
            end = below.size();
        if (end > start)
            segs.push_back(below.substr(start, end - start));
        start = end + 1;
    }
    ApiRoute r;
    auto join = [&](std::size_t from, std::size_t to) {
        std::string s;
        for (std::size_t i = from; i < to; ++i)
            s += (s.empty() ? "" : "/") + segs[i];
        return s;
    };
    const auto n = segs.size();
    if (n == 0)
        return r;
    if (n == 1) {
        r.resource = segs[0];
    } else if (n == 2 && segs[0] == "offer_stock") {
        r.resource = segs[0]; // PATCH offer_stock/{id}: no action
        r.id = segs[1];
    } else if (n >= 3 && all_digits(segs[n - 1])) {
        r.id = segs[n - 1]; // order/acknowledge/123
        r.action = segs[n - 2];
        r.resource = join(0, n - 2);
    } else if (n == 3 && all_digits(segs[1])) {
        r.resource = segs[0]; // order/123/unlock-courier
        r.id = segs[1];
        r.action = segs[2];
    } else {
        r.action = segs[n - 1];
        r.resource = join(0, n - 1);
    }
    return r;
}

SandboxResponse handle_api(SandboxState& state, const SandboxRequest& req) {
    const std::string below = req.path.size() > kApiPrefix.size() ? req.path.substr(kApiPrefix.size() + 1) : "";
    const ApiRoute route = parse_api_route(below);
    const RouteGroup group = group_of(route.resource);

    RequestLogEntry entry;
    entry.time = std::chrono::system_clock::now();
    entry.method = req.method;
    entry.route = route.name().substr(0, kMaxLoggedRoute);
    entry.group = group_name(group);

    SandboxResponse r;
    const auto finish = [&](SandboxResponse out) {
        out.delay += state.faults->latency();
        entry.status = out.status;
        out.log = entry;
        return out;
    };

    const AccountConfig* account = authenticate(state, req.authorization);
    if (!account) {
        ++state.unauthorized;
        r.status = 401;
        r.body = envelope_error("Invalid username or password");
        r.headers.emplace_back("WWW-Authenticate", R"(Basic realm="eMAG Marketplace API")");
        return finish(std::move(r));
    }
    entry.account = account->name;

    const RateDecision decision = state.limiter->admit(account->name, group);
    if (!decision.allowed) {
        entry.rate_limited = true;
        r.status = 429;
        r.content_type = "application/json; charset=utf-8";
        r.body = R"({"message":"API rate limit exceeded"})";
        add_rate_headers(r, decision);
        return finish(std::move(r));
    }

    const auto fault = state.faults->pick(entry.route);
    if (fault) {
        entry.fault = fault_name(*fault);
        std::lock_guard lock(state.fault_mu);
        ++state.faults_injected[*entry.fault];
    }
    if (fault && *fault != FaultKind::hang && *fault != FaultKind::truncate) {
        const auto f = Faults::replacement(*fault);
        r.status = f.status;
        r.content_type = f.content_type;
        r.body = f.body;
        add_rate_headers(r, decision);
        return finish(std::move(r));
    }

    try {
        r = call_marketplace(*state.markets.at(account->name), req, route);
    } catch (const std::exception& e) {
        spdlog::error("marketplace failed on {} {}: {}", req.method, entry.route, e.what());
        r = SandboxResponse{};
        r.status = 500;
        r.body = envelope_error("Internal Server Error");
    }
    if (fault == FaultKind::truncate) {
        r.body.resize(r.body.size() / 2); // Content-Length follows the cut body
    } else if (fault == FaultKind::hang) {
        r.delay += state.faults->hang_time();
    }
    add_rate_headers(r, decision);
    return finish(std::move(r));
}

} // namespace emag::sandbox
