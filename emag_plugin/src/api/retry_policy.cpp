#include "api/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace erp::emag {

bool should_retry(const RetryPolicy& policy, ErrorKind kind, unsigned attempt) noexcept {
    return is_retryable(kind) && attempt < policy.max_attempts();
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, unsigned attempt,
                                      std::optional<std::chrono::milliseconds> server_wait, double u01) noexcept {
    if (policy.delays.empty()) {
        return server_wait.value_or(std::chrono::milliseconds(0));
    }
    const std::size_t i = std::min<std::size_t>(attempt == 0 ? 0 : attempt - 1, policy.delays.size() - 1);
    const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
    const double factor = 1.0 - jitter + 2.0 * jitter * std::clamp(u01, 0.0, 1.0);
    const auto backoff =
        std::chrono::milliseconds(static_cast<long long>(std::llround(policy.delays[i].count() * factor)));
    return server_wait ? std::max(backoff, *server_wait) : backoff;
}

} // namespace erp::emag
