#include "api/rate_limiter.hpp"

#include <algorithm>
#include <stdexcept>

namespace erp::emag {

using namespace std::chrono_literals;

GroupRateLimiter::GroupRateLimiter(GroupLimits limits, std::chrono::milliseconds margin)
    : limits_(limits), second_window_(1s + margin), minute_window_(60s + margin) {
    if (limits.per_second == 0 || limits.per_minute == 0) {
        throw std::invalid_argument("rate limits must be positive");
    }
    if (margin < 0ms) {
        throw std::invalid_argument("the rate-limit margin must not be negative");
    }
    // Round up so that limit grants never fit in one widened window.
    spacing_ = (second_window_ + std::chrono::nanoseconds(limits.per_second - 1)) / limits.per_second;
}

GroupRateLimiter::Clock::time_point GroupRateLimiter::reserve(Clock::time_point now) {
    Clock::time_point t = std::max(now, paused_until_);
    const std::size_t n = granted_.size();
    if (n > 0) {
        t = std::max(t, granted_.back() + spacing_);
    }
    // A window (t - w, t] may hold limit - 1 earlier grants: the grant limit
    // places back must be at or before t - w.
    if (n >= limits_.per_second) {
        t = std::max(t, granted_[n - limits_.per_second] + second_window_);
    }
    if (n >= limits_.per_minute) {
        t = std::max(t, granted_[n - limits_.per_minute] + minute_window_);
    }
    granted_.push_back(t);
    while (granted_.size() > limits_.per_minute) {
        granted_.pop_front();
    }
    ++grants_;
    return t;
}

void GroupRateLimiter::record_send(Clock::time_point slot, Clock::time_point sent) {
    if (sent <= slot) {
        return;
    }
    for (std::size_t k = granted_.size(); k-- > 0;) {
        if (granted_[k] == slot) {
            granted_[k] = sent;
            for (std::size_t j = k + 1; j < granted_.size() && granted_[j] < granted_[j - 1]; ++j) {
                granted_[j] = granted_[j - 1];
            }
            return;
        }
        if (granted_[k] < slot) {
            return; // ordered: it is not further back
        }
    }
}

void GroupRateLimiter::pause_until(Clock::time_point t) {
    paused_until_ = std::max(paused_until_, t);
}

unsigned GroupRateLimiter::count_in(Clock::time_point from_exclusive, Clock::time_point to_inclusive) const {
    // Grants may be reserved in the future: those after the window's end
    // are skipped, then grants are counted back to its start.
    unsigned c = 0;
    for (auto it = granted_.rbegin(); it != granted_.rend() && *it > from_exclusive; ++it) {
        c += *it <= to_inclusive ? 1 : 0;
    }
    return c;
}

unsigned GroupRateLimiter::used_last_second(Clock::time_point now) const {
    return count_in(now - 1s, now);
}

unsigned GroupRateLimiter::used_last_minute(Clock::time_point now) const {
    return count_in(now - 60s, now);
}

} // namespace erp::emag
