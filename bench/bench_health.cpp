// bench_health: HTTP keep-alive load generator. Prints figures; never passes
// or fails on them.
//
//   bench_health [--host 127.0.0.1] [--port N] [--path /health]
//                [--connections 16] [--requests 20000]
//
// Each connection is a keep-alive client on its own thread issuing GETs back
// to back; --requests is the total over all connections. Without --port it
// benchmarks an in-process erp::host::HttpServer (port 0) whose handler
// answers GET /health, i.e. the server's own overhead without plugins.
#include "event_bus.hpp"
#include "http_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <latch>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string host = "127.0.0.1";
    std::optional<uint16_t> port;
    std::string path = "/health";
    unsigned connections = 16;
    uint64_t requests = 20000;
};

[[noreturn]] void usage(const char* argv0, const std::string& problem) {
    std::cerr << argv0 << ": " << problem << "\n"
              << "usage: " << argv0
              << " [--host 127.0.0.1] [--port N] [--path /health] [--connections 16] [--requests 20000]\n";
    std::exit(2);
}

uint64_t parse_number(const char* argv0, const std::string& flag, const std::string& text, uint64_t max) {
    try {
        std::size_t used = 0;
        const auto v = std::stoull(text, &used);
        if (used != text.size() || v == 0 || v > max)
            throw std::out_of_range(text);
        return v;
    } catch (const std::exception&) {
        usage(argv0, flag + " needs a number between 1 and " + std::to_string(max) + ", got '" + text + "'");
    }
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h")
            usage(argv[0], "help");
        if (i + 1 >= argc)
            usage(argv[0], "missing value for " + flag);
        const std::string value = argv[++i];
        if (flag == "--host")
            o.host = value;
        else if (flag == "--port")
            o.port = static_cast<uint16_t>(parse_number(argv[0], flag, value, 65535));
        else if (flag == "--path")
            o.path = value;
        else if (flag == "--connections")
            o.connections = static_cast<unsigned>(parse_number(argv[0], flag, value, 4096));
        else if (flag == "--requests")
            o.requests = parse_number(argv[0], flag, value, 1'000'000'000);
        else
            usage(argv[0], "unknown option " + flag);
    }
    return o;
}

struct WorkerResult {
    std::vector<uint32_t> latencies_us; // successful requests only
    uint64_t errors = 0;
    std::string first_error;
};

// One keep-alive connection issuing `count` GETs back to back. A failed
// exchange counts as an error and the connection is re-established.
void run_connection(const Options& o, uint16_t port, uint64_t count, std::latch& ready, std::latch& go,
                    WorkerResult& out) {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    beast::flat_buffer buffer;
    bool connected = false;
    auto note_error = [&](const std::string& what, bool count = true) {
        if (count)
            ++out.errors;
        if (out.first_error.empty())
            out.first_error = what;
    };
    // `count`: whether a failure is charged to a request (the warm-up connect
    // is not; the loop retries and charges it then).
    auto connect = [&](bool count) {
        beast::error_code ec;
        stream.socket().close(ec);
        const auto endpoints = resolver.resolve(o.host, std::to_string(port), ec);
        if (!ec)
            stream.connect(endpoints, ec);
        if (!ec)
            stream.socket().set_option(tcp::no_delay(true), ec);
        connected = !ec;
        if (ec)
            note_error("connect: " + ec.message(), count);
        buffer.clear();
    };

    http::request<http::empty_body> req{http::verb::get, o.path, 11};
    req.set(http::field::host, o.host);
    req.set(http::field::user_agent, "erp-bench-health");
    req.keep_alive(true);

    out.latencies_us.reserve(count);
    connect(false); // before the clock starts: measure requests, not handshakes
    ready.count_down();
    go.wait();

    for (uint64_t i = 0; i < count; ++i) {
        if (!connected) {
            connect(true);
            if (!connected)
                continue; // connect() counted it as this request's error
        }
        const auto t0 = Clock::now();
        beast::error_code ec;
        http::write(stream, req, ec);
        http::response<http::string_body> res;
        if (!ec)
            http::read(stream, buffer, res, ec);
        const auto t1 = Clock::now();
        if (ec) {
            note_error("io: " + ec.message());
            connected = false;
            continue;
        }
        if (res.result_int() < 200 || res.result_int() > 299) {
            note_error("status " + std::to_string(res.result_int()));
        } else {
            out.latencies_us.push_back(
                static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
        }
        if (!res.keep_alive())
            connected = false;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

uint32_t percentile(const std::vector<uint32_t>& sorted, double p) {
    if (sorted.empty())
        return 0;
    const auto idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(idx, sorted.size() - 1)];
}

} // namespace

int main(int argc, char** argv) {
    const Options o = parse_args(argc, argv);

    // Without --port: an in-process server answering GET /health.
    erp::host::EventBus bus;
    std::optional<erp::host::HttpServer> server;
    uint16_t port = 0;
    std::string label;
    if (o.port) {
        port = *o.port;
        label = "external server " + o.host + ":" + std::to_string(port);
    } else {
        erp::host::HttpServerOptions so;
        so.address = o.host;
        so.port = 0;
        server.emplace(
            so,
            [](const erp::host::HttpRequest& req) {
                if (req.method == "GET" && req.path == "/health")
                    return erp::host::HttpResponse::json(200, R"({"status":"ok"})");
                return erp::host::HttpResponse::error(404, "not_found", "no route for " + req.path);
            },
            bus);
        try {
            server->start();
        } catch (const std::exception& e) {
            std::cerr << "bench_health: " << e.what() << "\n";
            return 1;
        }
        port = server->port();
        label = "in-process HttpServer " + o.host + ":" + std::to_string(port) + " (" + std::to_string(so.threads) +
                " io threads)";
    }

    const unsigned conns = static_cast<unsigned>(std::min<uint64_t>(o.connections, o.requests));
    std::vector<WorkerResult> results(conns);
    std::latch ready(conns);
    std::latch go(1);
    std::vector<std::thread> threads;
    threads.reserve(conns);
    for (unsigned c = 0; c < conns; ++c) {
        const uint64_t count = o.requests / conns + (c < o.requests % conns ? 1 : 0);
        threads.emplace_back(run_connection, std::cref(o), port, count, std::ref(ready), std::ref(go),
                             std::ref(results[c]));
    }
    ready.wait();
    const auto start = Clock::now();
    go.count_down();
    for (auto& t : threads)
        t.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    std::vector<uint32_t> all;
    uint64_t errors = 0;
    std::string first_error;
    for (auto& r : results) {
        all.insert(all.end(), r.latencies_us.begin(), r.latencies_us.end());
        errors += r.errors;
        if (first_error.empty())
            first_error = r.first_error;
    }
    std::sort(all.begin(), all.end());

    std::printf("bench_health: %s\n", label.c_str());
    std::printf("  GET %s, %u keep-alive connections\n", o.path.c_str(), conns);
    std::printf("  requests     %llu (ok %zu)\n", static_cast<unsigned long long>(o.requests), all.size());
    std::printf("  errors       %llu%s%s\n", static_cast<unsigned long long>(errors), errors ? "  first: " : "",
                first_error.c_str());
    std::printf("  elapsed      %.3f s\n", elapsed);
    std::printf("  throughput   %.0f requests/s\n", elapsed > 0 ? static_cast<double>(all.size()) / elapsed : 0.0);
    std::printf("  latency us   p50 %u  p95 %u  p99 %u  max %u\n", percentile(all, 50), percentile(all, 95),
                percentile(all, 99), all.empty() ? 0u : all.back());

    if (server)
        server->stop();
    return 0;
}
