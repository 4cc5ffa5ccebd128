// Reading eMAG's answers: the envelope {isError, messages, results} and the
// non-envelope bodies some routes send (429, offer_stock), turned into a
// result or an error of the taxonomy (api_error.hpp). A response is a
// success only when the HTTP status is 2xx and the body is an object with a
// boolean isError that is false (reference §1.4), or for PATCH offer_stock a
// 2xx with an empty body. Pure functions: tested without a network.
#pragma once

#include "api/api_error.hpp"
#include "api/transport.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace erp::emag {

struct ApiResult {
    unsigned http_status = 0;
    nlohmann::json results;            // the envelope's results; null when absent or no body
    std::vector<std::string> messages; // the envelope's messages
    nlohmann::json errors;             // top-level "errors" (light offer API), null when absent
    unsigned attempts = 1;             // attempts it took
};

struct Classified {
    std::optional<ApiResult> result; // set on success
    ErrorInfo error;                 // meaningful when !result
};

// Classifies one attempt's response. `route` and `attempt` go into the error.
Classified classify_response(const std::string& route, const std::string& method, const HttpResponse& response,
                             unsigned attempt);

// eMAG's messages as text: strings kept, {"message": m, "field": f} objects
// become "m (field f)", anything else its JSON. Non-arrays give nothing.
std::vector<std::string> message_texts(const nlohmann::json& messages);

// Whether an isError answer reads as a temporary failure worth retrying
// ("Internal error, please retry", "try again later", "temporarily ...").
bool reads_as_transient(const std::vector<std::string>& messages);

// Retry-After in seconds (an integer) or as an HTTP date is not sent by
// eMAG today; the integer form is honored when it appears. nullopt when
// absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(const HttpResponse& response);

} // namespace erp::emag
