#include "http_types.hpp"

#include <nlohmann/json.hpp>

namespace erp::host {

HttpResponse HttpResponse::json(unsigned status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.content_type = "application/json";
    response.body = std::move(body);
    return response;
}

HttpResponse HttpResponse::error(unsigned status, const std::string& code, const std::string& message) {
    // Messages often quote user input or exception text, which may hold bytes
    // that are not UTF-8; replace them rather than throw from an error path.
    const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
    return json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace erp::host
