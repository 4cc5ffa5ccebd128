// The error taxonomy of every eMAG call (DESIGN.md §5.1). Each kind tells the
// caller what to do:
//   auth          401/403: wrong credentials, no API rights, or this
//                 machine's IP is not whitelisted. Never retried: an admin
//                 must act.
//   rate_limited  429: eMAG's budget was exceeded; carries how long to wait.
//                 Retried after the wait (the whole route group pauses).
//   validation    eMAG understood the request and refused the data
//                 (isError true with its messages, 400). Not retried: the
//                 data must change. The messages go with the data.
//   transient     5xx, gateway HTML pages, timeouts, refused or reset
//                 connections, truncated bodies, "please retry" answers.
//                 Retried with backoff.
//   protocol      a response that is not eMAG's contract: unparseable body,
//                 an envelope with wrong types or without isError false, an
//                 unknown route. Not retried; a bug or an API change to look at.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace erp::emag {

enum class ErrorKind { auth, rate_limited, validation, transient, protocol };

// "auth", "rate_limited", "validation", "transient", "protocol"
const char* error_kind_name(ErrorKind k) noexcept;

// Whether the client retries this kind by itself.
bool is_retryable(ErrorKind k) noexcept;

struct ErrorInfo {
    ErrorKind kind = ErrorKind::protocol;
    std::string route;                 // "order/read"
    unsigned http_status = 0;          // 0: no HTTP response (timeout, connection)
    std::vector<std::string> messages; // eMAG's messages (may hold customer data: redact before logging)
    std::string detail;                // our own words: what was wrong with the response
    unsigned attempt = 1;              // the attempt that failed (1-based)
    std::optional<std::chrono::milliseconds> retry_after; // server-given wait (429, Retry-After)
};

// Thrown by the client. what(): "eMAG <kind> error on <route> (HTTP <status>,
// attempt <n>): <detail>[: <messages joined by "; ">]" — built without
// redaction, so log it only through redact().
class ApiError : public std::runtime_error {
  public:
    explicit ApiError(ErrorInfo info);
    const ErrorInfo& info() const noexcept { return info_; }
    ErrorKind kind() const noexcept { return info_.kind; }

  private:
    ErrorInfo info_;
};

std::string describe(const ErrorInfo& info);

} // namespace erp::emag
