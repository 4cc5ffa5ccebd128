// bench_emag_client: how close the eMAG client runs to eMAG's rate limits
// when answers are slow. The in-process sandbox answers every request after
// 300 ms ± 50% (uniform), enforces eMAG's limits exactly and logs every
// request; one client keeps both route groups saturated for the run
// (default 60 s). From the sandbox's own log it prints, per group:
//   achieved requests/s and its ratio to the limit (12/s orders, 3/s other),
//   the 429 count, and the busiest 1 s window the sandbox saw.
// Target (issue 5): >= 0.95 of the limit, zero 429s.
//
//   bench_emag_client [--seconds N] [--margin-ms M] [--latency-ms L] [--jitter-ms J]
#include "api/emag_client.hpp"
#include "api/transport.hpp"
#include "server/sandbox_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace erp::emag;
using namespace std::chrono_literals;
namespace sb = emag::sandbox;
using nlohmann::json;

namespace {

long long parse_ms(const std::string& iso) { // 2026-11-29T22:48:07.123Z
    std::tm tm{};
    std::istringstream in(iso.substr(0, 19));
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    return static_cast<long long>(timegm(&tm)) * 1000 + std::stoi(iso.substr(20, 3));
}

struct GroupFigures {
    unsigned requests = 0; // admitted requests inside the measured span
    unsigned limited = 0;  // 429s over the whole run
    unsigned busiest = 0;  // most requests in any (t - 1 s, t]
};

GroupFigures figures(const json& entries, const std::string& group, long long from_ms, long long to_ms) {
    GroupFigures f;
    std::vector<long long> times;
    for (const auto& e : entries) {
        if (e["group"] != group) {
            continue;
        }
        if (e["rate_limited"] == true) {
            ++f.limited;
            continue;
        }
        const long long t = parse_ms(e["time"].get<std::string>());
        times.push_back(t);
        if (t >= from_ms && t < to_ms) {
            ++f.requests;
        }
    }
    std::sort(times.begin(), times.end());
    std::size_t lo = 0;
    for (std::size_t hi = 0; hi < times.size(); ++hi) {
        while (times[lo] <= times[hi] - 1000) {
            ++lo;
        }
        f.busiest = std::max<unsigned>(f.busiest, static_cast<unsigned>(hi - lo + 1));
    }
    return f;
}

// Keeps `depth` calls of one kind outstanding until `until`: each answer
// submits the next call, so the client always has work waiting.
struct Feeder {
    EmagClient* client;
    std::string route;
    std::chrono::steady_clock::time_point until;
    std::atomic<unsigned> outstanding{0};
    std::atomic<unsigned> failed{0};
    std::atomic<unsigned> page{0};

    void submit_next() {
        if (std::chrono::steady_clock::now() >= until) {
            return;
        }
        ApiCall c;
        c.route = route;
        c.data = {{"currentPage", page++ % 10 + 1}, {"itemsPerPage", 100}};
        ++outstanding;
        client->submit(std::move(c), [this](CallOutcome o) {
            if (!o.ok()) {
                ++failed;
            }
            --outstanding;
            submit_next();
        });
    }
};

} // namespace

int main(int argc, char** argv) {
    int seconds = 60;
    long margin_ms = ClientOptions{}.rate_margin.count();
    long latency_ms = 300, jitter_ms = 150;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--seconds")) {
            seconds = std::atoi(argv[i + 1]);
        } else if (!std::strcmp(argv[i], "--margin-ms")) {
            margin_ms = std::atol(argv[i + 1]);
        } else if (!std::strcmp(argv[i], "--latency-ms")) {
            latency_ms = std::atol(argv[i + 1]);
        } else if (!std::strcmp(argv[i], "--jitter-ms")) {
            jitter_ms = std::atol(argv[i + 1]);
        } else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    spdlog::set_level(spdlog::level::warn);

    sb::SandboxOptions o;
    o.port = 0;
    o.orders = 1000;
    o.offers = 1000;
    o.latency = std::chrono::milliseconds(latency_ms);
    o.latency_jitter = std::chrono::milliseconds(jitter_ms);
    o.threads = 2;
    o.request_log_keep = 100000;
    sb::SandboxServer sandbox(o);
    sandbox.start();

    ClientOptions options;
    options.rate_margin = std::chrono::milliseconds(margin_ms);
    EmagClient client(AccountEndpoint{"sandbox", sandbox.base_url(), "sandbox", Secret("sandbox-password")},
                      make_cpprest_transport(options.transport), options, nullptr);

    std::printf("bench_emag_client: %d s against the sandbox, latency %ld ms +/- %ld ms, margin %ld ms\n", seconds,
                latency_ms, jitter_ms, margin_ms);
    const auto wall_start = std::chrono::system_clock::now();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    Feeder orders{&client, "order/read", until};
    Feeder other{&client, "product_offer/read", until};
    for (unsigned i = 0; i < options.max_in_flight_orders * 2; ++i) {
        orders.submit_next();
    }
    for (unsigned i = 0; i < options.max_in_flight_other * 2; ++i) {
        other.submit_next();
    }
    std::this_thread::sleep_until(until); // the measured span (a benchmark, not a test)
    const long long from_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(wall_start.time_since_epoch()).count();
    const long long to_ms = from_ms + seconds * 1000LL;
    const ClientMetrics m = client.metrics();
    client.stop(); // outstanding calls end as "stopped"; they are past the span

    const json log = sandbox.state().log->since(0);
    const GroupFigures fo = figures(log["entries"], "orders", from_ms, to_ms);
    const GroupFigures ft = figures(log["entries"], "other", from_ms, to_ms);
    const double ro = fo.requests / static_cast<double>(seconds);
    const double rt = ft.requests / static_cast<double>(seconds);
    std::printf("orders group: %.2f req/s = %.3f of 12/s, 429s %u, busiest 1 s window %u, p95 latency %.0f ms\n", ro,
                ro / 12.0, fo.limited, fo.busiest, m.groups[0].latency_quantile_ms(0.95));
    std::printf("other group:  %.2f req/s = %.3f of 3/s, 429s %u, busiest 1 s window %u, p95 latency %.0f ms\n", rt,
                rt / 3.0, ft.limited, ft.busiest, m.groups[1].latency_quantile_ms(0.95));
    std::printf("client: %llu order requests, %llu other requests, %llu rate-limit waits; calls cut off by the end "
                "of the run: %u + %u\n",
                static_cast<unsigned long long>(m.groups[0].attempts),
                static_cast<unsigned long long>(m.groups[1].attempts),
                static_cast<unsigned long long>(m.groups[0].rate_waits + m.groups[1].rate_waits), orders.failed.load(),
                other.failed.load());
    std::printf("target: ratio >= 0.95 and zero 429s: %s\n",
                ro / 12.0 >= 0.95 && rt / 3.0 >= 0.95 && fo.limited + ft.limited == 0 ? "met" : "NOT met");
    sandbox.stop();
    return 0;
}
