#define BOOST_TEST_MODULE http_server
#include <boost/test/unit_test.hpp>

#include "event_bus.hpp"
#include "http_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using json = nlohmann::json;
using namespace std::chrono_literals;

using erp::host::EventBus;
using erp::host::HttpRequest;
using erp::host::HttpResponse;
using erp::host::HttpServer;
using erp::host::HttpServerOptions;

namespace {

// Every client operation below is bounded by this (Beast's stream timeout),
// so a server bug fails a test instead of hanging it.
constexpr auto kIoDeadline = 10s;

// Runs one asynchronous operation to completion on `ioc` and returns its
// error code. The stream's expiry guarantees that it completes.
template <class Start>
error_code run_op(net::io_context& ioc, Start&& start) {
    std::optional<error_code> result;
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    BOOST_REQUIRE(result.has_value());
    return *result;
}

tcp::endpoint loopback(uint16_t port) {
    return {net::ip::make_address("127.0.0.1"), port};
}

// A keep-alive HTTP/1.1 client on one connection.
class HttpClient {
  public:
    explicit HttpClient(uint16_t port) {
        stream_.expires_after(kIoDeadline);
        const auto ec = run_op(ioc_, [&](auto h) { stream_.async_connect(loopback(port), h); });
        BOOST_REQUIRE_MESSAGE(!ec, "connect: " << ec.message());
    }

    void write(http::request<http::string_body> req) {
        if (req[http::field::host].empty())
            req.set(http::field::host, "127.0.0.1");
        req.prepare_payload();
        stream_.expires_after(kIoDeadline);
        const auto ec = run_op(ioc_, [&](auto h) { http::async_write(stream_, req, h); });
        BOOST_REQUIRE_MESSAGE(!ec, "write: " << ec.message());
    }

    void write_raw(const std::string& bytes) {
        stream_.expires_after(kIoDeadline);
        const auto ec = run_op(ioc_, [&](auto h) { net::async_write(stream_, net::buffer(bytes), h); });
        BOOST_REQUIRE_MESSAGE(!ec, "write: " << ec.message());
    }

    http::response<http::string_body> read(bool head = false) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        parser.skip(head); // a response to HEAD announces a body it does not send
        stream_.expires_after(kIoDeadline);
        const auto ec = run_op(ioc_, [&](auto h) { http::async_read(stream_, buffer_, parser, h); });
        BOOST_REQUIRE_MESSAGE(!ec, "read: " << ec.message());
        return parser.release();
    }

    http::response<http::string_body> request(http::verb method, const std::string& target, std::string body = {}) {
        http::request<http::string_body> req{method, target, 11};
        req.body() = std::move(body);
        write(std::move(req));
        return read(method == http::verb::head);
    }

    // The error a read gets when the server closed the connection.
    error_code read_until_closed() {
        std::array<char, 512> scratch{};
        stream_.expires_after(kIoDeadline);
        for (;;) {
            const auto ec = run_op(ioc_, [&](auto h) { stream_.async_read_some(net::buffer(scratch), h); });
            if (ec)
                return ec;
        }
    }

  private:
    net::io_context ioc_;
    beast::tcp_stream stream_{ioc_};
    beast::flat_buffer buffer_;
};

// A WebSocket client of the /ws feed.
class WsClient {
  public:
    WsClient(uint16_t port, const std::string& target) {
        auto& tcp_layer = beast::get_lowest_layer(ws_);
        tcp_layer.expires_after(kIoDeadline);
        auto ec = run_op(ioc_, [&](auto h) { tcp_layer.async_connect(loopback(port), h); });
        BOOST_REQUIRE_MESSAGE(!ec, "connect: " << ec.message());
        tcp_layer.expires_after(kIoDeadline);
        ec = run_op(ioc_, [&](auto h) { ws_.async_handshake(handshake_response, "127.0.0.1", target, h); });
        BOOST_REQUIRE_MESSAGE(!ec, "handshake: " << ec.message());
    }

    // The next text message; fails the test on error or timeout.
    std::string read_text() {
        auto r = try_read();
        BOOST_REQUIRE_MESSAGE(!r.first, "ws read: " << r.first.message());
        return r.second;
    }
    json read_json() { return json::parse(read_text()); }

    std::pair<error_code, std::string> try_read() {
        beast::flat_buffer buffer;
        beast::get_lowest_layer(ws_).expires_after(kIoDeadline);
        const auto ec = run_op(ioc_, [&](auto h) { ws_.async_read(buffer, h); });
        if (ec)
            return {ec, {}};
        BOOST_TEST(ws_.got_text());
        return {ec, beast::buffers_to_string(buffer.data())};
    }

    void send(const std::string& text, bool binary = false) {
        ws_.binary(binary);
        beast::get_lowest_layer(ws_).expires_after(kIoDeadline);
        const auto ec = run_op(ioc_, [&](auto h) { ws_.async_write(net::buffer(text), h); });
        BOOST_REQUIRE_MESSAGE(!ec, "ws write: " << ec.message());
    }

    websocket::close_reason reason() const { return ws_.reason(); }

    websocket::response_type handshake_response;

  private:
    net::io_context ioc_;
    websocket::stream<beast::tcp_stream> ws_{ioc_};
};

// The handler the tests route to: records requests and answers by path.
struct TestHandler {
    std::mutex mu;
    std::vector<HttpRequest> seen;
    std::atomic<int> calls{0};

    HttpResponse operator()(const HttpRequest& req) {
        ++calls;
        {
            std::lock_guard lock(mu);
            seen.push_back(req);
        }
        if (req.path == "/throw")
            throw std::runtime_error("handler bug");
        if (req.path == "/health")
            return HttpResponse::json(200, R"({"status":"ok"})");
        if (req.path == "/custom") {
            HttpResponse r;
            r.status = 201;
            r.content_type = "text/plain";
            r.headers = {{"X-Answer", "42"}, {"X-Bad", "a\r\nInjected: yes"}};
            r.body = "created";
            return r;
        }
        json echo = {{"method", req.method}, {"path", req.path}, {"query", req.query}, {"body", req.body}};
        return HttpResponse::json(200, echo.dump());
    }

    HttpRequest last() {
        std::lock_guard lock(mu);
        BOOST_REQUIRE(!seen.empty());
        return seen.back();
    }
};

HttpServerOptions make_options(std::size_t max_body = 8 * 1024 * 1024) {
    HttpServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.max_body_bytes = max_body;
    return o;
}

struct ServerFixture {
    explicit ServerFixture(HttpServerOptions options = make_options()) {
        server.emplace(
            std::move(options), [this](const HttpRequest& r) { return handler(r); }, bus);
        server->start();
    }
    uint16_t port() const { return server->port(); }

    // Declared before the server: the server must go first.
    EventBus bus;
    TestHandler handler;
    std::optional<HttpServer> server;
};

// Runs `fn` on a thread and waits for it at most `deadline`. A hang cannot be
// recovered from (the thread still uses the stack of the test), so it aborts
// the run with a message rather than blocking CTest until its timeout.
void finishes_within(std::chrono::seconds deadline, const char* what, std::function<void()> fn) {
    std::packaged_task<void()> task(std::move(fn));
    auto done = task.get_future();
    std::thread t(std::move(task));
    if (done.wait_for(deadline) != std::future_status::ready) {
        std::fprintf(stderr, "FATAL: %s did not finish within %llds\n", what, static_cast<long long>(deadline.count()));
        std::abort();
    }
    t.join();
    done.get();
}

} // namespace

BOOST_AUTO_TEST_CASE(binds_port_zero_and_routes_a_decoded_request) {
    ServerFixture f;
    BOOST_TEST(f.port() != 0);

    HttpClient client(f.port());
    http::request<http::string_body> req{http::verb::post, "/echo/a%20b/%C3%A9?x=1&y=%20z", 11};
    req.set("X-Custom-Header", "Value 1");
    req.insert("X-Repeated", "a");
    req.insert("X-Repeated", "b");
    req.set(http::field::content_type, "application/json");
    req.body() = R"({"hello":"world"})";
    client.write(req);
    const auto res = client.read();

    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(res[http::field::server] == "erp-host");
    BOOST_TEST(res[http::field::content_type] == "application/json");
    BOOST_TEST(res.keep_alive());

    const auto seen = f.handler.last();
    BOOST_TEST(seen.method == "POST");
    BOOST_TEST(seen.target == "/echo/a%20b/%C3%A9?x=1&y=%20z");
    BOOST_TEST(seen.path == "/echo/a b/\xC3\xA9");
    BOOST_TEST(seen.query == "x=1&y=%20z"); // raw, for the router to parse
    BOOST_TEST(seen.body == R"({"hello":"world"})");
    BOOST_TEST(seen.remote_address == "127.0.0.1");
    BOOST_TEST(seen.headers.count("x-custom-header") == 1u);
    BOOST_TEST(seen.headers.at("x-custom-header") == "Value 1");
    BOOST_TEST(seen.headers.at("x-repeated") == "a, b");
    BOOST_TEST(seen.headers.at("content-type") == "application/json");
    BOOST_TEST(seen.headers.at("host") == "127.0.0.1");
    BOOST_TEST(seen.headers.count("X-Custom-Header") == 0u);

    const auto body = json::parse(res.body());
    BOOST_TEST(body.at("path") == "/echo/a b/\xC3\xA9");
}

BOOST_AUTO_TEST_CASE(response_fields_come_from_the_handler) {
    ServerFixture f;
    HttpClient client(f.port());
    const auto res = client.request(http::verb::get, "/custom");
    BOOST_TEST(res.result_int() == 201u);
    BOOST_TEST(res[http::field::content_type] == "text/plain");
    BOOST_TEST(res["X-Answer"] == "42");
    BOOST_TEST(res.count("X-Bad") == 0u); // CR/LF in a value would split the response
    BOOST_TEST(res.count("Injected") == 0u);
    BOOST_TEST(res.body() == "created");
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_many_requests_on_one_connection) {
    ServerFixture f;
    HttpClient client(f.port());
    for (int i = 0; i < 5; ++i) {
        const auto res = client.request(http::verb::get, "/n?i=" + std::to_string(i));
        BOOST_TEST(res.result_int() == 200u);
        BOOST_TEST(res.keep_alive());
        BOOST_TEST(json::parse(res.body()).at("query") == "i=" + std::to_string(i));
    }
    // Two requests written back to back before reading (pipelining): the
    // second one, already buffered, must not be lost.
    client.write_raw("GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\n\r\n");
    BOOST_TEST(json::parse(client.read().body()).at("path") == "/p1");
    BOOST_TEST(json::parse(client.read().body()).at("path") == "/p2");
    BOOST_TEST(f.handler.calls.load() == 7);

    // Connection: close is honoured: answered, then closed.
    http::request<http::string_body> last{http::verb::get, "/bye", 11};
    last.keep_alive(false);
    client.write(last);
    BOOST_TEST(!client.read().keep_alive());
    BOOST_TEST((client.read_until_closed() == net::error::eof));
}

BOOST_AUTO_TEST_CASE(body_over_the_limit_is_413) {
    ServerFixture f(make_options(1024));
    {
        HttpClient client(f.port());
        const auto ok = client.request(http::verb::post, "/upload", std::string(1024, 'a')); // exactly the limit
        BOOST_TEST(ok.result_int() == 200u);
    }
    const int calls_before = f.handler.calls.load();
    {
        HttpClient client(f.port());
        const auto res = client.request(http::verb::post, "/upload", std::string(4096, 'a'));
        BOOST_TEST(res.result_int() == 413u);
        BOOST_TEST(!res.keep_alive());
        const auto body = json::parse(res.body());
        BOOST_TEST(body.at("error").at("code") == "payload_too_large");
        BOOST_TEST(body.at("error").at("message").is_string());
    }
    {
        // Chunked: the size is unknown up front, the limit trips mid-body.
        HttpClient client(f.port());
        client.write_raw("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "800\r\n" +
                         std::string(0x800, 'b') + "\r\n800\r\n" + std::string(0x800, 'b') + "\r\n0\r\n\r\n");
        const auto res = client.read();
        BOOST_TEST(res.result_int() == 413u);
    }
    BOOST_TEST(f.handler.calls.load() == calls_before); // the handler never saw them
}

BOOST_AUTO_TEST_CASE(handler_exception_becomes_500_json) {
    ServerFixture f;
    HttpClient client(f.port());
    const auto res = client.request(http::verb::get, "/throw");
    BOOST_TEST(res.result_int() == 500u);
    BOOST_TEST(res[http::field::content_type] == "application/json");
    const auto body = json::parse(res.body());
    BOOST_TEST(body.at("error").at("code") == "internal_error");
    // The connection survives the handler's failure.
    BOOST_TEST(client.request(http::verb::get, "/health").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(head_has_headers_but_no_body) {
    ServerFixture f;
    HttpClient client(f.port());
    const auto head = client.request(http::verb::head, "/health");
    BOOST_TEST(head.result_int() == 200u);
    BOOST_TEST(head[http::field::content_length] == std::to_string(std::string(R"({"status":"ok"})").size()));
    BOOST_TEST(head.body().empty());
    BOOST_TEST(f.handler.last().method == "GET"); // served by the GET route
    // Had the server sent body bytes after the HEAD response, they would be
    // parsed as the start of this response and break it.
    const auto get = client.request(http::verb::get, "/health");
    BOOST_TEST(get.result_int() == 200u);
    BOOST_TEST(get.body() == R"({"status":"ok"})");
}

BOOST_AUTO_TEST_CASE(malformed_requests_get_400) {
    ServerFixture f;
    {
        HttpClient client(f.port());
        const auto res = client.request(http::verb::get, "/bad%zzescape");
        BOOST_TEST(res.result_int() == 400u);
        BOOST_TEST(json::parse(res.body()).at("error").at("code") == "bad_request");
    }
    {
        HttpClient client(f.port());
        client.write_raw("GARBAGE\r\n\r\n");
        BOOST_TEST(client.read().result_int() == 400u);
    }
    BOOST_TEST(f.handler.calls.load() == 0);
}

BOOST_AUTO_TEST_CASE(bind_failure_names_address_and_reason) {
    ServerFixture first;
    auto options = make_options();
    options.port = first.port();
    EventBus bus;
    HttpServer second(
        options, [](const HttpRequest&) { return HttpResponse::json(200, "{}"); }, bus);
    const std::string where = "127.0.0.1:" + std::to_string(first.port());
    BOOST_CHECK_EXCEPTION(second.start(), std::runtime_error, [&](const std::runtime_error& e) {
        const std::string what = e.what();
        BOOST_TEST_MESSAGE("bind failure: " << what);
        return what.find(where) != std::string::npos && what.find("in use") != std::string::npos;
    });
    // The first server is unaffected.
    HttpClient client(first.port());
    BOOST_TEST(client.request(http::verb::get, "/health").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(plain_get_on_ws_goes_to_the_handler) {
    ServerFixture f;
    HttpClient client(f.port());
    const auto res = client.request(http::verb::get, "/ws?topics=jobs");
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(f.handler.last().path == "/ws");
    BOOST_TEST(f.handler.last().query == "topics=jobs");
}

BOOST_AUTO_TEST_CASE(ws_hello_and_events_by_query_topics) {
    ServerFixture f;
    WsClient ws(f.port(), "/ws?topics=jobs,emag.%2A");
    BOOST_TEST(ws.handshake_response[http::field::server] == "erp-host");

    const auto hello = ws.read_json();
    BOOST_TEST(hello.at("type") == "hello");
    BOOST_TEST(hello.at("topics") == json({"jobs", "emag.*"}));

    // hello is sent once the subscription is live, so these are all seen.
    const std::string payload = R"({"job":"orders.sync",  "progress": 0.5, "tags":[1,"x",null]})";
    const auto before =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    f.bus.publish("jobs", payload);
    f.bus.publish("other.topic", R"({"not":"for you"})");
    f.bus.publish("emag", R"({"not":"for you either"})");
    f.bus.publish("emag.orders", "[1,2]");

    const std::string first = ws.read_text();
    // The published text is embedded verbatim (whitespace included).
    BOOST_TEST(first.find(R"("event":)" + payload + "}") != std::string::npos);
    const auto e1 = json::parse(first);
    BOOST_TEST(e1.at("topic") == "jobs");
    BOOST_TEST(e1.at("event") == json::parse(payload));
    BOOST_TEST(e1.at("ts").get<int64_t>() >= before);
    BOOST_TEST(e1.at("seq").is_number_unsigned());

    // Per-connection order is publication order, so the non-matching events
    // published in between would have arrived here had they been sent.
    const auto e2 = ws.read_json();
    BOOST_TEST(e2.at("topic") == "emag.orders");
    BOOST_TEST(e2.at("event") == json::parse("[1,2]"));
    BOOST_TEST(e2.at("seq").get<uint64_t>() == e1.at("seq").get<uint64_t>() + 3);
}

BOOST_AUTO_TEST_CASE(ws_subscribe_and_unsubscribe_by_message) {
    ServerFixture f;
    WsClient ws(f.port(), "/ws");
    const auto hello = ws.read_json();
    BOOST_TEST(hello.at("type") == "hello");
    BOOST_TEST(hello.at("topics") == json::array());

    ws.send(R"({"subscribe":["alerts","jobs"]})");
    auto reply = ws.read_json();
    BOOST_TEST(reply.at("type") == "subscribed");
    BOOST_TEST(reply.at("topics") == json({"alerts", "jobs"}));

    f.bus.publish("misc", "1");
    f.bus.publish("alerts", R"({"level":"warn"})");
    auto ev = ws.read_json();
    BOOST_TEST(ev.at("topic") == "alerts");
    BOOST_TEST(ev.at("event").at("level") == "warn");

    ws.send(R"({"unsubscribe":["alerts"]})");
    reply = ws.read_json();
    BOOST_TEST(reply.at("type") == "subscribed");
    BOOST_TEST(reply.at("topics") == json({"jobs"})); // the complete current set

    f.bus.publish("alerts", "2");
    f.bus.publish("jobs", "3");
    ev = ws.read_json();
    BOOST_TEST(ev.at("topic") == "jobs");
    BOOST_TEST(ev.at("event") == 3);
}

BOOST_AUTO_TEST_CASE(ws_invalid_messages_get_an_error_and_the_connection_stays) {
    ServerFixture f;
    WsClient ws(f.port(), "/ws?topics=jobs");
    BOOST_TEST(ws.read_json().at("type") == "hello");

    for (const std::string bad : {"not json", "[1,2]", R"({"subscribe":"jobs"})", R"({"subscribe":[1]})",
                                  R"({"subscribe":[""]})", R"({"subscrbe":["x"]})", "{}"}) {
        ws.send(bad);
        const auto reply = ws.read_json();
        BOOST_TEST(reply.at("type") == "error", "for " << bad);
        BOOST_TEST(!reply.at("message").get<std::string>().empty());
    }
    ws.send("binary", true);
    BOOST_TEST(ws.read_json().at("type") == "error");

    // Still subscribed, still listening.
    ws.send(R"({"subscribe":["alerts"]})");
    BOOST_TEST(ws.read_json().at("topics") == json({"jobs", "alerts"}));
    f.bus.publish("jobs", R"({"still":"here"})");
    BOOST_TEST(ws.read_json().at("event").at("still") == "here");
}

// A client that does not read: publish must not block, the server queues up
// to its bound and then drops the oldest events, and says how many before the
// next event it sends. Every event is accounted for: sent or counted.
BOOST_AUTO_TEST_CASE(ws_slow_client_gets_dropped_notice) {
    ServerFixture f;
    WsClient ws(f.port(), "/ws?topics=bulk,end");
    BOOST_TEST(ws.read_json().at("type") == "hello");

    // Enough data to fill the socket buffers and then the 1024-event queue.
    constexpr int kEvents = 4000;
    const std::string filler(16 * 1024, 'x');
    finishes_within(std::chrono::seconds(60), "publishing to a stalled client", [&] {
        for (int i = 0; i < kEvents; ++i)
            f.bus.publish("bulk", R"({"i":)" + std::to_string(i) + R"(,"pad":")" + filler + "\"}");
        f.bus.publish("end", "true");
    });

    uint64_t received = 0;
    uint64_t dropped_total = 0;
    uint64_t pending_dropped = 0;
    uint64_t last_seq = 0;
    int gap_mismatches = 0;
    for (;;) {
        const auto msg = ws.read_json();
        if (msg.contains("type")) {
            BOOST_REQUIRE(msg.at("type") == "dropped");
            BOOST_TEST(msg.at("count").get<uint64_t>() > 0u);
            pending_dropped += msg.at("count").get<uint64_t>();
            dropped_total += msg.at("count").get<uint64_t>();
            continue;
        }
        const auto seq = msg.at("seq").get<uint64_t>();
        // The events skipped between two that arrive are exactly the ones
        // announced as dropped in between.
        if (last_seq != 0 && seq != last_seq + 1 + pending_dropped)
            ++gap_mismatches;
        last_seq = seq;
        pending_dropped = 0;
        if (msg.at("topic") == "end")
            break;
        ++received;
    }
    BOOST_TEST_MESSAGE("received " << received << ", dropped " << dropped_total);
    BOOST_TEST(dropped_total > 0u);
    BOOST_TEST(gap_mismatches == 0);
    BOOST_TEST(received + dropped_total == static_cast<uint64_t>(kEvents));
}

BOOST_AUTO_TEST_CASE(stop_returns_with_connected_clients) {
    ServerFixture f;
    WsClient ws(f.port(), "/ws?topics=jobs");
    BOOST_TEST(ws.read_json().at("type") == "hello");
    HttpClient idle(f.port());
    BOOST_TEST(idle.request(http::verb::get, "/health").result_int() == 200u);
    // Neither client reads while the server stops.

    finishes_within(std::chrono::seconds(20), "HttpServer::stop()", [&] { f.server->stop(); });

    // The WebSocket client was told the server is going away (a close frame
    // with code 1001 waits in its receive buffer).
    const auto [ec, text] = ws.try_read();
    // How the read ends depends on whether the server's close timer has
    // already dropped the TCP connection; the close frame is what counts.
    BOOST_TEST(ec.failed());
    BOOST_TEST(text.empty());
    BOOST_TEST((ws.reason().code == websocket::close_code::going_away), "close code " << ws.reason().code);
    // The idle keep-alive connection was closed.
    const auto closed = idle.read_until_closed();
    BOOST_TEST((closed == net::error::eof || closed == net::error::connection_reset), closed.message());
    // And nobody listens any more.
    net::io_context ioc;
    tcp::socket probe(ioc);
    error_code connect_ec;
    probe.connect(loopback(f.port()), connect_ec);
    BOOST_TEST((connect_ec == net::error::connection_refused), connect_ec.message());

    // stop() is idempotent and the destructor is fine after it.
    finishes_within(std::chrono::seconds(20), "second stop()", [&] { f.server->stop(); });
    f.server.reset();
}

BOOST_AUTO_TEST_CASE(server_destroyed_without_start_or_with_no_clients) {
    EventBus bus;
    {
        HttpServer never_started(
            make_options(), [](const HttpRequest&) { return HttpResponse{}; }, bus);
    }
    uint16_t port = 0;
    finishes_within(std::chrono::seconds(20), "stop with no clients", [&] {
        HttpServer s(
            make_options(), [](const HttpRequest&) { return HttpResponse{}; }, bus);
        s.start();
        port = s.port();
    });
    BOOST_TEST(port != 0);
}
