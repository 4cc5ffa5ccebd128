// What an eMAG client has done, per route group, for monitoring (the
// plugin's /metrics series, DESIGN.md §5.4). Cumulative counters since the
// client started plus the current rate-limit usage; windows over time
// (1 min, 5 min, 1 h) are computed from snapshots by the monitor.
#pragma once

#include "api/api_error.hpp"
#include "api/route_group.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace erp::emag {

// Upper bounds (ms) of the latency histogram's buckets; the last is +Inf.
inline constexpr std::array<double, 10> kLatencyBucketsMs{25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};

struct GroupMetrics {
    RouteGroup group = RouteGroup::orders;
    GroupLimits limits;

    std::uint64_t calls = 0;        // calls submitted
    std::uint64_t calls_ok = 0;     // calls that ended in success (after retries)
    std::uint64_t calls_failed = 0; // calls that ended in an error
    std::uint64_t attempts = 0;     // HTTP requests sent (retries included)
    std::uint64_t retries = 0;
    std::array<std::uint64_t, 5> errors{}; // failed attempts by ErrorKind

    std::uint64_t latency_count = 0;
    double latency_ms_sum = 0;
    double latency_ms_max = 0;
    std::array<std::uint64_t, kLatencyBucketsMs.size() + 1> latency_buckets{}; // per bucket, not cumulative

    std::uint64_t rate_waits = 0; // attempts that waited for their rate slot
    double rate_wait_ms_sum = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t bytes_in = 0;

    unsigned in_flight = 0; // holding a rate slot or waiting for an answer
    unsigned queued = 0;    // waiting for an in-flight place
    unsigned used_last_second = 0;
    unsigned used_last_minute = 0;

    std::uint64_t errors_of(ErrorKind k) const { return errors[static_cast<std::size_t>(k)]; }
    // The bucket bound under which `q` (0..1) of the latencies fall; 0 when
    // nothing was measured.
    double latency_quantile_ms(double q) const;
    void record_latency(double ms);
};

struct ClientMetrics {
    std::string account;
    std::array<GroupMetrics, 2> groups; // indexed by RouteGroup
};

} // namespace erp::emag
