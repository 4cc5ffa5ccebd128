// Transport: the narrow seam between the eMAG client and HTTP. The client
// builds complete requests (URL, headers, body) and classifies complete
// responses; a Transport only moves bytes, asynchronously, so several
// requests can be in flight at once. The production implementation is
// cpprestsdk (make_cpprest_transport); its headers stay in
// cpprest_transport.cpp, out of everything else that includes this file.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace erp::emag {

struct HttpRequest {
    std::string method = "POST"; // POST, PATCH, GET
    std::string url;             // absolute: https://marketplace-api.emag.ro/api-3/order/read
    // Sent as given (Authorization among them). Never logged by a transport.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type; // empty: no body
    std::string body;
};

struct HttpResponse {
    // 0 when no HTTP response arrived (see error).
    unsigned status = 0;
    std::string content_type;
    // Header names in lower case ("retry-after", "x-ratelimit-remaining-3second").
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // Set when no complete response arrived: connection refused or reset,
    // TLS failure, timeout. `error` says which in words, with no secrets.
    bool transport_failed = false;
    bool timed_out = false;
    std::string error;

    // The first header with this lower-case name, or nullptr.
    const std::string* header(const std::string& lower_name) const {
        for (const auto& [k, v] : headers) {
            if (k == lower_name) {
                return &v;
            }
        }
        return nullptr;
    }
};

struct TransportOptions {
    // Connecting (TCP + TLS handshake) must finish within this.
    std::chrono::milliseconds connect_timeout{10000};
    // The whole attempt (connect, send, wait, read) must finish within this.
    std::chrono::milliseconds request_timeout{30000};
    // Always true in production; the option exists so a test can show that
    // verification is on (a self-signed server is refused).
    bool verify_tls = true;
};

class Transport {
  public:
    using Callback = std::function<void(HttpResponse)>;
    virtual ~Transport() = default;

    // Sends the request and calls `done` exactly once with the response or
    // the failure, usually on a transport thread; it may also be called
    // inline, before send() returns (an unusable URL, say), so callers must
    // not hold a lock that `done` takes. send() itself never throws.
    virtual void send(HttpRequest request, Callback done) = 0;
};

// cpprestsdk http_client, one per base URL (scheme://host:port), created on
// first use and reused (keep-alive). TLS peer verification on.
std::shared_ptr<Transport> make_cpprest_transport(TransportOptions options);

} // namespace erp::emag
