// RateLimiter: eMAG Marketplace API v4.4.9's request limits, per account and
// route group, as exact sliding windows ("12 requests in ANY 1 s").
//
//   group "orders" (every order/* route): 12 in any 1 s, 720 in any 60 s
//   group "other"  (everything else, together): 3 in any 1 s, 180 in any 60 s
//
// Choices where eMAG's documentation is silent (README lists them):
// - A window is half-open, (t - 1 s, t]: a request exactly 1 s after the one
//   twelve requests before it is admitted, so a client pacing itself at
//   exactly 12/s never sees a 429.
// - A rejected (429) request does NOT count toward the window. Counting it
//   would let a client that retries a little too early lock itself out for
//   as long as it keeps trying; eMAG only says invalid and failed requests
//   count, which admitted ones do here whatever their outcome.
// - The X-RateLimit-*-3second headers (named in the doc, example values 1/0)
//   carry the group's per-second limit and what is left of it (the smaller of
//   the 1 s and 60 s remainders); 0 on a 429.
//
// Thread-safe. The clock is injectable so tests can check the 60 s window
// without waiting a minute.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace emag::sandbox {

enum class RouteGroup { orders, other };

const char* group_name(RouteGroup g);

// "order/read", "order/acknowledge", "order/attachments/save" -> orders;
// anything else (offers, vat, unknown routes) -> other.
RouteGroup group_of(std::string_view resource);

struct RateLimits {
    unsigned per_second = 0;
    unsigned per_minute = 0;
};

// eMAG's published limits. Note: with exact sliding windows the minute
// limit can never bind on its own, since any 60 s window is 60 disjoint 1 s
// windows (12 x 60 = 720, 3 x 60 = 180); it is enforced anyway, exactly as
// published, in case the per-second figure ever changes.
RateLimits limits_of(RouteGroup g);

struct RateLimitConfig {
    RateLimits orders = limits_of(RouteGroup::orders);
    RateLimits other = limits_of(RouteGroup::other);
};

struct RateDecision {
    bool allowed = true;
    unsigned limit = 0;     // X-RateLimit-Limit-3second
    unsigned remaining = 0; // X-RateLimit-Remaining-3second
};

struct GroupStats {
    uint64_t admitted = 0;
    uint64_t rejected = 0;
};

class RateLimiter {
  public:
    using SteadyClock = std::chrono::steady_clock;
    using Now = std::function<SteadyClock::time_point()>;

    // enabled = false admits everything (benchmarks only) but still counts.
    explicit RateLimiter(bool enabled = true, Now now = {}, RateLimitConfig limits = {});

    // Decides one request and, when admitted, records it.
    RateDecision admit(const std::string& account, RouteGroup group);

    // account -> group name -> counts.
    std::map<std::string, std::map<std::string, GroupStats>> stats() const;

  private:
    struct Window {
        std::deque<SteadyClock::time_point> admitted; // last 60 s, oldest first
        GroupStats stats;
    };

    bool enabled_;
    Now now_;
    RateLimitConfig limits_;
    mutable std::mutex mu_;
    std::map<std::pair<std::string, RouteGroup>, Window> windows_;
    SteadyClock::time_point last_{}; // keeps timestamps monotonic if an injected clock steps back
};

} // namespace emag::sandbox
