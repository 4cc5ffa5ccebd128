// When to try an eMAG call again, and after how long (DESIGN.md §5.1):
// transient errors and 429s are retried after an exponential backoff with
// jitter — 2, 4, 8 s by default, so at most 3 retries (4 attempts) — and
// never sooner than the server asked. Auth, validation and protocol errors
// are not retried: trying again cannot change their outcome.
#pragma once

#include "api/api_error.hpp"

#include <chrono>
#include <optional>
#include <vector>

namespace erp::emag {

struct RetryPolicy {
    // The nth retry waits delays[n-1]; the number of retries is delays.size().
    std::vector<std::chrono::milliseconds> delays{std::chrono::milliseconds(2000), std::chrono::milliseconds(4000),
                                                  std::chrono::milliseconds(8000)};
    // Each delay is scaled by a uniform factor in [1 - jitter, 1 + jitter],
    // so clients that failed together do not retry together.
    double jitter = 0.2;

    unsigned max_attempts() const noexcept { return static_cast<unsigned>(delays.size()) + 1; }
};

// Whether a failure of `kind` on attempt `attempt` (1-based) is retried.
bool should_retry(const RetryPolicy& policy, ErrorKind kind, unsigned attempt) noexcept;

// The wait before the retry that follows failed attempt `attempt`: the
// jittered backoff, or the server's wait when that is longer. `u01` is a
// uniform draw in [0, 1) (injected so tests are exact).
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, unsigned attempt,
                                      std::optional<std::chrono::milliseconds> server_wait, double u01) noexcept;

} // namespace erp::emag
