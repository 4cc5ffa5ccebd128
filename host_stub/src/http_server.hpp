// HttpServer: Boost.Beast HTTP/1.1 server with a WebSocket event feed at /ws.
//
// Plain HTTP requests are handed to a transport-free handler (router.hpp);
// upgrades on /ws become feed sessions subscribed on the EventBus. Beast stays
// inside http_server.cpp (pimpl) to keep build times low.
#pragma once

#include "event_bus.hpp"
#include "http_types.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace erp::host {

struct HttpServerOptions {
    std::string address = "127.0.0.1";
    uint16_t port = 8080; // 0 = any free port (see HttpServer::port())
    unsigned threads = 2;
    std::size_t max_body_bytes = 8 * 1024 * 1024;
};

class HttpServer {
  public:
    // Called on a server thread, concurrently; must not throw (exceptions are
    // caught and answered with 500 anyway).
    using Handler = std::function<HttpResponse(const HttpRequest&)>;

    HttpServer(HttpServerOptions options, Handler handler, EventBus& events);
    ~HttpServer(); // stops
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts serving on background threads. Throws std::runtime_error
    // naming the address and the reason when it cannot bind.
    void start();
    // The bound port (useful when options.port was 0).
    uint16_t port() const;
    // Closes the listener and every open connection, joins the threads.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace erp::host
