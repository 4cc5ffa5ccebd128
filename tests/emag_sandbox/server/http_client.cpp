#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>

#include <cctype>

namespace emag::sandbox {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

std::optional<HttpUrl> parse_http_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.compare(0, scheme.size(), scheme) != 0)
        return std::nullopt;
    const auto rest = url.substr(scheme.size());
    const auto slash = rest.find_first_of("/?");
    const auto authority = rest.substr(0, slash);
    HttpUrl out;
    out.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (out.target[0] == '?')
        out.target = "/" + out.target;
    const auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
        const auto port = authority.substr(colon + 1);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
            return std::nullopt;
        const auto p = std::stoul(port);
        if (p == 0 || p > 65535)
            return std::nullopt;
        out.port = static_cast<uint16_t>(p);
    }
    if (out.host.empty())
        return std::nullopt;
    return out;
}

std::string basic_auth(const std::string& user, const std::string& password) {
    const std::string plain = user + ":" + password;
    std::string out(beast::detail::base64::encoded_size(plain.size()), '\0');
    out.resize(beast::detail::base64::encode(out.data(), plain.data(), plain.size()));
    return "Basic " + out;
}

struct HttpClient::Impl {
    net::io_context ioc;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
};

HttpClient::HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()), host_(std::move(host)), port_(port), timeout_(timeout) {}

HttpClient::~HttpClient() {
    if (impl_->stream) {
        error_code ec;
        impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    }
}

HttpReply HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                              const std::map<std::string, std::string>& headers) {
    auto& I = *impl_;
    // Every step runs as an async op under the stream's deadline; the
    // io_context is run to completion so the call stays synchronous.
    error_code ec;
    auto run = [&] {
        I.ioc.restart();
        I.ioc.run();
    };
    auto drop = [&] {
        I.stream.reset();
        I.buffer.clear();
    };
    auto fail = [&](const char* step) -> HttpReply {
        const bool timed_out = ec == beast::error::timeout;
        const std::string what =
            std::string("http ") + step + " " + host_ + ":" + std::to_string(port_) + target + ": " + ec.message();
        drop();
        if (timed_out)
            throw HttpTimeout(what);
        throw std::runtime_error(what);
    };
    const auto deadline = std::chrono::steady_clock::now() + timeout_;

    const bool fresh = !I.stream;
    if (fresh) {
        tcp::resolver resolver(I.ioc);
        const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
        if (ec)
            return fail("resolve");
        I.stream.emplace(I.ioc);
        I.stream->expires_at(deadline);
        I.stream->async_connect(endpoints, [&](error_code e, const tcp::endpoint&) { ec = e; });
        run();
        if (ec)
            return fail("connect");
        I.stream->socket().set_option(tcp::no_delay(true), ec);
        ++connects_;
    }

    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    if (req.method() == http::verb::unknown)
        req.method_string(method);
    req.set(http::field::host, host_ + ":" + std::to_string(port_));
    req.set(http::field::user_agent, "emag-sandbox-client");
    for (const auto& [k, v] : headers)
        req.set(k, v);
    if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
        req.body() = body;
        req.prepare_payload();
    }
    req.keep_alive(true);

    I.stream->expires_at(deadline);
    http::async_write(*I.stream, req, [&](error_code e, std::size_t) { ec = e; });
    run();
    if (ec) {
        if (fresh || ec == beast::error::timeout)
            return fail("write");
        // The server closed an idle kept-alive connection: one fresh retry.
        drop();
        return request(method, target, body, headers);
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(512 * 1024 * 1024);
    if (method == "HEAD")
        parser.skip(true);
    I.stream->expires_at(deadline);
    http::async_read(*I.stream, I.buffer, parser, [&](error_code e, std::size_t) { ec = e; });
    run();
    if (ec) {
        if (!fresh && ec == http::error::end_of_stream && !parser.got_some()) {
            drop(); // closed while idle, before answering: retry once fresh
            return request(method, target, body, headers);
        }
        return fail("read");
    }
    auto res = parser.release();
    HttpReply out;
    out.status = res.result_int();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(f.value());
    }
    out.body = std::move(res.body());
    if (!res.keep_alive())
        drop();
    return out;
}

} // namespace emag::sandbox
