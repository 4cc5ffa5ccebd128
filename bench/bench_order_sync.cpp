// bench_order_sync: a full order sync of many orders with slow answers, the
// plugin's side only. The real emag-sandbox binary runs as a separate process
// (so this process's peak RSS is the plugin's) with N orders (default
// 100,000), eMAG's rate limits and 300 ms ± 150 ms answers; OrderSync then
// runs incremental(3) and incremental(2) into a migrated SQLite file (temp
// dir) with first_run 100 days, settle 0, 12 pages at once, no
// acknowledgements, and the client's default options. Prints:
//   wall time, orders read / stored / quarantined, orders/s,
//   order-route requests/s (client metrics: attempts / wall) and its ratio
//   to eMAG's 12/s, the sandbox's 429 count (GET /_sandbox/stats),
//   RSS after 25% of the orders and at the end, and peak RSS (VmHWM).
// Targets: ratio >= 0.9, zero 429s, peak RSS < 150 MB. Never fails on them.
//
//   bench_order_sync [--orders N]
#include "api/emag_client.hpp"
#include "api/transport.hpp"
#include "bench_process.hpp"
#include "emag_migrate.hpp"
#include "orders/order_sync.hpp"
#include "server/http_client.hpp"
#include "store/order_store.hpp"
#include "store/schema.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace erp::emag;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

using erp::bench::cpu_seconds;
using erp::bench::Sandbox;
using erp::bench::status_mb;

} // namespace

int main(int argc, char** argv) {
    std::size_t n = 100000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--orders")) {
            n = static_cast<std::size_t>(std::atoll(argv[i + 1]));
        } else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (argc % 2 == 0) {
        std::fprintf(stderr, "usage: bench_order_sync [--orders N]\n");
        return 2;
    }
    spdlog::set_level(spdlog::level::warn);

    const double rss_start = status_mb("VmRSS");
    Sandbox sandbox;
    auto t0 = SteadyClock::now();
    try {
        sandbox.start({"--port", "0", "--orders", std::to_string(n), "--offers", "100", "--latency-ms", "300",
                       "--latency-jitter-ms", "150", "--log-level", "warn"});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_order_sync: %s\n", e.what());
        return 1;
    }
    std::printf("bench_order_sync: %zu orders, emag-sandbox (pid %d) ready in %.1f s at %s, latency 300 ms +/- 150 "
                "ms, page concurrency 12\n",
                n, static_cast<int>(sandbox.pid), std::chrono::duration<double>(SteadyClock::now() - t0).count(),
                sandbox.base_url.c_str());

    char dir_template[] = "/tmp/bench_order_sync.XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (dir == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::string url = "sqlite3://db=" + (fs::path(dir) / "erp.db").string();
    int rc = 0;
    try {
        erp::test::migrate_emag_tables(url);
        OrderStore store(url);
        ClientOptions options;
        EmagClient client(AccountEndpoint{"sandbox", sandbox.base_url, "sandbox", Secret("sandbox-password")},
                          make_cpprest_transport(options.transport), options, nullptr);

        SyncOptions so;
        so.first_run = std::chrono::seconds(100 * 86400); // the sandbox's history spans 90 days
        so.settle = std::chrono::seconds(0);
        so.concurrency = 12;
        so.acknowledge_new = false;

        // RSS once a quarter of the orders has been read (progress reports
        // come at most twice a second, per stream).
        std::uint64_t read_before = 0; // by the streams already finished
        double rss_quarter = -1;
        std::uint64_t at_quarter = 0;
        const auto progress = [&](const SyncProgress& p) {
            if (rss_quarter < 0 && (read_before + p.processed) * 4 >= n) {
                rss_quarter = status_mb("VmRSS");
                at_quarter = read_before + p.processed;
            }
        };
        OrderSync sync(client, store, "sandbox", *TimeZone::find("Europe/Bucharest"), so, {}, progress);

        const double cpu0 = cpu_seconds();
        t0 = SteadyClock::now();
        const SyncStats fbs = sync.incremental(3);
        read_before = fbs.orders;
        const SyncStats fbe = sync.incremental(2);
        const double wall = std::chrono::duration<double>(SteadyClock::now() - t0).count();
        const double cpu = cpu_seconds() - cpu0;
        const double rss_end = status_mb("VmRSS");
        const double hwm = status_mb("VmHWM");
        const ClientMetrics m = client.metrics();

        const std::uint64_t read = fbs.orders + fbe.orders;
        const std::int64_t held = store.count_orders("sandbox");
        const std::size_t quarantined = store.quarantine("sandbox").size();
        const double order_rps = static_cast<double>(m.groups[0].attempts) / wall;

        long long limited = -1;
        try {
            emag::sandbox::HttpClient http("127.0.0.1", sandbox.port, std::chrono::seconds(10));
            const auto reply = http.request("GET", "/_sandbox/stats");
            limited =
                json::parse(reply.body).at("accounts").at("sandbox").at("orders").at("rate_limited").get<long long>();
        } catch (const std::exception& e) {
            std::printf("could not read /_sandbox/stats: %s\n", e.what());
        }

        std::printf("sync: wall %.1f s; %llu windows, %llu pages; orders read %llu (fbs %llu, fbe %llu), stored %lld "
                    "+ quarantined %zu = %lld of %zu\n",
                    wall, static_cast<unsigned long long>(fbs.windows + fbe.windows),
                    static_cast<unsigned long long>(fbs.pages + fbe.pages), static_cast<unsigned long long>(read),
                    static_cast<unsigned long long>(fbs.orders), static_cast<unsigned long long>(fbe.orders),
                    static_cast<long long>(held), quarantined, static_cast<long long>(held + quarantined), n);
        std::printf("throughput: %.0f orders/s; order-route requests %llu (%llu calls, %llu retries) = %.2f req/s = "
                    "%.3f of 12/s\n",
                    static_cast<double>(read) / wall, static_cast<unsigned long long>(m.groups[0].attempts),
                    static_cast<unsigned long long>(m.groups[0].calls),
                    static_cast<unsigned long long>(m.groups[0].retries), order_rps, order_rps / 12.0);
        std::printf(
            "client: %llu rate-limit waits (mean %.0f ms), mean latency %.0f ms, p95 %.0f ms; process CPU "
            "%.1f s = %.0f%% of one core\n",
            static_cast<unsigned long long>(m.groups[0].rate_waits),
            m.groups[0].rate_waits > 0 ? m.groups[0].rate_wait_ms_sum / static_cast<double>(m.groups[0].rate_waits)
                                       : 0.0,
            m.groups[0].latency_count > 0 ? m.groups[0].latency_ms_sum / static_cast<double>(m.groups[0].latency_count)
                                          : 0.0,
            m.groups[0].latency_quantile_ms(0.95), cpu, 100.0 * cpu / wall);
        std::printf("sandbox: %lld 429s on the orders group\n", limited);
        std::printf("RSS: %.1f MB at start, %.1f MB after %llu orders (25%%), %.1f MB at the end; peak (VmHWM) %.1f "
                    "MB\n",
                    rss_start, rss_quarter, static_cast<unsigned long long>(at_quarter), rss_end, hwm);
        std::printf("targets: ratio >= 0.9: %s (%.3f); 429s 0: %s (%lld); peak RSS < 150 MB: %s (%.1f MB)\n",
                    order_rps / 12.0 >= 0.9 ? "met" : "NOT met", order_rps / 12.0, limited == 0 ? "met" : "NOT met",
                    limited, hwm < 150 ? "met" : "NOT met", hwm);
        client.stop();
    } catch (const std::exception& e) {
        std::printf("bench_order_sync: failed: %s\n", e.what());
        rc = 1;
    }
    sandbox.stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
    return rc;
}
