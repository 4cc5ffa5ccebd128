// RequestLog: one structured JSON line per call to eMAG (reference §1.4:
// "log all requests/responses for 30 days"), in daily files
//   <dir>/emag-requests-YYYY-MM-DD.jsonl     (UTC date of the call)
// A line holds: time (UTC ISO-8601 with ms), account, method, route, group,
// status (HTTP, 0 when none arrived), outcome ("ok" or the error kind),
// ms (attempt duration), attempt (1-based), bytes_out, bytes_in, wait_ms
// (time spent waiting for the rate limiter) and, for failures only,
// messages: eMAG's messages passed through redact() (an array, present
// whenever outcome != "ok", possibly empty). Keys appear in this order.
// It never holds request or response bodies, headers or credentials.
//
// Files older than `retention_days` are deleted when the log opens and each
// time the date changes. Thread-safe; each line is written and flushed whole.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace erp::emag {

struct RequestLogEntry {
    std::chrono::system_clock::time_point time;
    std::string account;
    std::string method;
    std::string route; // below /api-3, e.g. "order/read", "offer_stock/123"
    std::string group; // "orders" / "other"
    unsigned status = 0;
    std::string outcome = "ok"; // "ok", "auth", "rate_limited", "validation", "transient", "protocol"
    double ms = 0;
    unsigned attempt = 1;
    std::uint64_t bytes_out = 0;
    std::uint64_t bytes_in = 0;
    double wait_ms = 0;
    std::vector<std::string> messages; // redacted by write()
};

class RequestLog {
  public:
    using SystemNow = std::function<std::chrono::system_clock::time_point()>;

    // Creates `dir` if needed; throws std::runtime_error (naming the
    // directory) when it cannot. `secrets` are redacted from messages.
    // `now` decides the file date and what retention removes (tests inject
    // it); empty = system_clock.
    RequestLog(std::filesystem::path dir, unsigned retention_days = 30, std::vector<std::string> secrets = {},
               SystemNow now = {});

    // Appends one line to the file of e.time's UTC date. Never throws: a
    // write failure is counted (write_failures()) and the call goes on.
    void write(const RequestLogEntry& e);

    // Adds strings to redact (e.g. a second account's credentials).
    void add_secrets(const std::vector<std::string>& secrets);

    std::uint64_t write_failures() const;
    const std::filesystem::path& dir() const { return dir_; }

    // "emag-requests-2026-11-29.jsonl"
    static std::string file_name(std::chrono::system_clock::time_point t);

    // The JSON line for an entry (without the newline), messages redacted.
    std::string format(const RequestLogEntry& e) const;

  private:
    void prune_locked(std::chrono::system_clock::time_point now);

    std::filesystem::path dir_;
    unsigned retention_days_;
    std::vector<std::string> secrets_;
    SystemNow now_;
    mutable std::mutex mu_;
    std::ofstream file_;
    std::string file_date_; // "2026-11-29" of the open file
    std::uint64_t write_failures_ = 0;
};

} // namespace erp::emag
