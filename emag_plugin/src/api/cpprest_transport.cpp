// The production Transport: cpprestsdk's http_client (ASIO backend on Linux).
//
// Clients: one web::http::client::http_client per scheme://host:port, made on
// first use under a mutex and kept for the transport's lifetime, so its
// connection pool keeps connections alive between requests. A URL's user
// info and fragment are ignored; only its path and query are sent.
//
// Timeouts. cpprest's ASIO backend has a single setting, set_timeout(), and it
// is an *inactivity* timer: restarted after each step (resolve, connect,
// write, status line, every body read), so it bounds no phase separately and
// a server trickling bytes could hold a request for ever. This file
// therefore keeps its own two timers per attempt, on cpprest's thread pool:
//   - request_timeout, from send(): the whole attempt. When it fires the
//     attempt is cancelled through a pplx cancellation token, which makes
//     cpprest close the socket (the connection is not returned to the
//     pool), and the caller is answered at once (timed_out) without waiting
//     for cpprest to unwind.
//   - connect_timeout, from send(): cancelled the same way unless cpprest
//     has reported upload progress by then. cpprest reports upload progress
//     only once the request headers are written, i.e. after name
//     resolution, TCP connect and the TLS handshake, so this bounds exactly
//     "connect + TLS" (plus a header write that fits in the socket buffer).
//     On a reused keep-alive connection there is no connect and progress
//     comes at once. Honest limits: it measures from send(), so the time
//     cpprest needs to start the request (normally microseconds) counts;
//     and when a pooled connection turns out to be closed by the server,
//     cpprest reconnects transparently after progress was reported, so that
//     reconnect is bounded by request_timeout only.
// cpprest's own set_timeout() is set to request_timeout as a backstop (a
// timeout it reports is also timed_out). Resolution runs on ASIO's resolver
// thread and cannot be interrupted; the timers still answer the caller on
// time and the late result is dropped.
//
// Response headers come as cpprest stores them: one entry per name, repeated
// headers joined with ", ".
//
// Results: `done` runs exactly once (an atomic claim), on a cpprest pool
// thread or inline for a URL that cannot be used. An exception thrown by
// `done` is swallowed: nothing could report it. Errors are built from this
// file's words and cpprest's message, with every request header value (and
// each long token of one, e.g. a Basic credential) scrubbed out, so an
// Authorization value can never appear in one.
//
// Bodies: the request body is sent as raw bytes with Content-Type from
// HttpRequest::content_type (a Content-Type or Content-Length among the
// headers is dropped then; cpprest computes the length). The response body
// is taken with extract_vector(): raw bytes, whatever the content type or
// encoding.
#include "api/transport.hpp"

#include <boost/asio/steady_timer.hpp>
#include <cpprest/http_client.h>
#include <cpprest/uri.h>
#include <pplx/threadpool.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <exception>
#include <map>
#include <mutex>

namespace erp::emag {

namespace {

namespace http = web::http;
namespace client = web::http::client;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// `text` with each secret replaced, cut to a short single line.
std::string scrub(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& s : secrets) {
        for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos)) {
            text.replace(pos, s.size(), "<redacted>");
            pos += 10;
        }
    }
    for (auto& c : text) {
        if (static_cast<unsigned char>(c) < 0x20) {
            c = ' ';
        }
    }
    constexpr std::size_t kMaxError = 300;
    if (text.size() > kMaxError) {
        text.resize(kMaxError);
    }
    return text;
}

// Header values and their whitespace-separated tokens, 6 bytes or longer:
// what an error must never contain. (Shorter ones are no credential, and
// scrubbing "1" would garble every number.)
std::vector<std::string> secrets_of(const HttpRequest& r) {
    std::vector<std::string> out;
    constexpr std::size_t kMinToken = 6;
    for (const auto& [name, value] : r.headers) {
        if (value.size() >= kMinToken) {
            out.push_back(value);
        }
        std::size_t start = 0;
        while (start < value.size()) {
            auto end = value.find_first_of(" \t", start);
            if (end == std::string::npos) {
                end = value.size();
            }
            if (end - start >= kMinToken && end - start < value.size()) {
                out.push_back(value.substr(start, end - start));
            }
            start = end + 1;
        }
    }
    // Longest first, so a value is replaced before a token inside it.
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    return out;
}

HttpResponse failure(std::string error, bool timed_out = false) {
    HttpResponse r;
    r.transport_failed = true;
    r.timed_out = timed_out;
    r.error = std::move(error);
    return r;
}

void call(const Transport::Callback& done, HttpResponse r) {
    try {
        done(std::move(r));
    } catch (...) { // nothing could report it; cpprest must not see it either
    }
}

// One send(): the callback, its once-only claim and its timers.
class Attempt : public std::enable_shared_from_this<Attempt> {
  public:
    Attempt(Transport::Callback done, std::vector<std::string> secrets)
        : done_(std::move(done)), secrets_(std::move(secrets)),
          connect_timer_(crossplat::threadpool::shared_instance().service()),
          total_timer_(crossplat::threadpool::shared_instance().service()) {}

    pplx::cancellation_token token() const { return cts_.get_token(); }
    void mark_connected() { connected_.store(true); }

    void start_timers(std::chrono::milliseconds connect_timeout, std::chrono::milliseconds request_timeout) {
        std::lock_guard lock(timer_mu_);
        if (finished_.load()) {
            return;
        }
        if (connect_timeout < request_timeout) {
            connect_timer_.expires_after(connect_timeout);
            connect_timer_.async_wait(
                [self = shared_from_this(), connect_timeout](const boost::system::error_code& ec) {
                    if (!ec && !self->connected_.load()) {
                        self->expire("connect timed out after " + std::to_string(connect_timeout.count()) + " ms");
                    }
                });
        }
        total_timer_.expires_after(request_timeout);
        total_timer_.async_wait([self = shared_from_this(), request_timeout](const boost::system::error_code& ec) {
            if (!ec) {
                self->expire((self->connected_.load() ? "request timed out after " : "connect timed out after ") +
                             std::to_string(request_timeout.count()) + " ms");
            }
        });
    }

    // The first call delivers; later ones (a result after a timeout) do nothing.
    void complete(HttpResponse r) {
        if (!claim()) {
            return;
        }
        if (r.transport_failed) {
            r.error = scrub(std::move(r.error), secrets_);
        }
        deliver(std::move(r));
    }

  private:
    void expire(const std::string& what) {
        if (!claim()) {
            return;
        }
        cts_.cancel(); // cpprest closes the socket; its late result is dropped
        deliver(failure(what, true));
    }

    bool claim() {
        if (finished_.exchange(true)) {
            return false;
        }
        std::lock_guard lock(timer_mu_);
        connect_timer_.cancel(); // pending waits end with operation_aborted
        total_timer_.cancel();
        return true;
    }

    void deliver(HttpResponse r) {
        auto done = std::move(done_);
        done_ = nullptr;
        call(done, std::move(r));
    }

    Transport::Callback done_;
    const std::vector<std::string> secrets_;
    pplx::cancellation_token_source cts_;
    std::atomic<bool> finished_{false};
    std::atomic<bool> connected_{false};
    std::mutex timer_mu_;
    boost::asio::steady_timer connect_timer_;
    boost::asio::steady_timer total_timer_;
};

// Status, headers (names lower-cased) and content type; the body comes later.
HttpResponse head_of(const http::http_response& resp) {
    HttpResponse out;
    out.status = resp.status_code();
    for (const auto& [name, value] : resp.headers()) {
        out.headers.emplace_back(lower(name), value);
    }
    if (const auto* ct = out.header("content-type")) {
        out.content_type = *ct;
    }
    return out;
}

// The failure for an exception from cpprest.
HttpResponse failure_of(std::exception_ptr ep) {
    try {
        std::rethrow_exception(ep);
    } catch (const http::http_exception& e) {
        const bool timed_out = e.error_code().value() == ETIMEDOUT;
        return failure(std::string(timed_out ? "timed out: " : "connection failed: ") + e.what(), timed_out);
    } catch (const pplx::task_canceled&) {
        return failure("request cancelled");
    } catch (const std::exception& e) {
        return failure(std::string("transport error: ") + e.what());
    } catch (...) {
        return failure("transport error");
    }
}

class CpprestTransport final : public Transport {
  public:
    explicit CpprestTransport(TransportOptions options) : options_(options) {
        if (options_.request_timeout <= std::chrono::milliseconds::zero()) {
            options_.request_timeout = std::chrono::milliseconds(1);
        }
    }

    void send(HttpRequest request, Callback done) override {
        if (!done) {
            done = [](HttpResponse) {};
        }
        std::shared_ptr<Attempt> attempt;
        try {
            attempt = std::make_shared<Attempt>(done, secrets_of(request));
        } catch (...) {
            return call(done, failure("transport error: cannot start the request"));
        }
        try {
            start(std::move(request), attempt);
        } catch (...) {
            attempt->complete(failure_of(std::current_exception()));
        }
    }

  private:
    void start(HttpRequest request, const std::shared_ptr<Attempt>& attempt) {
        std::string base;
        std::string key;
        std::string target;
        if (!split_url(request.url, base, key, target)) {
            return attempt->complete(failure("invalid URL (want http:// or https:// with a host)"));
        }
        auto http_client = client_for(base, key);

        http::http_request req(request.method);
        req.set_request_uri(web::uri(target));
        const bool with_body = !request.body.empty();
        for (const auto& [name, value] : request.headers) {
            const auto n = lower(name);
            if (with_body && (n == "content-type" || n == "content-length")) {
                continue;
            }
            req.headers().add(name, value);
        }
        if (with_body) {
            req.set_body(std::move(request.body),
                         request.content_type.empty() ? std::string("application/octet-stream") : request.content_type);
        }
        req.set_progress_handler(
            [weak = std::weak_ptr<Attempt>(attempt)](http::message_direction::direction d, utility::size64_t) {
                if (d == http::message_direction::upload) {
                    if (auto a = weak.lock()) {
                        a->mark_connected();
                    }
                }
            });

        attempt->start_timers(options_.connect_timeout, options_.request_timeout);
        http_client->request(req, attempt->token())
            .then([](http::http_response resp) {
                auto head = std::make_shared<HttpResponse>(head_of(resp));
                return resp.extract_vector().then([head](std::vector<unsigned char> bytes) {
                    head->body.assign(bytes.begin(), bytes.end());
                    return std::move(*head);
                });
            })
            .then([attempt, http_client](pplx::task<HttpResponse> t) {
                HttpResponse out;
                try {
                    out = t.get();
                } catch (...) {
                    out = failure_of(std::current_exception());
                }
                attempt->complete(std::move(out));
            });
    }

    // "https://h:8443/a/b?c" -> base "https://h:8443", key "https://h:8443",
    // target "/a/b?c". A default port stays out of the base (and so out of
    // the Host header) but is in the key.
    static bool split_url(const std::string& url, std::string& base, std::string& key, std::string& target) {
        web::uri u;
        try {
            u = web::uri(url);
        } catch (...) {
            return false;
        }
        const auto scheme = lower(u.scheme());
        if ((scheme != "http" && scheme != "https") || u.host().empty()) {
            return false;
        }
        const int port = u.port() > 0 ? u.port() : (scheme == "https" ? 443 : 80);
        base = scheme + "://" + u.host();
        if (u.port() > 0) {
            base += ":" + std::to_string(port);
        }
        key = scheme + "://" + lower(u.host()) + ":" + std::to_string(port);
        target = u.path().empty() ? "/" : u.path();
        if (!u.query().empty()) {
            target += "?" + u.query();
        }
        return true;
    }

    std::shared_ptr<client::http_client> client_for(const std::string& base, const std::string& key) {
        std::lock_guard lock(mu_);
        auto& slot = clients_[key];
        if (!slot) {
            client::http_client_config config;
            config.set_validate_certificates(options_.verify_tls);
            config.set_timeout(options_.request_timeout); // backstop; see the file comment
            slot = std::make_shared<client::http_client>(web::uri(base), config);
        }
        return slot;
    }

    TransportOptions options_;
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<client::http_client>> clients_;
};

} // namespace

std::shared_ptr<Transport> make_cpprest_transport(TransportOptions options) {
    return std::make_shared<CpprestTransport>(options);
}

} // namespace erp::emag
