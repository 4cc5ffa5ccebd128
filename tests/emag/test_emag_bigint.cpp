// bigint columns round-trip 64-bit values through the plugin's stores, on
// SQLite and on PostgreSQL (ERP_TEST_PG_URL). The stores read rows through
// soci::row, which types a column from its declaration: were a SQLite
// bigint column declared "integer" (SOCI's own mapping), it would come back
// as a 32-bit int, keeping only the low 32 bits. So: an order with eMAG's
// largest id (4294967295) and money past 2^31 units of 1/10000, written
// through OrderStore as the sync writes it, read back through find_order,
// lines, list_orders and order_versions, then through customer analytics.
#define BOOST_TEST_MODULE emag_bigint
#include <boost/test/unit_test.hpp>

#include "customers/customer_analytics.hpp"
#include "emag_migrate.hpp"
#include "orders/local_time.hpp"
#include "orders/order_rows.hpp"
#include "store/customer_store.hpp"
#include "store/order_store.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>

using namespace erp::emag;
using nlohmann::json;

namespace {

constexpr std::int64_t kId = 4294967295LL;           // the largest eMAG order id
constexpr std::int64_t kPriceX4 = 9999999999LL;      // 999999.9999
constexpr std::int64_t kQty = 3000;                  //
constexpr std::int64_t kLinesX4 = kPriceX4 * kQty;   // 29,999,999,997,000 (2,999,999,999.7000)
constexpr std::int64_t kShippingX4 = 2500000000LL;   // 250000.0000
constexpr std::int64_t kCashedX4 = 3000000000LL;     // 300000.0000
constexpr std::int64_t kLineId = 9000000000001LL;    // a line id past 32 bits
constexpr std::int64_t kProductId = 5000000000LL;    //
constexpr std::int64_t kCustomerId = 3000000000LL;   //
constexpr std::int64_t kSmallId = 2147483648LL;      // 2^31: the first id an int cannot hold
constexpr std::int64_t kSmallPriceX4 = 2147483648LL; // 214748.3648
const std::string kEmail = "big-spender@emag.ro";

// The orders' values with VAT, as docs/customers.md computes them: each line
// × 1.19 rounded to 1/10000, + shipping.
constexpr std::int64_t kValueX4 = 35699999996430LL + kShippingX4;  // 3,570,249,999.6430
constexpr std::int64_t kSmallValueX4 = 2555505541LL + kShippingX4; // 214748.3648 × 1.19 = 255550.5541(12)

json order_json(std::int64_t id, std::int64_t line_id, const std::string& price, std::int64_t qty,
                const std::string& date) {
    return {{"id", id},
            {"status", 4},
            {"type", 3},
            {"payment_mode_id", 3},
            {"date", date},
            {"modified", "2026-02-28 22:00:00"},
            {"shipping_tax", "250000.0000"},
            {"cashed_co", "300000.0000"},
            {"currency", "RON"},
            {"is_storno", false},
            {"customer",
             {{"id", kCustomerId}, {"name", "Mare Cumpărător"}, {"email", kEmail}, {"shipping_city", "Cluj-Napoca"}}},
            {"products",
             {{{"id", line_id},
               {"product_id", kProductId},
               {"status", 1},
               {"quantity", qty},
               {"sale_price", price},
               {"vat", "0.1900"},
               {"currency", "RON"},
               {"part_number", "PN-BIG"}}}}};
}

void check_order(const OrderRow& o) {
    BOOST_TEST(o.emag_id == kId);
    BOOST_TEST(o.shipping_tax_x4.value_or(0) == kShippingX4);
    BOOST_TEST(o.lines_total_x4.value_or(0) == kLinesX4);
    BOOST_TEST(o.cashed_co_x4.value_or(0) == kCashedX4);
    BOOST_TEST(o.customer_id.value_or(0) == kCustomerId);
    BOOST_TEST(o.status.value_or(-1) == 4);
}

void run_all_checks(const std::string& url) {
    erp::test::migrate_emag_tables(url);
    OrderStore store(url);

    json page = json::array({order_json(kId, kLineId, "999999.9999", kQty, "2026-02-20 10:00:00"),
                             order_json(kSmallId, 1, "214748.3648", 1, "2026-02-10 10:00:00")});
    SortedOrders sorted = sort_orders("ro1", page, TimeZone::utc());
    BOOST_TEST_REQUIRE(sorted.invalid.empty(), (sorted.invalid.empty() ? "" : sorted.invalid[0].errors_json));
    BOOST_TEST_REQUIRE(sorted.valid.size() == 2u);
    BOOST_TEST(sorted.valid[0].order.lines_total_x4.value_or(0) == kLinesX4); // before the database
    const BatchResult r = store.store_batch("ro1", sorted.valid, {}, "2026-02-28T23:00:00Z");
    BOOST_TEST(r.inserted == 2u);

    // find_order and lines.
    const auto o = store.find_order("ro1", kId);
    BOOST_TEST_REQUIRE(o.has_value());
    check_order(*o);
    const auto lines = store.lines("ro1", kId);
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].line_id == kLineId);
    BOOST_TEST(lines[0].product_id.value_or(0) == kProductId);
    BOOST_TEST(lines[0].quantity.value_or(0) == kQty);
    BOOST_TEST(lines[0].sale_price_x4.value_or(0) == kPriceX4);
    BOOST_TEST(lines[0].vat_x4.value_or(0) == 1900);
    const auto small = store.find_order("ro1", kSmallId);
    BOOST_TEST_REQUIRE(small.has_value());
    BOOST_TEST(small->emag_id == kSmallId);
    BOOST_TEST(small->lines_total_x4.value_or(0) == kSmallPriceX4);
    BOOST_TEST(store.lines("ro1", kSmallId).at(0).sale_price_x4.value_or(0) == kSmallPriceX4);

    // The list route's store function: every row, and the id filter.
    OrderListFilter all;
    const OrderListPage listed = store.list_orders("ro1", all);
    BOOST_TEST(listed.total == 2);
    BOOST_TEST_REQUIRE(listed.rows.size() == 2u);
    check_order(listed.rows[0]); // newest date first
    BOOST_TEST(listed.rows[1].emag_id == kSmallId);
    OrderListFilter by_id;
    by_id.text = std::to_string(kId);
    const OrderListPage found = store.list_orders("ro1", by_id);
    BOOST_TEST(found.total == 1);
    BOOST_TEST_REQUIRE(found.rows.size() == 1u);
    check_order(found.rows[0]);
    const auto versions = store.order_versions("ro1");
    BOOST_TEST_REQUIRE(versions.size() == 2u);
    BOOST_TEST((versions[0].first == kId || versions[1].first == kId));
    BOOST_TEST((versions[0].first == kSmallId || versions[1].first == kSmallId));

    // Customer analytics: the money total per currency and the last order.
    const auto now = std::chrono::system_clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 3 / 1));
    CustomerAnalytics analytics(url, [now] { return now; });
    analytics.update();
    const auto c = analytics.find("ro1", kEmail);
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->orders == 2);
    BOOST_TEST(c->last_order_id == kId);
    BOOST_TEST_REQUIRE(c->spend.count("RON") == 1u);
    BOOST_TEST(c->spend.at("RON").orders == 2);
    BOOST_TEST(c->spend.at("RON").total_x4 == kValueX4 + kSmallValueX4);
    const CustomerPage page_back = analytics.list({});
    BOOST_TEST_REQUIRE(page_back.rows.size() == 1u);
    BOOST_TEST(page_back.rows[0].last_order_id == kId);
    BOOST_TEST(page_back.rows[0].spend.at("RON").total_x4 == kValueX4 + kSmallValueX4);
    const auto history = analytics.history("ro1", kEmail, 10);
    BOOST_TEST_REQUIRE(history.size() == 2u);
    BOOST_TEST(history[0].emag_id == kId); // latest first
    BOOST_TEST(history[0].total_x4 == kValueX4);
    BOOST_TEST(history[1].emag_id == kSmallId);
    BOOST_TEST(history[1].total_x4 == kSmallValueX4);
}

} // namespace

BOOST_AUTO_TEST_CASE(bigint_values_on_sqlite) {
    erp::test::TempDir dir;
    run_all_checks("sqlite3://db=" + (dir / "erp.db").string());
}

BOOST_AUTO_TEST_CASE(bigint_values_on_postgresql) {
    erp::test::TempPgDatabase db;
    run_all_checks(db.url());
}
