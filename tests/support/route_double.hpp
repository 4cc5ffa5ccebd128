// A registrar double for calling a plugin's HTTP routes in-process: it keeps
// what add_route registers and calls a handler directly, the way the host
// would, without a server. For tests of route code that need no HTTP stack.
#pragma once

#include <erp_plugin/erp_plugin.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace erp::test {

struct RouteHost {
    struct Route {
        std::string method, pattern;
        std::uint32_t flags = 0;
        void* user = nullptr;
        erp_status (*handle)(void*, const erp_http_request*, erp_http_response*, erp_sink*) = nullptr;
    };
    std::vector<Route> routes;
    erp_registrar registrar{};

    RouteHost();
    RouteHost(const RouteHost&) = delete; // the registrar points at this object
    RouteHost& operator=(const RouteHost&) = delete;
};

struct Reply {
    int status = 200;
    std::map<std::string, std::string> headers;
    std::string body;
    nlohmann::json j() const { return nlohmann::json::parse(body); }
};

// Calls the route registered as `method` `pattern` with the path parameters
// `params` ({"id": "42"}), the raw query string and body. Fails the test when
// no such route exists or the handler does not return ERP_OK.
Reply call(const RouteHost& host, const std::string& method, const std::string& pattern, const nlohmann::json& params,
           const std::string& query = "", const std::string& body = "");

} // namespace erp::test
