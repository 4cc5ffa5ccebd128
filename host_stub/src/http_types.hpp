// Transport-free HTTP request/response values: the router and handlers work on
// these, so no Beast header leaks beyond http_server.cpp.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace erp::host {

struct HttpRequest {
    std::string method;                         // upper case
    std::string target;                         // as received: path + optional ?query
    std::string path;                           // percent-decoded path, no query
    std::string query;                          // raw, without '?'
    std::map<std::string, std::string> headers; // names lower-case
    std::string body;
    std::string remote_address;
};

struct HttpResponse {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    static HttpResponse json(unsigned status, std::string body);
    // {"error":{"code":code,"message":message}}
    static HttpResponse error(unsigned status, const std::string& code, const std::string& message);
};

} // namespace erp::host
