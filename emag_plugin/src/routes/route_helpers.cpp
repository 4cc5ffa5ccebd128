#include "routes/route_helpers.hpp"

#include "orders/decimal.hpp"

#include <nlohmann/json.hpp>

namespace erp::emag {

using nlohmann::json;

HttpError bad_request(std::string message) {
    return HttpError{400, "bad_request", std::move(message)};
}

json x4_json(const std::optional<std::int64_t>& units) {
    return units ? json(Decimal4{*units}.to_string()) : json();
}

json error_body(const std::string& kind, const std::string& message, const std::vector<std::string>& messages) {
    return json{{"error", {{"kind", kind}, {"message", message}, {"messages", messages}}}};
}

void send(erp::plugin::Response& resp, int status, const json& body, std::optional<int> retry_after_s) {
    if (retry_after_s) {
        resp.header("retry-after", std::to_string(*retry_after_s));
    }
    resp.json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

void send_error(erp::plugin::Response& resp, const HttpError& e) {
    send(resp, e.status, error_body(e.kind, e.message));
}

std::string path_param(const erp::plugin::Request& req, const char* name) {
    const json params = json::parse(req.params_json().empty() ? "{}" : req.params_json(), nullptr, false);
    const auto it = params.is_object() ? params.find(name) : params.end();
    return params.is_object() && it != params.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t number_param(const erp::plugin::Request& req, const char* name, std::int64_t fallback, std::int64_t lo,
                          std::int64_t hi) {
    const auto v = req.query_param(name);
    if (!v || v->empty()) {
        return fallback;
    }
    const auto fail = [&] {
        return bad_request(std::string(name) + " must be a whole number from " + std::to_string(lo) + " to " +
                           std::to_string(hi));
    };
    std::int64_t n = 0;
    for (char c : *v) {
        if (c < '0' || c > '9' || n > hi) {
            throw fail();
        }
        n = n * 10 + (c - '0');
    }
    if (n < lo || n > hi) {
        throw fail();
    }
    return n;
}

} // namespace erp::emag
