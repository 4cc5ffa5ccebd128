// The client side of eMAG's rate limits, for one account and route group.
//
// eMAG allows 12 order requests in any second and 720 in any minute, and 3
// (180) for everything else together (reference §2); every request counts,
// failed and retried ones included. This limiter never lets a window hold
// more than that, and gets as close to it as the network allows:
//
// - Reservation: a request asks for the earliest send time that keeps every
//   window within its limit, and that time is recorded at once. Reserving
//   ahead lets requests wait for their slot concurrently (no head-of-line
//   polling) and makes the limiter exact: it counts what it granted.
// - Even spacing: grants are at least window/limit apart (1030/12 ≈ 86 ms
//   for orders with the default margin). A burst is spread over the second
//   instead of sent at once, so the requests reach eMAG in the order and at
//   the pace they were granted even when the network delays some of them.
// - Safety margin: each window is treated as `margin` longer than eMAG's
//   (1 s + 30 ms by default), which absorbs the difference between when we
//   send a request and when eMAG counts it. The achieved rate is
//   limit × 1 s / (1 s + margin): 97% of eMAG's limit at 30 ms.
// - A grant whose request leaves late (record_send) is re-recorded at the
//   time it really left.
// - After a 429 the whole group pauses (pause_until); requests that had
//   reserved a slot inside the pause reserve again.
//
// Not thread-safe: the client calls it from its one scheduling thread. Time
// is passed in, so tests drive it with a fake clock.
#pragma once

#include "api/route_group.hpp"

#include <chrono>
#include <cstdint>
#include <deque>

namespace erp::emag {

class GroupRateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    GroupRateLimiter(GroupLimits limits, std::chrono::milliseconds margin);

    // Reserves and records the earliest send time >= now (and >= the end of
    // any pause) that keeps the 1 s and 60 s windows (each widened by the
    // margin) within the limits and the spacing from the previous grant.
    Clock::time_point reserve(Clock::time_point now);

    // The request granted `slot` actually left at `sent` (its timer fired
    // late on a busy machine): record the later time, so the grants after
    // it keep their distance from when it really went out. Later records
    // move with it where needed to stay ordered (which only errs on the
    // safe side). Unknown slots are ignored.
    void record_send(Clock::time_point slot, Clock::time_point sent);

    // A 429 arrived: no grant before t (an earlier pause end is extended).
    void pause_until(Clock::time_point t);
    Clock::time_point paused_until() const noexcept { return paused_until_; }

    // Grants in (now - 1 s, now] and (now - 60 s, now] (eMAG's own windows,
    // without the margin): the share of the budget in use.
    unsigned used_last_second(Clock::time_point now) const;
    unsigned used_last_minute(Clock::time_point now) const;

    GroupLimits limits() const noexcept { return limits_; }
    std::chrono::nanoseconds spacing() const noexcept { return spacing_; }
    std::uint64_t grants() const noexcept { return grants_; }

  private:
    unsigned count_in(Clock::time_point from_exclusive, Clock::time_point to_inclusive) const;

    GroupLimits limits_;
    std::chrono::nanoseconds second_window_;
    std::chrono::nanoseconds minute_window_;
    std::chrono::nanoseconds spacing_;
    std::deque<Clock::time_point> granted_; // the last per_minute grants, oldest first, non-decreasing
    Clock::time_point paused_until_{};
    std::uint64_t grants_ = 0;
};

} // namespace erp::emag
