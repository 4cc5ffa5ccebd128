#include "api/api_error.hpp"

namespace erp::emag {

const char* error_kind_name(ErrorKind k) noexcept {
    switch (k) {
    case ErrorKind::auth:
        return "auth";
    case ErrorKind::rate_limited:
        return "rate_limited";
    case ErrorKind::validation:
        return "validation";
    case ErrorKind::transient:
        return "transient";
    case ErrorKind::protocol:
        return "protocol";
    }
    return "protocol";
}

bool is_retryable(ErrorKind k) noexcept {
    return k == ErrorKind::transient || k == ErrorKind::rate_limited;
}

std::string describe(const ErrorInfo& info) {
    std::string s = "eMAG ";
    s += error_kind_name(info.kind);
    s += " error on ";
    s += info.route.empty() ? "(no route)" : info.route;
    s += " (";
    s += info.http_status == 0 ? std::string("no HTTP response") : "HTTP " + std::to_string(info.http_status);
    s += ", attempt ";
    s += std::to_string(info.attempt);
    s += ")";
    if (!info.detail.empty()) {
        s += ": ";
        s += info.detail;
    }
    if (!info.messages.empty()) {
        s += ": ";
        for (std::size_t i = 0; i < info.messages.size(); ++i) {
            s += i == 0 ? "" : "; ";
            s += info.messages[i];
        }
    }
    return s;
}

ApiError::ApiError(ErrorInfo info) : std::runtime_error(describe(info)), info_(std::move(info)) {}

} // namespace erp::emag
