// bench_sandbox: how fast emag-sandbox answers, so it is never the bottleneck
// of a client benchmark (the issue asks for >= 20x eMAG's 12 req/s).
//   1. order/read pages of 100 over N keep-alive connections, rate limits
//      off: requests/s, p50/p99 latency, and requests/s as a ratio of 12/s.
//   2. Start-up time and resident memory for --orders 200000 --offers 50000.
// Client and server share this process and the machine's cores; the figures
// are what a client on the same box sees. Prints numbers only.
#include "server/http_client.hpp"
#include "server/sandbox_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace emag::sandbox;
using SteadyClock = std::chrono::steady_clock;

namespace {

long rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

double percentile(std::vector<double>& v, double p) {
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

void throughput(uint16_t port, unsigned connections, std::chrono::milliseconds duration) {
    const auto auth = basic_auth("sandbox", "sandbox-password");
    std::atomic<bool> go{false}, stop{false};
    std::vector<std::vector<double>> lat(connections);
    std::vector<unsigned> errors(connections, 0);
    std::vector<std::thread> threads;
    for (unsigned c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            HttpClient client("127.0.0.1", port, std::chrono::seconds(10));
            const std::map<std::string, std::string> headers = {{"Authorization", auth},
                                                                {"Content-Type", "application/json"}};
            while (!go)
                std::this_thread::yield();
            for (unsigned page = 1 + c; !stop; page = page % 100 + 1) {
                const std::string body =
                    R"({"data":{"currentPage":)" + std::to_string(page) + R"(,"itemsPerPage":100}})";
                const auto t0 = SteadyClock::now();
                try {
                    if (client.request("POST", "/api-3/order/read", body, headers).status != 200)
                        ++errors[c];
                } catch (const std::exception&) {
                    ++errors[c];
                }
                lat[c].push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
            }
        });
    }
    const auto start = SteadyClock::now();
    go = true;
    std::this_thread::sleep_for(duration); // the measurement window
    stop = true;
    for (auto& t : threads)
        t.join();
    const double secs = std::chrono::duration<double>(SteadyClock::now() - start).count();
    std::vector<double> all;
    unsigned errs = 0;
    for (unsigned c = 0; c < connections; ++c) {
        all.insert(all.end(), lat[c].begin(), lat[c].end());
        errs += errors[c];
    }
    const double rps = static_cast<double>(all.size()) / secs;
    const double p50 = percentile(all, 0.50);
    const double p99 = percentile(all, 0.99);
    std::printf("order_read_page100 connections=%u requests=%zu errors=%u req_per_s=%.0f ratio_to_emag_12=%.1f "
                "p50_ms=%.3f p99_ms=%.3f\n",
                connections, all.size(), errs, rps, rps / 12.0, p50, p99);
}

} // namespace

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::warn);
    const auto window = std::chrono::milliseconds(argc > 1 ? std::stol(argv[1]) : 3000);

    {
        SandboxOptions o;
        o.port = 0;
        o.threads = 2;
        o.orders = 20000;
        o.offers = 1000;
        o.rate_limits = false;
        SandboxServer server(o);
        server.start();
        for (unsigned n : {1u, 2u, 4u, 8u})
            throughput(server.port(), n, window);
    }

    const long rss_before = rss_kib();
    const auto t0 = SteadyClock::now();
    SandboxOptions big;
    big.port = 0;
    big.orders = 200000;
    big.offers = 50000;
    SandboxServer server(big);
    server.start();
    const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
    const long rss_after = rss_kib();
    std::printf("startup orders=200000 offers=50000 ms=%.0f rss_mib=%.1f rss_delta_mib=%.1f\n", ms,
                static_cast<double>(rss_after) / 1024.0, static_cast<double>(rss_after - rss_before) / 1024.0);
    // First request after start-up (caches cold).
    HttpClient client("127.0.0.1", server.port());
    const auto t1 = SteadyClock::now();
    const auto r = client.request("POST", "/api-3/order/read", R"({"data":{"currentPage":1000,"itemsPerPage":100}})",
                                  {{"Authorization", basic_auth("sandbox", "sandbox-password")}});
    std::printf("first_order_read_after_startup status=%u ms=%.3f\n", r.status,
                std::chrono::duration<double, std::milli>(SteadyClock::now() - t1).count());
    return 0;
}
