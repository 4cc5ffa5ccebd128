// HttpClient: a small synchronous HTTP/1.1 keep-alive client (Boost.Beast)
// with a deadline on every request. The mutator uses it for new-order
// callbacks; tests and the benchmark use it to talk to the sandbox like an
// integrator's client would (one connection, many requests).
//
// Plain http:// only: callbacks go to local test listeners, and the sandbox
// links no TLS. Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace emag::sandbox {

struct HttpReply {
    unsigned status = 0;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
};

// The request did not complete within its deadline.
struct HttpTimeout : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct HttpUrl {
    std::string host;
    uint16_t port = 80;
    std::string target; // path and query, "/" at least
};

// Parses "http://host[:port][/path][?query]"; nullopt for anything else.
std::optional<HttpUrl> parse_http_url(const std::string& url);

class HttpClient {
  public:
    HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends one request on the kept-alive connection, (re)connecting when
    // needed. Throws HttpTimeout past the deadline, std::runtime_error on
    // connection or protocol errors (the connection is then dropped).
    HttpReply request(const std::string& method, const std::string& target, const std::string& body = "",
                      const std::map<std::string, std::string>& headers = {});

    void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }
    // Connections opened so far (1 while keep-alive holds).
    unsigned connects() const { return connects_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string host_;
    uint16_t port_;
    std::chrono::milliseconds timeout_;
    unsigned connects_ = 0;
};

// "Basic base64(user:password)".
std::string basic_auth(const std::string& user, const std::string& password);

} // namespace emag::sandbox
