// What every plugin route shares: JSON answers, errors as {"error": {kind,
// message}} with their HTTP status, whole-number query parameters and a
// guard that turns anything thrown into a 500 answer. The orders, offers,
// monitoring, backup and customer routes all answer through these, so an
// admin page reads one error shape everywhere.
#pragma once

#include <erp_plugin/erp_plugin.hpp>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace erp::emag {

// A 4xx/5xx answer; thrown by handlers and turned into the answer by guarded().
struct HttpError {
    int status;
    std::string kind; // "bad_request", "not_found", "unavailable", ...
    std::string message;
};

HttpError bad_request(std::string message);

// Listings answer 50 rows a page unless ?per_page= asks for up to 200.
inline constexpr std::int64_t kDefaultPerPage = 50;
inline constexpr std::int64_t kMaxPerPage = 200;

// Money kept in 1/10000 units as eMAG's 4-decimal text ("19.9900"); null
// when absent.
nlohmann::json x4_json(const std::optional<std::int64_t>& units);

// {"error": {"kind", "message", "messages": [...]}}.
nlohmann::json error_body(const std::string& kind, const std::string& message,
                          const std::vector<std::string>& messages = {});

// Sends `body` (invalid UTF-8 replaced, never thrown on), with a Retry-After
// header when given.
void send(erp::plugin::Response& resp, int status, const nlohmann::json& body,
          std::optional<int> retry_after_s = std::nullopt);
void send_error(erp::plugin::Response& resp, const HttpError& e);

// ?name=N as a whole number in [lo, hi]; `fallback` when absent or empty.
// Throws HttpError 400 naming the parameter and the range.
std::int64_t number_param(const erp::plugin::Request& req, const char* name, std::int64_t fallback, std::int64_t lo,
                          std::int64_t hi);

// The route pattern's {name} segment ("" when absent).
std::string path_param(const erp::plugin::Request& req, const char* name);

// The running service from `get`, or HttpError 503 "<what> is not started".
template <class T, class Get>
std::shared_ptr<T> require_running(const Get& get, const char* what) {
    std::shared_ptr<T> s = get();
    if (!s) {
        throw HttpError{503, "unavailable", std::string(what) + " is not started"};
    }
    return s;
}

// Runs f(); an HttpError becomes its answer, any other exception a 500
// ("the request failed on our side: ...").
template <class F>
void guarded(erp::plugin::Response& resp, F&& f) {
    try {
        f();
    } catch (const HttpError& e) {
        send_error(resp, e);
    } catch (const std::exception& e) {
        send_error(resp, HttpError{500, "internal", std::string("the request failed on our side: ") + e.what()});
    }
}

} // namespace erp::emag
