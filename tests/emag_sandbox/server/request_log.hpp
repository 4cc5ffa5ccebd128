// RequestLog: one JSON line per API request, to a file (--request-log) and to
// an in-memory ring (the last N) that /_sandbox/requests serves to tests.
//
// A line: {"seq","time" (UTC ISO-8601, ms),"account" (null when the
// credentials matched none),"method","route","group","status",
// "rate_limited","fault" (name or null),"latency_ms"}. It never holds
// credentials, request bodies or response bodies: the route is the path
// below /api-3 without the query string.
//
// Thread-safe; each line is written and flushed whole, so a reader tailing
// the file never sees half a line.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>

namespace emag::sandbox {

struct RequestLogEntry {
    std::chrono::system_clock::time_point time;
    std::optional<std::string> account;
    std::string method;
    std::string route;
    std::string group; // "orders" / "other"; "" for requests refused before routing
    unsigned status = 0;
    bool rate_limited = false;
    std::optional<std::string> fault;
    double latency_ms = 0;
};

class RequestLog {
  public:
    // path empty: memory only. Throws std::runtime_error if the file cannot
    // be opened (appended to: earlier runs are kept).
    explicit RequestLog(const std::string& path = "", std::size_t keep = 10000);

    // Returns the entry's sequence number (1, 2, ...).
    uint64_t append(const RequestLogEntry& e);

    // Entries with seq > since, oldest first, as {"next": last seq, "entries": [...]}.
    nlohmann::json since(uint64_t since) const;

    static std::string iso8601_utc_ms(std::chrono::system_clock::time_point t);

  private:
    std::size_t keep_;
    mutable std::mutex mu_;
    std::ofstream file_;
    std::deque<nlohmann::json> recent_;
    uint64_t seq_ = 0;
};

} // namespace emag::sandbox
