// A small real HTTP/WebSocket client for tests (Boost.Beast, synchronous, on
// loopback), so host tests talk to the server the way a browser or curl does.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace erp::test {

struct HttpResult {
    unsigned status = 0;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
};

// A loopback TCP port that was free a moment ago (for a server's config).
uint16_t free_port();

// One request on a fresh connection. Throws on connection errors.
HttpResult http_request(uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "", const std::map<std::string, std::string>& headers = {});

// Polls GET /health on `port` until it answers 200 (a server starting up
// refuses connections first); false when `timeout` passes.
bool wait_http_ready(uint16_t port, std::chrono::milliseconds timeout);

// A WebSocket client of the host's /ws feed.
class WsClient {
  public:
    // Throws when the handshake is refused. `origin` is sent as a browser
    // would ("" = no Origin header, as non-browser clients do).
    WsClient(uint16_t port, const std::string& target, const std::string& origin = "");
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    void send(const std::string& text);
    // Next text message, or "" when `timeout` passes first.
    std::string receive(std::chrono::milliseconds timeout);
    // Receives until a message contains `needle` (returns it) or the deadline
    // passes (returns "").
    std::string receive_until(const std::string& needle, std::chrono::milliseconds timeout);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace erp::test
