#include "faults.hpp"

#include <algorithm>
#include <stdexcept>

namespace emag::sandbox {

const char* fault_name(FaultKind k) {
    switch (k) {
    case FaultKind::http500:
        return "500";
    case FaultKind::http502:
        return "502";
    case FaultKind::http503:
        return "503";
    case FaultKind::hang:
        return "hang";
    case FaultKind::truncate:
        return "truncate";
    case FaultKind::is_error:
        return "iserror";
    case FaultKind::http401:
        return "401";
    case FaultKind::http429:
        return "429";
    case FaultKind::refuse:
        return "refuse";
    }
    return "?";
}

std::optional<FaultKind> parse_fault_kind(std::string_view s) {
    for (auto k : {FaultKind::http500, FaultKind::http502, FaultKind::http503, FaultKind::hang, FaultKind::truncate,
                   FaultKind::is_error, FaultKind::http401, FaultKind::http429, FaultKind::refuse})
        if (s == fault_name(k))
            return k;
    return std::nullopt;
}

FaultRule parse_fault_rule(const std::string& spec) {
    const auto last = spec.rfind(':');
    const auto mid = last == std::string::npos || last == 0 ? std::string::npos : spec.rfind(':', last - 1);
    if (mid == std::string::npos || mid == 0)
        throw std::invalid_argument("--fault '" + spec + "': expected ROUTE_GLOB:KIND:FRACTION");
    FaultRule rule;
    rule.glob = spec.substr(0, mid);
    const auto kind = parse_fault_kind(spec.substr(mid + 1, last - mid - 1));
    if (!kind)
        throw std::invalid_argument("--fault '" + spec +
                                    "': kind must be one of 500, 502, 503, hang, truncate, iserror");
    rule.kind = *kind;
    try {
        std::size_t used = 0;
        const std::string frac = spec.substr(last + 1);
        rule.fraction = std::stod(frac, &used);
        if (used != frac.size())
            throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
        throw std::invalid_argument("--fault '" + spec + "': FRACTION must be a number in [0, 1]");
    }
    if (!(rule.fraction >= 0.0 && rule.fraction <= 1.0))
        throw std::invalid_argument("--fault '" + spec + "': FRACTION must be a number in [0, 1]");
    return rule;
}

bool glob_match(std::string_view p, std::string_view t) {
    // Iterative '*' matching with one backtrack point: linear-ish, no recursion.
    std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = ti;
        } else if (pi < p.size() && p[pi] == t[ti]) {
            ++pi;
            ++ti;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*')
        ++pi;
    return pi == p.size();
}

Faults::Faults(FaultOptions options) : options_(std::move(options)), rng_(options_.seed) {}

std::optional<FaultKind> Faults::pick(std::string_view route) {
    std::lock_guard lock(mu_);
    bool any = false;
    for (const auto& r : options_.rules)
        any = any || (r.fraction > 0 && glob_match(r.glob, route));
    if (!any)
        return std::nullopt;
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    double cumulative = 0;
    for (const auto& r : options_.rules) {
        if (!glob_match(r.glob, route))
            continue;
        cumulative += r.fraction;
        // u < 1 always, so a fraction of 1 always fires.
        if (u < cumulative)
            return r.kind;
    }
    return std::nullopt;
}

std::chrono::milliseconds Faults::latency() {
    std::lock_guard lock(mu_);
    auto base = options_.latency.count();
    const auto j = options_.jitter.count();
    if (j > 0)
        base += std::uniform_int_distribution<long long>(-j, j)(rng_);
    return std::chrono::milliseconds(std::max<long long>(0, base));
}

void Faults::reconfigure(std::vector<FaultRule> rules, std::chrono::milliseconds latency,
                         std::chrono::milliseconds jitter) {
    std::lock_guard lock(mu_);
    options_.rules = std::move(rules);
    options_.latency = latency;
    options_.jitter = jitter;
}

FaultResponse Faults::replacement(FaultKind k) {
    auto gateway_page = [](const std::string& line) {
        return "<html>\r\n<head><title>" + line + "</title></head>\r\n<body>\r\n<center><h1>" + line +
               "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    };
    switch (k) {
    case FaultKind::http500:
        return {500, "application/json", R"({"isError":true,"messages":["Internal Server Error"],"results":[]})"};
    case FaultKind::http502:
        return {502, "text/html", gateway_page("502 Bad Gateway")};
    case FaultKind::http503:
        return {503, "text/html", gateway_page("503 Service Temporarily Unavailable")};
    case FaultKind::is_error:
        return {200, "application/json",
                R"({"isError":true,"messages":["Internal error, please retry"],"results":[]})"};
    case FaultKind::http401:
        return {401, "application/json",
                R"({"isError":true,"messages":["Invalid username or password"],"results":[]})"};
    case FaultKind::http429:
        return {429, "application/json; charset=utf-8", R"({"message":"API rate limit exceeded"})"};
    case FaultKind::refuse:
        return {400, "application/json",
                R"({"isError":true,"messages":["Sandbox fault: the data was refused"],"results":[]})"};
    case FaultKind::hang:
    case FaultKind::truncate:
        break;
    }
    return {500, "application/json", R"({"isError":true,"messages":["Internal Server Error"],"results":[]})"};
}

} // namespace emag::sandbox
