// How an eMAG client behaves: timeouts, retries, rate-limit margin,
// concurrency, body encoding. Parsed from the plugin config's `api` section
// (config/plugin_config.cpp); the defaults are eMAG's recommendations.
#pragma once

#include "api/retry_policy.hpp"
#include "api/transport.hpp"

#include <chrono>

namespace erp::emag {

enum class BodyEncoding {
    form, // PHP http_build_query, as eMAG's official sample sends (default)
    json  // {"data": ...} with Content-Type application/json
};

struct ClientOptions {
    TransportOptions transport;
    RetryPolicy retry;
    // Each rate-limit window is treated as this much longer than eMAG's
    // (rate_limiter.hpp): the slack between our send and eMAG's count.
    std::chrono::milliseconds rate_margin{30};
    // No request before this long after the client starts. A process that
    // starts cannot know what the one before it (a restart, a crash) sent
    // in the last second: waiting one window keeps the two from adding up
    // to a 429. The plugin's config defaults it to 1 s + rate_margin; 0
    // here, for tests and tools that start many clients.
    std::chrono::milliseconds start_pause{0};
    // Requests of a group waiting for an answer or for their rate slot at
    // once. 12/s with 300 ms answers needs about 4; more absorbs slow ones.
    unsigned max_in_flight_orders = 24;
    unsigned max_in_flight_other = 8;
    BodyEncoding body_encoding = BodyEncoding::form;
    unsigned request_log_days = 30; // daily request-log files kept
};

} // namespace erp::emag
