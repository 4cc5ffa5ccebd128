#include "http_client.hpp"

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <optional>

namespace erp::test {
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

uint16_t free_port() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

HttpResult http_request(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                        const std::map<std::string, std::string>& headers) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(http::field::user_agent, "erp-tests");
    for (const auto& [k, v] : headers) {
        req.set(k, v);
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        if (headers.find("content-type") == headers.end() && headers.find("Content-Type") == headers.end()) {
            req.set(http::field::content_type, "application/json");
        }
        req.body() = body;
        req.prepare_payload();
    }
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    if (method == "HEAD") {
        parser.skip(true);
    }
    http::read(stream, buffer, parser);
    auto res = parser.release();
    HttpResult out;
    out.status = res.result_int();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        out.headers[name] = std::string(f.value());
    }
    out.body = std::move(res.body());
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return out;
}

struct WsClient::Impl {
    asio::io_context ioc;
    beast::websocket::stream<beast::tcp_stream> ws{ioc};
};

WsClient::WsClient(uint16_t port, const std::string& target, const std::string& origin)
    : impl_(std::make_unique<Impl>()) {
    beast::get_lowest_layer(impl_->ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    if (!origin.empty()) {
        impl_->ws.set_option(beast::websocket::stream_base::decorator(
            [origin](beast::websocket::request_type& req) { req.set(http::field::origin, origin); }));
    }
    impl_->ws.handshake("127.0.0.1:" + std::to_string(port), target);
}

WsClient::~WsClient() {
    beast::error_code ec;
    beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

void WsClient::send(const std::string& text) {
    impl_->ws.text(true);
    impl_->ws.write(asio::buffer(text));
}

std::string WsClient::receive(std::chrono::milliseconds timeout) {
    // Asynchronous read driven with a deadline, so a missing event fails the
    // test at the deadline instead of hanging it.
    beast::flat_buffer buffer;
    std::optional<beast::error_code> result;
    impl_->ws.async_read(buffer, [&](beast::error_code ec, std::size_t) { result = ec; });
    impl_->ioc.restart();
    impl_->ioc.run_for(timeout);
    if (!result) {
        // Timed out: cancel the read and let its handler run.
        beast::get_lowest_layer(impl_->ws).cancel();
        impl_->ioc.restart();
        impl_->ioc.run();
        return "";
    }
    if (*result) {
        throw beast::system_error(*result);
    }
    return beast::buffers_to_string(buffer.data());
}

std::string WsClient::receive_until(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return "";
        }
        const std::string msg = receive(left);
        if (msg.empty()) {
            return "";
        }
        if (msg.find(needle) != std::string::npos) {
            return msg;
        }
    }
}

bool wait_http_ready(uint16_t port, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        try {
            if (http_request(port, "GET", "/health").status == 200) {
                return true;
            }
        } catch (const std::exception&) {
            // not listening yet
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

} // namespace erp::test
