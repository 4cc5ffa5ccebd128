#include "api/client_metrics.hpp"

#include <algorithm>

namespace erp::emag {

void GroupMetrics::record_latency(double ms) {
    ++latency_count;
    latency_ms_sum += ms;
    latency_ms_max = std::max(latency_ms_max, ms);
    const auto it = std::lower_bound(kLatencyBucketsMs.begin(), kLatencyBucketsMs.end(), ms);
    ++latency_buckets[static_cast<std::size_t>(it - kLatencyBucketsMs.begin())];
}

double GroupMetrics::latency_quantile_ms(double q) const {
    if (latency_count == 0) {
        return 0;
    }
    const double wanted = std::clamp(q, 0.0, 1.0) * static_cast<double>(latency_count);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
        seen += latency_buckets[i];
        if (static_cast<double>(seen) >= wanted) {
            return i < kLatencyBucketsMs.size() ? kLatencyBucketsMs[i] : latency_ms_max;
        }
    }
    return latency_ms_max;
}

} // namespace erp::emag
