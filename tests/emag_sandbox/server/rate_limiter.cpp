#include "rate_limiter.hpp"

#include <algorithm>

namespace emag::sandbox {

using namespace std::chrono_literals;

const char* group_name(RouteGroup g) {
    return g == RouteGroup::orders ? "orders" : "other";
}

RouteGroup group_of(std::string_view resource) {
    // "All order routes": the resource is "order" or starts with "order/"
    // (order/attachments); "orders" or "order_x" would be other resources.
    if (resource == "order" || resource.substr(0, 6) == "order/")
        return RouteGroup::orders;
    return RouteGroup::other;
}

RateLimits limits_of(RouteGroup g) {
    return g == RouteGroup::orders ? RateLimits{12, 720} : RateLimits{3, 180};
}

RateLimiter::RateLimiter(bool enabled, Now now, RateLimitConfig limits)
    : enabled_(enabled), now_(std::move(now)), limits_(limits) {
    if (!now_)
        now_ = [] { return SteadyClock::now(); };
}

RateDecision RateLimiter::admit(const std::string& account, RouteGroup group) {
    const RateLimits lim = group == RouteGroup::orders ? limits_.orders : limits_.other;
    std::lock_guard lock(mu_);
    const auto now = std::max(now_(), last_);
    last_ = now;
    Window& w = windows_[{account, group}];

    // Drop what left the 60 s window: (now - 60 s, now] is kept.
    while (!w.admitted.empty() && w.admitted.front() <= now - 60s)
        w.admitted.pop_front();
    const auto in_minute = static_cast<unsigned>(w.admitted.size());
    // Timestamps are sorted: the 1 s window is the tail after now - 1 s.
    const auto first_in_second = std::upper_bound(w.admitted.begin(), w.admitted.end(), now - 1s);
    const auto in_second = static_cast<unsigned>(w.admitted.end() - first_in_second);

    RateDecision d;
    d.limit = lim.per_second;
    if (enabled_ && (in_second >= lim.per_second || in_minute >= lim.per_minute)) {
        ++w.stats.rejected;
        d.allowed = false;
        d.remaining = 0;
        return d;
    }
    w.admitted.push_back(now);
    ++w.stats.admitted;
    if (!enabled_) {
        // Unlimited mode still reports plausible headers without growing the
        // deque without bound.
        w.admitted.clear();
        d.remaining = lim.per_second;
        return d;
    }
    d.remaining = std::min(lim.per_second - (in_second + 1), lim.per_minute - (in_minute + 1));
    return d;
}

std::map<std::string, std::map<std::string, GroupStats>> RateLimiter::stats() const {
    std::map<std::string, std::map<std::string, GroupStats>> out;
    std::lock_guard lock(mu_);
    for (const auto& [key, w] : windows_)
        out[key.first][group_name(key.second)] = w.stats;
    return out;
}

} // namespace emag::sandbox
