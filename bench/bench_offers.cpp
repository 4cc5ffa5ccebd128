// bench_offers: the offer read and the offer push with slow answers, the
// plugin's side only. The real emag-sandbox binary runs as a separate process
// (so this process's peak RSS is the plugin's) with N offers (default
// 50,000), eMAG's rate limits and 300 ms ± 150 ms answers; one account.
//   1. OffersService::sync() into a migrated SQLite file (temp dir), 3 pages
//      at once, the client's default options.
//   2. M changes (default 6,000) enqueued on M distinct offers of status 1
//      (the first by id), price and stock alternately (prices inside each
//      offer's [min_sale_price, max_sale_price] and below its
//      recommended_price, which eMAG also requires), then
//      OffersService::push() passes until none is queued (50 offers per
//      offer/save, 3 in flight).
// Prints:
//   read: wall time, offers stored / quarantined, offers/s and its ratio to
//   eMAG's 3 req/s × 100 offers = 300/s, other-group requests/s (client
//   metrics: attempts / wall), rate-limit waits, the sandbox's 429 count
//   (GET /_sandbox/stats);
//   push: changes confirmed/s and its ratio to 3 req/s × 50 offers = 150/s,
//   offer/save calls/s, failed changes, 429s;
//   RSS at start, after the read and at the end, and peak RSS (VmHWM).
// Targets: both ratios >= 0.9 (informational), zero failed, zero 429s, peak
// RSS < 150 MB (for 50,000 offers). Never fails on them.
//
//   bench_offers [--offers N] [--changes M]
#include "api/emag_client.hpp"
#include "api/transport.hpp"
#include "bench_process.hpp"
#include "emag_migrate.hpp"
#include "offers/offer_change.hpp"
#include "offers/offers_service.hpp"
#include "server/http_client.hpp"
#include "store/offer_store.hpp"
#include "store/outbound_store.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
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

// The sandbox's 429 count on the account's "other" group so far (GET
// /_sandbox/stats); -1 when it cannot be read.
long long other_429s(uint16_t port) {
    try {
        emag::sandbox::HttpClient http("127.0.0.1", port, std::chrono::seconds(10));
        const auto reply = http.request("GET", "/_sandbox/stats");
        return json::parse(reply.body).at("accounts").at("sandbox").at("other").at("rate_limited").get<long long>();
    } catch (const std::exception& e) {
        std::printf("could not read /_sandbox/stats: %s\n", e.what());
        return -1;
    }
}

// The other group's counters between two snapshots (latency histogram
// included, so its quantiles are the phase's).
GroupMetrics since(const GroupMetrics& now, const GroupMetrics& before) {
    GroupMetrics d = now;
    d.calls -= before.calls;
    d.calls_ok -= before.calls_ok;
    d.calls_failed -= before.calls_failed;
    d.attempts -= before.attempts;
    d.retries -= before.retries;
    d.latency_count -= before.latency_count;
    d.latency_ms_sum -= before.latency_ms_sum;
    for (std::size_t i = 0; i < d.latency_buckets.size(); ++i) {
        d.latency_buckets[i] -= before.latency_buckets[i];
    }
    d.rate_waits -= before.rate_waits;
    d.rate_wait_ms_sum -= before.rate_wait_ms_sum;
    return d;
}

double mean(double sum, std::uint64_t count) {
    return count > 0 ? sum / static_cast<double>(count) : 0.0;
}

void print_client(const GroupMetrics& g, double cpu, double wall) {
    std::printf("client: %llu rate-limit waits (mean %.0f ms), mean latency %.0f ms, p95 %.0f ms; process CPU "
                "%.1f s = %.0f%% of one core\n",
                static_cast<unsigned long long>(g.rate_waits), mean(g.rate_wait_ms_sum, g.rate_waits),
                mean(g.latency_ms_sum, g.latency_count), g.latency_quantile_ms(0.95), cpu, 100.0 * cpu / wall);
}

std::int64_t state_count(const std::map<std::string, std::int64_t>& counts, const char* state) {
    const auto it = counts.find(state);
    return it == counts.end() ? 0 : it->second;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t n = 50000;
    std::size_t changes = 6000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--offers")) {
            n = static_cast<std::size_t>(std::atoll(argv[i + 1]));
        } else if (!std::strcmp(argv[i], "--changes")) {
            changes = static_cast<std::size_t>(std::atoll(argv[i + 1]));
        } else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (argc % 2 == 0) {
        std::fprintf(stderr, "usage: bench_offers [--offers N] [--changes M]\n");
        return 2;
    }
    spdlog::set_level(spdlog::level::warn);

    const double rss_start = status_mb("VmRSS");
    Sandbox sandbox;
    auto t0 = SteadyClock::now();
    try {
        sandbox.start({"--port", "0", "--orders", "100", "--offers", std::to_string(n), "--latency-ms", "300",
                       "--latency-jitter-ms", "150", "--log-level", "warn"});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_offers: %s\n", e.what());
        return 1;
    }
    OffersOptions so;
    so.background_push = false; // the bench runs the passes
    std::printf("bench_offers: %zu offers, %zu changes, emag-sandbox (pid %d) ready in %.1f s at %s, latency 300 ms "
                "+/- 150 ms, page concurrency %u, offer/save %u offers a call, %u in flight\n",
                n, changes, static_cast<int>(sandbox.pid),
                std::chrono::duration<double>(SteadyClock::now() - t0).count(), sandbox.base_url.c_str(),
                so.page_concurrency, so.push.batch_size, so.push.in_flight);

    char dir_template[] = "/tmp/bench_offers.XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (dir == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::string url = "sqlite3://db=" + (fs::path(dir) / "erp.db").string();
    const std::string account = "sandbox";
    int rc = 0;
    try {
        erp::test::migrate_emag_tables(url);
        ClientOptions options;
        auto client = std::make_shared<EmagClient>(
            AccountEndpoint{account, sandbox.base_url, "sandbox", Secret("sandbox-password")},
            make_cpprest_transport(options.transport), options, nullptr);
        OffersService service(std::vector<OffersAccount>{{account, client}}, std::make_shared<OfferStore>(url),
                              std::make_shared<OutboundStore>(url), so);
        const std::size_t other = static_cast<std::size_t>(RouteGroup::other);

        // 1. The offer read.
        double cpu0 = cpu_seconds();
        t0 = SteadyClock::now();
        const OffersRunReport read = service.sync({}, {});
        const double read_wall = std::chrono::duration<double>(SteadyClock::now() - t0).count();
        const double read_cpu = cpu_seconds() - cpu0;
        const double rss_read = status_mb("VmRSS");
        const GroupMetrics g_read = client->metrics().groups[other];
        const long long read_limited = other_429s(sandbox.port);
        const std::int64_t held = service.offers().count(account);
        const double offers_per_s = static_cast<double>(read.stored + read.quarantined) / read_wall;
        const double read_rps = static_cast<double>(g_read.attempts) / read_wall;
        const double read_ratio = offers_per_s / 300.0;

        std::printf("read: wall %.1f s; offers stored %llu + quarantined %llu, held %lld of %zu; %zu failures%s%s\n",
                    read_wall, static_cast<unsigned long long>(read.stored),
                    static_cast<unsigned long long>(read.quarantined), static_cast<long long>(held), n,
                    read.failures.size(), read.failures.empty() ? "" : ": ",
                    read.failures.empty() ? "" : read.failures.front().c_str());
        std::printf("throughput: %.0f offers/s = %.3f of 300/s; other-group requests %llu (%llu calls, %llu "
                    "retries) = %.2f req/s = %.3f of 3/s\n",
                    offers_per_s, read_ratio, static_cast<unsigned long long>(g_read.attempts),
                    static_cast<unsigned long long>(g_read.calls), static_cast<unsigned long long>(g_read.retries),
                    read_rps, read_rps / 3.0);
        print_client(g_read, read_cpu, read_wall);
        std::printf("sandbox: %lld 429s on the other group during the read\n", read_limited);

        // 2. The push: the first `changes` offers of status 1, price and stock
        // alternately.
        t0 = SteadyClock::now();
        std::size_t planned = 0, queued = 0, rejected = 0, prices = 0, stocks = 0;
        std::string first_problem;
        for (std::int64_t offset = 0; planned < changes; offset += 1000) {
            const std::vector<OfferRow> page = service.offers().list(account, 1000, offset);
            if (page.empty()) {
                break;
            }
            std::vector<OfferChange> batch; // this page's changes, queued in one transaction
            for (const OfferRow& row : page) {
                if (planned >= changes) {
                    break;
                }
                if (row.status != 1 || !row.min_sale_price_x4 || !row.max_sale_price_x4) {
                    continue;
                }
                OfferChange c;
                c.account = account;
                c.offer_id = row.offer_id;
                if (planned % 2 == 0) {
                    c.kind = ChangeKind::price;
                    // Halfway from min to max, or to recommended_price when
                    // there is one (eMAG refuses a sale price not below it),
                    // to the cent: inside [min, max] and below recommended.
                    const std::int64_t lo = *row.min_sale_price_x4;
                    std::int64_t hi = *row.max_sale_price_x4;
                    if (row.recommended_price_x4 && *row.recommended_price_x4 > 0 && *row.recommended_price_x4 < hi) {
                        hi = *row.recommended_price_x4;
                    }
                    std::int64_t p = (lo + (hi - lo) / 2) / 100 * 100;
                    if (p < lo) {
                        p = lo;
                    }
                    c.sale_price = Decimal4{p};
                    ++prices;
                } else {
                    c.kind = ChangeKind::stock;
                    c.stock = {{1, static_cast<std::int64_t>(10 + planned % 90)}};
                    ++stocks;
                }
                batch.push_back(std::move(c));
                ++planned;
            }
            for (const EnqueueResult& r : service.enqueue_many(std::move(batch), "bench")) {
                if (r.queued) {
                    ++queued;
                } else {
                    ++rejected;
                    if (first_problem.empty() && !r.problems.empty()) {
                        first_problem = r.problems.front().field + " " + r.problems.front().message;
                    }
                }
            }
        }
        const double enqueue_wall = std::chrono::duration<double>(SteadyClock::now() - t0).count();

        cpu0 = cpu_seconds();
        t0 = SteadyClock::now();
        OffersRunReport pushed;
        int passes = 0;
        std::map<std::string, std::int64_t> counts;
        // Retries come due after the pusher's backoff (5 s first): pass again
        // each second while any is queued, for at most 5 minutes.
        for (;;) {
            const OffersRunReport r = service.push({});
            ++passes;
            pushed.calls += r.calls;
            pushed.confirmed += r.confirmed;
            pushed.failed += r.failed;
            pushed.retried += r.retried;
            pushed.failures.insert(pushed.failures.end(), r.failures.begin(), r.failures.end());
            counts = service.outbound().count_by_state(account);
            if (state_count(counts, "queued") == 0 || SteadyClock::now() - t0 > std::chrono::minutes(5)) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
        const double push_wall = std::chrono::duration<double>(SteadyClock::now() - t0).count();
        const double push_cpu = cpu_seconds() - cpu0;
        const GroupMetrics g_push = since(client->metrics().groups[other], g_read);
        const long long all_limited = other_429s(sandbox.port);
        const long long push_limited = all_limited < 0 || read_limited < 0 ? -1 : all_limited - read_limited;
        const double rss_end = status_mb("VmRSS");
        const double hwm = status_mb("VmHWM");

        // What eMAG said about the first failed change (the dead letter).
        std::string first_failure;
        OutboundFilter ff;
        ff.account = account;
        ff.state = "failed";
        ff.limit = 1;
        for (const OutboundRow& row : service.outbound().list(ff)) {
            first_failure = row.kind + " " + row.value_json + ": " + row.messages_json;
        }
        const std::int64_t confirmed = state_count(counts, "confirmed");
        const std::int64_t failed = state_count(counts, "failed");
        const double changes_per_s = static_cast<double>(confirmed) / push_wall;
        const double push_ratio = changes_per_s / 150.0;
        const double push_rps = static_cast<double>(g_push.attempts) / push_wall;

        std::printf("push: %zu changes queued (%zu price, %zu stock; %zu rejected%s%s) in %.1f s; pushed in %.1f s, "
                    "%d passes: confirmed %lld, failed %lld, still queued %lld, retried %llu; %zu failures%s%s\n",
                    queued, prices, stocks, rejected, first_problem.empty() ? "" : ": ", first_problem.c_str(),
                    enqueue_wall, push_wall, passes, static_cast<long long>(confirmed), static_cast<long long>(failed),
                    static_cast<long long>(state_count(counts, "queued")),
                    static_cast<unsigned long long>(pushed.retried), pushed.failures.size(),
                    pushed.failures.empty() ? "" : ": ",
                    pushed.failures.empty() ? "" : pushed.failures.front().c_str());
        if (!first_failure.empty()) {
            std::printf("first failed change: %s\n", first_failure.c_str());
        }
        std::printf("throughput: %.0f changes/s = %.3f of 150/s; offer/save calls %llu = %.2f calls/s; other-group "
                    "requests %llu (%llu calls, %llu retries) = %.2f req/s = %.3f of 3/s\n",
                    changes_per_s, push_ratio, static_cast<unsigned long long>(pushed.calls),
                    static_cast<double>(pushed.calls) / push_wall, static_cast<unsigned long long>(g_push.attempts),
                    static_cast<unsigned long long>(g_push.calls), static_cast<unsigned long long>(g_push.retries),
                    push_rps, push_rps / 3.0);
        print_client(g_push, push_cpu, push_wall);
        std::printf("sandbox: %lld 429s on the other group during the push\n", push_limited);

        std::printf("RSS: %.1f MB at start, %.1f MB after the read, %.1f MB at the end; peak (VmHWM) %.1f MB\n",
                    rss_start, rss_read, rss_end, hwm);
        std::printf("targets: read ratio >= 0.9: %s (%.3f); push ratio >= 0.9: %s (%.3f); failed 0: %s (%lld); "
                    "429s 0: %s (read %lld, push %lld); peak RSS < 150 MB: %s (%.1f MB)\n",
                    read_ratio >= 0.9 ? "met" : "NOT met", read_ratio, push_ratio >= 0.9 ? "met" : "NOT met",
                    push_ratio, failed == 0 ? "met" : "NOT met", static_cast<long long>(failed),
                    read_limited == 0 && push_limited == 0 ? "met" : "NOT met", read_limited, push_limited,
                    hwm < 150 ? "met" : "NOT met", hwm);
        client->stop();
    } catch (const std::exception& e) {
        std::printf("bench_offers: failed: %s\n", e.what());
        rc = 1;
    }
    sandbox.stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
    return rc;
}
