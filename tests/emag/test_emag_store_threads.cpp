// The two threads behind a sync's storage: SerialWorker (pages stored in
// page order, off the reading thread) and WalCheckpointer (SQLite's log
// checkpointed off the writing thread, from a connection of its own).
#define BOOST_TEST_MODULE emag_store_threads
#include <boost/test/unit_test.hpp>

#include "emag_migrate.hpp"
#include "store/order_store.hpp"
#include "store/outbound_store.hpp"
#include "store/serial_worker.hpp"
#include "store/session.hpp"
#include "store/wal_checkpointer.hpp"
#include "test_support.hpp"

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace erp::emag;

BOOST_AUTO_TEST_CASE(serial_worker_runs_tasks_in_order_on_one_thread) {
    std::vector<int> order; // touched only by the worker's thread
    std::vector<std::future<std::thread::id>> done;
    {
        SerialWorker worker;
        for (int i = 0; i < 200; ++i) {
            done.push_back(worker.submit([&order, i] {
                order.push_back(i);
                return std::this_thread::get_id();
            }));
        }
        const std::thread::id first = done.front().get();
        BOOST_TEST((first != std::this_thread::get_id()));
        for (std::size_t i = 1; i < done.size(); ++i) {
            BOOST_TEST((done[i].get() == first));
        }
    }
    BOOST_TEST_REQUIRE(order.size() == 200u);
    for (int i = 0; i < 200; ++i) {
        BOOST_TEST(order[static_cast<std::size_t>(i)] == i);
    }
}

BOOST_AUTO_TEST_CASE(serial_worker_hands_exceptions_to_the_future_and_goes_on) {
    SerialWorker worker;
    std::future<int> bad = worker.submit([]() -> int { throw std::runtime_error("disk full"); });
    std::future<int> good = worker.submit([] { return 7; });
    BOOST_CHECK_EXCEPTION(bad.get(), std::runtime_error,
                          [](const std::runtime_error& e) { return std::string(e.what()) == "disk full"; });
    BOOST_TEST(good.get() == 7);
}

BOOST_AUTO_TEST_CASE(serial_worker_finishes_what_was_submitted_before_it_goes) {
    std::atomic<int> ran{0};
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    {
        SerialWorker worker;
        worker.submit([open, &ran] {
            open.wait(); // the rest queue up behind this one
            ++ran;
        });
        for (int i = 0; i < 5; ++i) {
            worker.submit([&ran] { ++ran; });
        }
        gate.set_value();
    } // the destructor waits for all six
    BOOST_TEST(ran.load() == 6);
}

// The database file grows only when the log is copied into it.
std::uintmax_t db_bytes(const erp::test::TempDir& dir) {
    return std::filesystem::file_size(dir / "erp.db");
}

BOOST_AUTO_TEST_CASE(wal_checkpointer_copies_the_log_a_writer_leaves) {
    erp::test::TempDir dir;
    const std::string url = "sqlite3://db=" + (dir / "erp.db").string();
    {
        soci::session setup(url);
        setup << "PRAGMA journal_mode=WAL";
        setup << "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)";
    }
    BOOST_TEST(WalCheckpointer::applies_to(url));
    const std::uintmax_t empty = db_bytes(dir);

    // A writer with the automatic checkpoint off: its log only grows (its
    // connection stays open throughout, so no close checkpoints either).
    const auto writer = open_store_session(url, false);
    const auto write_rows = [&](int from) {
        const std::string body(3000, 'x');
        for (int i = from; i < from + 400; ++i) {
            *writer << "INSERT INTO t (id, body) VALUES (:id, :body)", soci::use(i), soci::use(body);
        }
    };
    write_rows(0); // 1.2 MB, past the 1000 pages that would checkpoint by default
    BOOST_TEST(db_bytes(dir) == empty);

    {
        WalCheckpointer checkpointer(url, std::chrono::milliseconds(1));
        BOOST_TEST_REQUIRE(checkpointer.enabled());
        checkpointer.notify();
        write_rows(400); // written while it may be checkpointing: never blocked
        checkpointer.notify();
    }                                         // stopping runs the checkpoint still due
    BOOST_TEST(db_bytes(dir) > 800u * 3000u); // every row is in the database file

    int rows = 0;
    *writer << "SELECT COUNT(*) FROM t", soci::into(rows);
    BOOST_TEST(rows == 800);
}

BOOST_AUTO_TEST_CASE(wal_checkpointer_is_off_for_postgresql) {
    BOOST_TEST(!WalCheckpointer::applies_to("postgresql://dbname=erp"));
    WalCheckpointer off("postgresql://dbname=never_opened");
    BOOST_TEST(!off.enabled());
    off.notify(); // does nothing, opens nothing
}

// The order sync and the offer pusher write the same SQLite file at once:
// each store's transactions take the write lock first (WriteTransaction),
// so they wait for each other (busy_timeout) instead of failing with
// "database is locked" when one read before the other wrote.
BOOST_AUTO_TEST_CASE(order_and_outbound_stores_write_one_sqlite_file_at_once) {
    erp::test::TempDir dir;
    const std::string url = "sqlite3://db=" + (dir / "erp.db").string();
    erp::test::migrate_emag_tables(url);
    OrderStore orders(url);
    OutboundStore outbound(url);
    std::atomic<bool> failed{false};
    std::string error;
    std::mutex error_mu;
    const auto guard = [&](const std::function<void()>& f) {
        try {
            f();
        } catch (const std::exception& e) {
            failed = true;
            const std::lock_guard lock(error_mu);
            error = e.what();
        }
    };
    std::thread pusher([&] {
        guard([&] {
            for (int i = 0; i < 300 && !failed; ++i) {
                outbound.enqueue("ro1", 1 + i % 50, "stock", R"({"stock":[{"warehouse_id":1,"value":1}]})", "test",
                                 "2026-01-01T00:00:00Z");
                const auto rows = outbound.claim("ro1", "2026-01-01T00:00:01Z", 5, {});
                std::vector<std::int64_t> ids;
                for (const auto& r : rows) {
                    ids.push_back(r.id);
                }
                outbound.confirm(ids, "[]", "2026-01-01T00:00:02Z");
            }
        });
    });
    guard([&] {
        for (int page = 0; page < 150 && !failed; ++page) {
            std::vector<ValidOrder> batch;
            for (int k = 0; k < 20; ++k) {
                ValidOrder v;
                v.order.account = "ro1";
                v.order.emag_id = page * 20 + k + 1;
                v.order.modified_utc = "2026-01-01T00:00:00Z";
                v.order.payload = "{}";
                v.quarantine_key = std::to_string(v.order.emag_id);
                batch.push_back(std::move(v));
            }
            orders.store_batch("ro1", batch, {}, "2026-01-01T00:00:00Z");
        }
    });
    pusher.join();
    BOOST_TEST(!failed.load(), error);
    BOOST_TEST(orders.count_orders("ro1") == 3000);
    BOOST_TEST(outbound.count_by_state("ro1").count("confirmed") == 1u);
}
