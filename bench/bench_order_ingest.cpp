// bench_order_ingest: how fast the plugin turns order/read pages into rows,
// with no network. N realistic orders (default 20,000) come from the eMAG
// sandbox's generator in-process (Marketplace::orders_json, both types, 1%
// invalid), are cut into pages of 100 as order/read would answer them, and
// each page goes through what OrderSync does with it:
//   JSON text -> nlohmann::json      ("json"; the client does this per answer)
//   sort_orders                      ("validate": model, validation, rows)
//   OrderStore::store_batch          ("store": one transaction per page)
// Prints orders/s for json+validate alone and for json+validate+store into
// SQLite (a migrated file in a temp dir) and, when ERP_TEST_PG_URL is set,
// PostgreSQL (a database created for the run and dropped after it). Each
// backend gets an insert pass (empty tables) and an update pass (the same
// pages again, as an overlapping re-read does). The per-phase times show
// where the time goes. Target: >= 20,000 orders/s into SQLite (insert pass).
//
//   bench_order_ingest [--orders N]
#include "core/marketplace.hpp"
#include "database.hpp"
#include "emag_migrate.hpp"
#include "orders/local_time.hpp"
#include "orders/order_rows.hpp"
#include "store/order_store.hpp"
#include "store/schema.hpp"
#include "store/serial_worker.hpp"
#include "store/timestamp.hpp"

#include <nlohmann/json.hpp>
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

using namespace erp::emag;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPageSize = 100;
constexpr double kTarget = 20000;

double seconds_since(SteadyClock::time_point t0) {
    return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// CPU time of this thread: with the wall time it tells waiting (fsync, the
// PostgreSQL server, a busy machine) from work.
double thread_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Wall and CPU time of a phase, accumulated.
struct Timer {
    double wall = 0, cpu = 0;
    template <class F>
    auto time(F&& f) {
        const auto w0 = SteadyClock::now();
        const double c0 = thread_cpu_s();
        struct Add {
            Timer& t;
            SteadyClock::time_point w0;
            double c0;
            ~Add() {
                t.wall += seconds_since(w0);
                t.cpu += thread_cpu_s() - c0;
            }
        } add{*this, w0, c0};
        return f();
    }
};

struct Pass {
    Timer json_t, sort_t, store_t;
    double wall_s = 0; // the whole pass
    std::size_t orders = 0, valid = 0, invalid = 0, lines = 0;
    BatchResult stored;
    double rate() const { return wall_s > 0 ? static_cast<double>(orders) / wall_s : 0; }
    double us(double s) const { return orders > 0 ? s * 1e6 / static_cast<double>(orders) : 0; }
};

// One pass over every page; `store` null = json + validate only.
// Pipelined, as OrderSync::read_window runs: this thread parses and types
// page i+1 while a SerialWorker (OrderSync's writer) stores page i; at most
// one page waits. Otherwise all on this thread.
//
// Parsing on a thread of its own as well (as the client's thread parses each
// answer in the plugin) was measured and is slower on 2 cores: three busy
// threads on two cores, and every DOM node allocated on one thread and freed
// on another, made parsing and typing each ~30% slower (16,500-17,500 orders/s
// against 18,700-20,900).
Pass run_pass(const std::vector<std::string>& pages, const TimeZone& zone, OrderStore* store,
              const std::string& now_iso, bool pipelined) {
    Pass p;
    const auto t0 = SteadyClock::now();
    std::optional<SerialWorker> writer;
    if (pipelined) {
        writer.emplace();
    }
    std::deque<std::future<BatchResult>> storing;
    const auto collect = [&] {
        const BatchResult b = storing.front().get();
        storing.pop_front();
        p.stored.inserted += b.inserted;
        p.stored.updated += b.updated;
        p.stored.kept_newer += b.kept_newer;
        p.stored.quarantined += b.quarantined;
    };
    for (std::size_t i = 0; i < pages.size(); ++i) {
        json page = p.json_t.time([&] { return json::parse(pages[i]); });
        p.orders += page.size();
        auto sorted = std::make_shared<SortedOrders>(
            p.sort_t.time([&] { return sort_orders("sandbox", std::move(page), zone); }));
        p.valid += sorted->valid.size();
        p.invalid += sorted->invalid.size();
        for (const ValidOrder& v : sorted->valid) {
            p.lines += v.lines.size();
        }
        if (store == nullptr) {
            continue;
        }
        std::optional<SyncStateRow> state;
        if (i + 1 == pages.size()) { // as a window's last page: with the cursor
            state = SyncStateRow{"sandbox", 3, "incremental", now_iso, now_iso, "ok", "", 0};
        }
        // store_t is touched only by the thread that stores.
        auto task = [&p, store, sorted, state, &now_iso] {
            return p.store_t.time(
                [&] { return store->store_batch("sandbox", sorted->valid, sorted->invalid, now_iso, state); });
        };
        if (writer) {
            storing.push_back(writer->submit(std::move(task)));
            while (storing.size() > 1) {
                collect();
            }
        } else {
            std::promise<BatchResult> done;
            done.set_value(task());
            storing.push_back(done.get_future());
            collect();
        }
    }
    while (!storing.empty()) {
        collect();
    }
    writer.reset();
    p.wall_s = seconds_since(t0);
    return p;
}

void print_store_pass(const char* backend, const char* kind, const Pass& p) {
    std::printf("%-10s %-16s %8.0f orders/s json+validate+store | per order: json %.1f us, validate %.1f us, "
                "store %.1f us wall / %.1f us CPU | inserted %u, updated %u, quarantined %u\n",
                backend, kind, p.rate(), p.us(p.json_t.cpu), p.us(p.sort_t.cpu), p.us(p.store_t.wall),
                p.us(p.store_t.cpu), p.stored.inserted, p.stored.updated, p.stored.quarantined);
}

// Into the database at `url` (already migrated): a serial insert pass, then
// pipelined insert and update passes (the same pages again, as an
// overlapping re-read does). Returns the pipelined insert pass. Each insert
// pass starts from empty tables.
Pass bench_backend(const char* backend, const std::string& url, const std::vector<std::string>& pages,
                   const TimeZone& zone, const std::string& now_iso) {
    OrderStore store(url);
    const auto empty_tables = [&] {
        soci::session sql(url);
        sql << "DELETE FROM emag_order_lines";
        sql << "DELETE FROM emag_orders";
        sql << "DELETE FROM emag_order_quarantine";
        sql << "DELETE FROM emag_sync_state";
    };
    print_store_pass(backend, "insert, serial", run_pass(pages, zone, &store, now_iso, false));
    empty_tables();
    const Pass insert = run_pass(pages, zone, &store, now_iso, true);
    print_store_pass(backend, "insert, pipeline", insert);
    print_store_pass(backend, "update, pipeline", run_pass(pages, zone, &store, now_iso, true));
    return insert;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t n = 20000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--orders")) {
            n = static_cast<std::size_t>(std::atoll(argv[i + 1]));
        } else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (argc % 2 == 0) {
        std::fprintf(stderr, "usage: bench_order_ingest [--orders N]\n");
        return 2;
    }
    spdlog::set_level(spdlog::level::warn);
    const TimeZone zone = *TimeZone::find("Europe/Bucharest"); // the sandbox's platform "ro"

    // The orders, as order/read would render them, in pages of 100.
    auto t0 = SteadyClock::now();
    std::vector<std::string> pages;
    std::size_t bytes = 0;
    {
        emag::sandbox::DataOptions d;
        d.orders = n;
        d.offers = 500;
        const emag::sandbox::Marketplace market(d);
        const json all = json::parse(market.orders_json());
        for (std::size_t i = 0; i < all.size(); i += kPageSize) {
            json page = json::array();
            for (std::size_t k = i; k < std::min(all.size(), i + kPageSize); ++k) {
                page.push_back(all[k]);
            }
            pages.push_back(page.dump());
            bytes += pages.back().size();
        }
    }
    std::printf("bench_order_ingest: %zu orders (sandbox generator, seed 42), %zu pages of %zu, %.0f bytes of JSON "
                "per order; generated in %.1f s\n",
                n, pages.size(), kPageSize, n > 0 ? static_cast<double>(bytes) / static_cast<double>(n) : 0.0,
                seconds_since(t0));
    const std::string now_iso = iso8601_utc(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());

    const Pass parse = run_pass(pages, zone, nullptr, now_iso, false);
    std::printf(
        "%-27s %8.0f orders/s | per order: json %.1f us, validate %.1f us | valid %zu (%.2f lines "
        "each), quarantined %zu\n",
        "json+validate only:", parse.rate(), parse.us(parse.json_t.cpu), parse.us(parse.sort_t.cpu), parse.valid,
        parse.valid > 0 ? static_cast<double>(parse.lines) / static_cast<double>(parse.valid) : 0.0, parse.invalid);

    // (a) SQLite: a file in a directory of our own, migrated by the host.
    char dir_template[] = "/tmp/bench_order_ingest.XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (dir == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    Pass sqlite;
    try {
        const std::string url = "sqlite3://db=" + (fs::path(dir) / "erp.db").string();
        erp::test::migrate_emag_tables(url);
        sqlite = bench_backend("SQLite", url, pages, zone, now_iso);
    } catch (const std::exception& e) {
        std::printf("SQLite: failed: %s\n", e.what());
    }
    std::error_code ec;
    fs::remove_all(dir, ec);

    // (b) PostgreSQL: a database of our own on the server ERP_TEST_PG_URL names.
    const char* pg = std::getenv("ERP_TEST_PG_URL");
    if (pg == nullptr || *pg == '\0') {
        std::printf("PostgreSQL: skipped (ERP_TEST_PG_URL is not set)\n");
    } else {
        erp::host::register_db_backends();
        std::string name = "erp_bench_ingest_";
        name += std::to_string(getpid());
        try {
            {
                soci::session admin("postgresql", pg);
                admin << "CREATE DATABASE " + name;
            }
            std::string url = "postgresql://";
            url += pg;
            url += " dbname=";
            url += name;
            erp::test::migrate_emag_tables(url);
            bench_backend("PostgreSQL", url, pages, zone, now_iso);
        } catch (const std::exception& e) {
            std::printf("PostgreSQL: failed: %s\n", e.what());
        }
        try {
            soci::session admin("postgresql", pg);
            admin << "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)";
        } catch (const std::exception& e) {
            std::printf("PostgreSQL: could not drop %s: %s\n", name.c_str(), e.what());
        }
    }

    std::printf("target >= 20,000 orders/s into SQLite: %s (%.0f orders/s json+validate+store, pipelined insert "
                "pass, as a sync runs)\n",
                sqlite.rate() >= kTarget ? "met" : "NOT met", sqlite.rate());
    return 0;
}
