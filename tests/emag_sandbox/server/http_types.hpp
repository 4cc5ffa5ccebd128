// The transport-neutral request and response the sandbox's handlers see:
// the Beast session (sandbox_server.cpp) builds a SandboxRequest, a handler
// returns a SandboxResponse, the session applies its delay and writes it.
#pragma once

#include "request_log.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace emag::sandbox {

struct SandboxRequest {
    std::string method; // upper case as sent
    std::string target; // raw, with the query
    std::string path;   // target before '?', not decoded
    std::string query;  // after '?', not decoded
    std::string content_type;
    std::string authorization;
    std::string body;
    bool loopback_peer = false;
    std::chrono::steady_clock::time_point received;
};

struct SandboxResponse {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0}; // latency / hang before writing
    // Set for API requests: the session stamps the latency and appends it
    // to the request log when the response is about to be written.
    std::optional<RequestLogEntry> log;
};

} // namespace emag::sandbox
