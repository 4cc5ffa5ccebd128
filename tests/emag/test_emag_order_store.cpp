// The order tables (schema v2) through OrderStore, on SQLite and on
// PostgreSQL (ERP_TEST_PG_URL; scripts/run-tests.sh starts a server), with
// the tables created by the host's own migration code from the plugin's DB
// mappings: one declaration, both backends, the same expectations.
#define BOOST_TEST_MODULE emag_order_store
#include <boost/test/unit_test.hpp>

#include "emag_migrate.hpp"
#include "store/order_store.hpp"
#include "store/schema.hpp"
#include "test_support.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace erp::emag;

namespace {

ValidOrder order(std::int64_t id, const std::string& modified_utc, int status, std::int64_t price_x4) {
    ValidOrder v;
    OrderRow& o = v.order;
    o.account = "ro1";
    o.emag_id = id;
    o.type = 3;
    o.status = status;
    o.payment_mode_id = 1;
    o.currency = "RON";
    o.shipping_tax_x4 = 199900;
    o.lines_total_x4 = price_x4 * 2;
    o.customer_name = "Ștefan Năstase";
    o.modified_local = "local " + modified_utc;
    o.modified_utc = modified_utc;
    o.date_utc = "2026-01-01T08:00:00Z";
    o.payload = R"({"id":)" + std::to_string(id) + "}";
    OrderLineRow l;
    l.line_id = id * 10;
    l.product_id = 77;
    l.part_number = "PN-" + std::to_string(id);
    l.status = 1;
    l.quantity = 2;
    l.sale_price_x4 = price_x4;
    l.currency = "RON";
    l.payload = "{}";
    v.lines.push_back(l);
    v.quarantine_key = std::to_string(id);
    return v;
}

SyncStateRow state(const std::string& cursor, std::int64_t processed) {
    SyncStateRow s;
    s.account = "ro1";
    s.order_type = 3;
    s.stream = "incremental";
    s.cursor_utc = cursor;
    s.last_run_at = "2026-02-01T00:00:00Z";
    s.last_outcome = "ok";
    s.processed = processed;
    return s;
}

// The same checks on each backend.
void run_all_checks(const std::string& url) {
    erp::test::migrate_emag_tables(url);
    OrderStore store(url);

    // Insert, with the cursor in the same transaction.
    BatchResult r = store.store_batch("ro1", {order(1, "2026-01-10T10:00:00Z", 1, 96766613)}, {},
                                      "2026-02-01T00:00:00Z", state("2026-01-10T10:00:00Z", 1));
    BOOST_TEST(r.inserted == 1u);
    auto o = store.find_order("ro1", 1);
    BOOST_TEST_REQUIRE(o.has_value());
    BOOST_TEST(*o->status == 1);
    BOOST_TEST(*o->shipping_tax_x4 == 199900);
    BOOST_TEST(*o->lines_total_x4 == 2 * 96766613LL);
    BOOST_TEST(o->customer_name == "Ștefan Năstase");
    BOOST_TEST(!o->is_storno.has_value()); // NULL stays NULL
    BOOST_TEST(store.lines("ro1", 1).at(0).sale_price_x4.value() == 96766613);
    BOOST_TEST(store.sync_state("ro1", 3, "incremental")->cursor_utc == "2026-01-10T10:00:00Z");

    // A newer version replaces it (lines too); an older one never does.
    r = store.store_batch("ro1", {order(1, "2026-01-11T09:00:00Z", 2, 1000)}, {}, "2026-02-01T00:01:00Z");
    BOOST_TEST(r.updated == 1u);
    r = store.store_batch("ro1", {order(1, "2026-01-10T10:00:00Z", 1, 5)}, {}, "2026-02-01T00:02:00Z");
    BOOST_TEST(r.kept_newer == 1u);
    BOOST_TEST(*store.find_order("ro1", 1)->status == 2);
    BOOST_TEST(store.lines("ro1", 1).at(0).sale_price_x4.value() == 1000);
    // The same version again is idempotent.
    store.store_batch("ro1", {order(1, "2026-01-11T09:00:00Z", 2, 1000)}, {}, "2026-02-01T00:03:00Z");
    BOOST_TEST(store.count_orders("ro1") == 1);
    BOOST_TEST(store.lines("ro1", 1).size() == 1u);

    // One order twice in a batch (a page re-read, or eMAG repeating it): the
    // later accepted version wins, an older one in between is kept out, and
    // the counts are as if written one by one. The payload text is stored as
    // given, escapes and non-ASCII included.
    ValidOrder first = order(5, "2026-01-20T00:00:00Z", 1, 10);
    ValidOrder older = order(5, "2026-01-19T00:00:00Z", 0, 20);
    ValidOrder newer = order(5, "2026-01-21T00:00:00Z", 3, 30);
    newer.order.payload = R"({"id":5,"name":"Cafea \"Dorna\" – 1 kg\n"})";
    r = store.store_batch("ro1", {first, older, newer}, {}, "2026-02-01T00:04:00Z");
    BOOST_TEST(r.inserted == 1u);
    BOOST_TEST(r.kept_newer == 1u);
    BOOST_TEST(r.updated == 1u);
    BOOST_TEST(*store.find_order("ro1", 5)->status == 3);
    BOOST_TEST(store.find_order("ro1", 5)->payload == newer.order.payload);
    BOOST_TEST(store.lines("ro1", 5).size() == 1u);
    BOOST_TEST(store.lines("ro1", 5).at(0).sale_price_x4.value() == 30);
    BOOST_TEST(store.count_orders("ro1") == 2);

    // Quarantine: kept with errors and payload; first seen kept; released
    // when a valid version arrives.
    QuarantinedOrder bad{"2", 2, R"([{"field":"status","message":"must be between 0 and 5, got 9"}])",
                         R"({"id":2,"status":9})"};
    r = store.store_batch("ro1", {}, {bad}, "2026-02-01T01:00:00Z");
    BOOST_TEST(r.quarantined == 1u);
    store.store_batch("ro1", {}, {bad}, "2026-02-01T02:00:00Z");
    auto q = store.quarantine("ro1");
    BOOST_TEST_REQUIRE(q.size() == 1u);
    BOOST_TEST(q[0].errors_json.find("got 9") != std::string::npos);
    BOOST_TEST(q[0].payload == R"({"id":2,"status":9})");
    BOOST_TEST(store.count_orders("ro1") == 2); // not stored as an order
    r = store.store_batch("ro1", {order(2, "2026-01-12T00:00:00Z", 1, 10)}, {}, "2026-02-01T03:00:00Z");
    BOOST_TEST(r.released == 1u);
    BOOST_TEST(store.quarantine("ro1").empty());
    BOOST_TEST(store.count_orders("ro1") == 3);

    // A failing batch rolls back everything, the cursor included.
    ValidOrder broken = order(3, "2026-01-13T00:00:00Z", 1, 10);
    broken.lines.push_back(broken.lines[0]); // duplicate line id: primary key violation
    BOOST_CHECK_THROW(store.store_batch("ro1", {order(4, "2026-01-13T00:00:00Z", 1, 10), broken}, {},
                                        "2026-02-01T04:00:00Z", state("2026-01-13T00:00:00Z", 3)),
                      std::exception);
    BOOST_TEST(!store.find_order("ro1", 4).has_value());
    BOOST_TEST(store.sync_state("ro1", 3, "incremental")->cursor_utc == "2026-01-10T10:00:00Z");

    // Acknowledgement is recorded; accounts are separate.
    store.mark_acknowledged("ro1", 1, "2026-02-01T05:00:00Z");
    BOOST_TEST(store.acknowledged_at("ro1", 1).value() == "2026-02-01T05:00:00Z");
    BOOST_TEST(!store.acknowledged_at("ro1", 2).has_value());
    BOOST_TEST(store.count_orders("bg1") == 0);
    BOOST_TEST(!store.sync_state("ro1", 2, "incremental").has_value());
}

} // namespace

BOOST_AUTO_TEST_CASE(order_tables_on_sqlite) {
    erp::test::TempDir dir;
    run_all_checks("sqlite3://db=" + (dir / "erp.db").string());
}

BOOST_AUTO_TEST_CASE(order_tables_on_postgresql) {
    erp::test::TempPgDatabase db;
    run_all_checks(db.url());
}
