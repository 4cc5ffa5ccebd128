// Customer analytics (issue 8) on SQLite and PostgreSQL (ERP_TEST_PG_URL):
// orders written from hand-written JSON through the real OrderStore, the
// figures checked against values computed by hand (docs/customers.md), then
// orders changed and the deltas checked; the incremental result compared
// with a fresh run over the same final orders; a failed batch leaves neither
// aggregates nor cursor; the routes through a registrar double; and a
// history of 20,000 orders in one update.
#define BOOST_TEST_MODULE emag_customers
#include <boost/test/unit_test.hpp>

#include "customers/customer_analytics.hpp"
#include "customers/customer_routes.hpp"
#include "customers/customer_rules.hpp"
#include "emag_migrate.hpp"
#include "orders/order_rows.hpp"
#include "route_double.hpp"
#include "store/customer_store.hpp"
#include "store/order_store.hpp"
#include "store/session.hpp"
#include "test_support.hpp"

#include <erp_plugin/erp_plugin.hpp>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace erp::emag;
using nlohmann::json;
using Clock = std::chrono::system_clock;

namespace {

// ---------------------------------------------------------------------------
// Fixtures: orders as eMAG sends them (times read as UTC).
// ---------------------------------------------------------------------------
struct Line {
    int status = 1;
    int qty = 1;
    std::string price; // excl. VAT
    std::string vat;   // "" = not sent
    std::string currency = "RON";
};

struct Fx {
    std::int64_t id = 0;
    int status = 1;
    int pm = 1;
    std::string date, modified; // "" = 2026-02-28 22:00:00
    std::string email, name, city;
    std::vector<Line> lines;
    std::string shipping = "0";
    std::vector<std::pair<std::string, std::string>> vouchers{}; // sale_price, sale_price_vat
    bool storno = false;
};

json to_json(const Fx& f) {
    json products = json::array();
    int n = 0;
    for (const Line& l : f.lines) {
        json p = {{"id", f.id * 10 + ++n},
                  {"product_id", 500 + n},
                  {"status", l.status},
                  {"quantity", l.qty},
                  {"sale_price", l.price},
                  {"currency", l.currency},
                  {"part_number", "PN" + std::to_string(n)}};
        if (!l.vat.empty()) {
            p["vat"] = l.vat;
        }
        products.push_back(p);
    }
    json vouchers = json::array();
    int v = 0;
    for (const auto& [price, vat] : f.vouchers) {
        vouchers.push_back({{"voucher_id", ++v}, {"sale_price", price}, {"sale_price_vat", vat}, {"vat", "0.19"}});
    }
    return {{"id", f.id},
            {"status", f.status},
            {"type", 3},
            {"payment_mode_id", f.pm},
            {"date", f.date},
            {"modified", f.modified.empty() ? "2026-02-28 22:00:00" : f.modified},
            {"shipping_tax", f.shipping},
            {"is_storno", f.storno},
            {"customer", {{"id", 7}, {"name", f.name}, {"email", f.email}, {"shipping_city", f.city}}},
            {"products", products},
            {"vouchers", vouchers}};
}

void write(OrderStore& store, const std::string& account, const std::vector<Fx>& orders, const std::string& now_iso) {
    json page = json::array();
    for (const Fx& f : orders) {
        page.push_back(to_json(f));
    }
    SortedOrders sorted = sort_orders(account, page, TimeZone::utc());
    BOOST_TEST_REQUIRE(sorted.invalid.empty(), (sorted.invalid.empty() ? "" : sorted.invalid[0].errors_json));
    const BatchResult r = store.store_batch(account, sorted.valid, {}, now_iso);
    BOOST_TEST_REQUIRE(r.kept_newer == 0u);
}

const std::string kAna = "1001@emag.ro", kBogdan = "1002@emag.ro", kCristina = "1003@emag.ro";

// The first state of account ro1 (RON; one order in EUR) and bg1 (BGN).
// Fields: id, status, payment mode, date, modified, e-mail hash, name, city,
// lines {status, qty, price, vat, currency}, shipping, vouchers, storno.
// clang-format off
std::map<std::int64_t, Fx> ro1_v1() {
    std::map<std::int64_t, Fx> m;
    auto add = [&](Fx f) { m[f.id] = std::move(f); };
    // Ana: COD and card, one canceled COD order (a refusal).
    add({101, 4, 1, "2026-01-10 10:00:00", {}, kAna, "Ana Pop", "Cluj-Napoca",
         {{1, 2, "100.0000", "0.1900"}, {0, 1, "50.5000", "0.1900"}}, "15.9900", {{"-10.0000", "-1.9000"}}});
    add({102, 4, 3, "2026-02-01 12:00:00", {}, kAna, "Ana Pop", "Cluj-Napoca", {{1, 3, "33.3333", "0.1900"}}});
    add({103, 0, 1, "2026-02-15 09:00:00", {}, kAna, "Ana Pop", "Turda", {{1, 1, "500.0000", "0.1900"}}});
    // Bogdan: two returned COD orders, one in EUR, a VAT rate sent as percent.
    add({201, 5, 1, "2025-12-01 08:00:00", {}, kBogdan, "Bogdan Ion", "Iasi", {{1, 1, "1000.0000", "0.1900"}}});
    add({202, 4, 2, "2026-01-05 08:00:00", {}, kBogdan, "Bogdan Ion", "Iasi",
         {{1, 2, "49.9950", "0.2100", "EUR"}}, "5.0000"});
    add({203, 1, 1, "2026-02-20 18:30:00", {}, kBogdan, "Bogdan Ion", "Iasi ", {{1, 1, "10.0000", ""}}, "19.9900"});
    add({204, 5, 1, "2026-02-25 11:00:00", {}, kBogdan, "Bogdan Ion", "Bacau", {{1, 1, "200.0000", "19"}}});
    // Cristina: card and transfer, vouchers, a partial storno.
    add({301, 4, 3, "2025-06-01 10:00:00", {}, kCristina, "Cristina Vasile", "Bucuresti",
         {{1, 1, "1500.0000", "0.1900"}, {1, 2, "250.0000", "0.0900"}}, "0",
         {{"-100.0000", "-19.0000"}, {"-50.0000", "-4.5000"}}});
    add({302, 4, 3, "2025-09-01 10:00:00", {}, kCristina, "Cristina Vasile", "Bucuresti",
         {{0, 1, "3000.0000", "0.1900"}, {1, 1, "1000.0000", "0.1900"}}, "0", {}, true});
    add({303, 3, 2, "2026-02-28 20:00:00", {}, kCristina, "Cristina Vasile", "Bucuresti",
         {{1, 1, "2100.0840", "0.1900"}}});
    // No e-mail hash: belongs to no customer.
    add({401, 4, 1, "2026-02-01 10:00:00", {}, "", "Anonim", "Brasov", {{1, 1, "10.0000", "0.1900"}}});
    return m;
}

std::vector<Fx> bg1_orders() {
    return {{501, 2, 1, "2026-01-20 10:00:00", {}, kAna, "Ana Pop", "Sofia", {{1, 1, "100.0000", "0.2000", "BGN"}},
             "4.9900"}};
}
// clang-format on

// The changes of the second pass, each with a newer `modified`.
std::map<std::int64_t, Fx> ro1_changes(const std::map<std::int64_t, Fx>& v1) {
    std::map<std::int64_t, Fx> c;
    auto change = [&](std::int64_t id, const std::function<void(Fx&)>& f) {
        Fx x = v1.at(id);
        x.modified = "2026-03-01 10:00:00";
        f(x);
        c[id] = x;
    };
    change(203, [](Fx& f) { f.status = 0; });                       // new COD order canceled: a refusal
    change(102, [](Fx& f) { f.status = 5; });                       // card order returned
    change(302, [](Fx& f) { f.email = kAna, f.name = "Ana Pop"; }); // moves from Cristina to Ana
    change(103, [](Fx& f) { f.name = "Ana Pop-Ionescu"; });         // Ana's latest order: her name changes
    change(204, [](Fx& f) { f.email = ""; });                       // Bogdan's latest order loses its customer
    return c;
}

std::vector<Fx> values(const std::map<std::int64_t, Fx>& m) {
    std::vector<Fx> out;
    for (const auto& [id, f] : m) {
        out.push_back(f);
    }
    return out;
}

// ---------------------------------------------------------------------------
// Expected figures, computed by hand (see the comments).
// ---------------------------------------------------------------------------
struct Spend {
    std::string currency;
    std::int64_t orders;
    std::string total, average;
};

struct Expected {
    std::string name;
    std::int64_t orders, canceled, returned, storno, cod_refused, pay_cod, pay_transfer, pay_card;
    std::string first, last;
    std::vector<Spend> spend;
    std::map<std::string, std::int64_t> cities;
    int preferred;
    int loyalty;
    std::string risk;
};

void check(CustomerAnalytics& a, const std::string& account, const std::string& key, const Expected& e) {
    BOOST_TEST_CONTEXT(account << "/" << key) {
        const auto c = a.find(account, key);
        BOOST_TEST_REQUIRE(c.has_value());
        BOOST_TEST(c->name == e.name);
        BOOST_TEST(c->orders == e.orders);
        BOOST_TEST(c->canceled == e.canceled);
        BOOST_TEST(c->returned == e.returned);
        BOOST_TEST(c->storno == e.storno);
        BOOST_TEST(c->cod_refused == e.cod_refused);
        BOOST_TEST(c->pay_cod == e.pay_cod);
        BOOST_TEST(c->pay_transfer == e.pay_transfer);
        BOOST_TEST(c->pay_card == e.pay_card);
        BOOST_TEST(c->first_order_utc == e.first);
        BOOST_TEST(c->last_order_utc == e.last);
        BOOST_TEST_REQUIRE(c->spend.size() == e.spend.size());
        for (const Spend& s : e.spend) {
            BOOST_TEST_REQUIRE(c->spend.count(s.currency) == 1u, s.currency);
            const SpendTotal& got = c->spend.at(s.currency);
            BOOST_TEST(got.orders == s.orders);
            BOOST_TEST(Decimal4{got.total_x4}.to_string() == s.total);
            BOOST_TEST(Decimal4{average_x4(got)}.to_string() == s.average);
        }
        BOOST_TEST((c->cities == e.cities));
        BOOST_TEST(preferred_payment(*c) == e.preferred);
        BOOST_TEST(c->loyalty_score == e.loyalty);
        BOOST_TEST(c->risk_level == e.risk);
    }
}

// Pass 1, analytics clock 2026-03-01T00:00:00Z.
//
// Ana (ro1): 101 = 2 × 100 × 1.19 (the canceled line adds nothing) + 15.99
// shipping − 10 − 1.90 voucher = 242.0900; 102 = 3 × 33.3333 × 1.19 =
// 118.999881 → 118.9999; 103 canceled (COD: a refusal). Spent 361.0899 in 2
// orders, average 180.54495 → 180.5450. Loyalty: 2 kept × 4 = 8; money
// 361.0899 / 5000 × 20 = 1.4 → 1; last order 13 days ago: 25 × 352 / 365 =
// 24.1 → 24; kept share 15 × 2 / 3 = 10 → 43. Risk: one COD refusal → medium.
const Expected kAnaV1{"Ana Pop",
                      3,
                      1,
                      0,
                      0,
                      1,
                      2,
                      0,
                      1,
                      "2026-01-10T10:00:00Z",
                      "2026-02-15T09:00:00Z",
                      {{"RON", 2, "361.0899", "180.5450"}},
                      {{"Cluj-Napoca", 2}, {"Turda", 1}},
                      kPayCod,
                      43,
                      "medium"};
// Bogdan: 201 and 204 returned COD orders (2 refusals); 202 = 2 × 49.995 ×
// 1.21 = 120.9879 + 5 shipping = 125.9879 EUR; 203 = 10 (no VAT sent) +
// 19.99 = 29.9900 RON; "Iasi " is trimmed. Loyalty: 2 kept → 8; money EUR
// 125.9879 / 1000 × 20 = 2.5 → 2, RON 0.1 → 0; 3 days → 25 × 362 / 365 →
// 24; 15 × 2 / 4 → 7 = 41. Risk: 2 refusals of 3 COD orders → high.
const Expected kBogdanV1{"Bogdan Ion",
                         4,
                         0,
                         2,
                         0,
                         2,
                         3,
                         1,
                         0,
                         "2025-12-01T08:00:00Z",
                         "2026-02-25T11:00:00Z",
                         {{"EUR", 1, "125.9879", "125.9879"}, {"RON", 1, "29.9900", "29.9900"}},
                         {{"Bacau", 1}, {"Iasi", 3}},
                         kPayCod,
                         41,
                         "high"};
// Cristina: 301 = 1785 + 2 × 250 × 1.09 = 545 − 119 − 54.50 vouchers =
// 2156.5000; 302 (storno: the 3000 line canceled) = 1190.0000; 303 = 2100.084
// × 1.19 = 2499.09996 → 2499.1000. Spent 5845.6000 in 3, average 1948.5333.
// Loyalty: 3 × 4 = 12; money capped at 20; 4 hours ago → 25; 15 = 72.
const Expected kCristinaV1{"Cristina Vasile",
                           3,
                           0,
                           0,
                           1,
                           0,
                           0,
                           1,
                           2,
                           "2025-06-01T10:00:00Z",
                           "2026-02-28T20:00:00Z",
                           {{"RON", 3, "5845.6000", "1948.5333"}},
                           {{"Bucuresti", 3}},
                           kPayCard,
                           72,
                           "low"};
// Ana on bg1: 100 × 1.20 + 4.99 = 124.9900 BGN. Loyalty: 4; 124.99 / 2000 ×
// 20 → 1; 39 days → 25 × 326 / 365 → 22; 15 = 42.
const Expected kAnaBg{"Ana Pop",
                      1,
                      0,
                      0,
                      0,
                      0,
                      1,
                      0,
                      0,
                      "2026-01-20T10:00:00Z",
                      "2026-01-20T10:00:00Z",
                      {{"BGN", 1, "124.9900", "124.9900"}},
                      {{"Sofia", 1}},
                      kPayCod,
                      42,
                      "low"};

// After the changes. Ana: gains 302 (2025-09-01, storno, card, Bucuresti,
// 1190), 102 returned; her latest order (103) now says "Ana Pop-Ionescu".
// Spent 242.09 + 1190 = 1432.0900 in 2, average 716.0450. COD 2 = card 2:
// a tie goes to COD. Canceled + returned = 2 of 4 orders → high. Loyalty:
// 8; 1432.09 / 5000 × 20 = 5.7 → 5; 24; 15 × 2 / 4 → 7 = 44.
const Expected kAnaV2{"Ana Pop-Ionescu",
                      4,
                      1,
                      1,
                      1,
                      1,
                      2,
                      0,
                      2,
                      "2025-09-01T10:00:00Z",
                      "2026-02-15T09:00:00Z",
                      {{"RON", 2, "1432.0900", "716.0450"}},
                      {{"Bucuresti", 1}, {"Cluj-Napoca", 2}, {"Turda", 1}},
                      kPayCod,
                      44,
                      "high"};
// Bogdan: 203 canceled (a refusal: RON spend gone), 204 left him (his last
// order is 203 again, Bacau gone). Loyalty: 1 kept → 4; EUR → 2; 8 days →
// 25 × 357 / 365 → 24; 15 × 1 / 3 → 5 = 35. 2 refusals of 2 COD → high.
const Expected kBogdanV2{"Bogdan Ion",
                         3,
                         1,
                         1,
                         0,
                         2,
                         2,
                         1,
                         0,
                         "2025-12-01T08:00:00Z",
                         "2026-02-20T18:30:00Z",
                         {{"EUR", 1, "125.9879", "125.9879"}},
                         {{"Iasi", 3}},
                         kPayCod,
                         35,
                         "high"};
// Cristina: lost 302: spent 2156.5 + 2499.1 = 4655.6000 in 2, average
// 2327.8000; card 1 = transfer 1 → transfer. Loyalty: 8; 18.6 → 18; 25; 15 = 66.
const Expected kCristinaV2{"Cristina Vasile",
                           2,
                           0,
                           0,
                           0,
                           0,
                           0,
                           1,
                           1,
                           "2025-06-01T10:00:00Z",
                           "2026-02-28T20:00:00Z",
                           {{"RON", 2, "4655.6000", "2327.8000"}},
                           {{"Bucuresti", 2}},
                           kPayTransfer,
                           66,
                           "low"};

// A clock the test moves by hand (no sleeps).
struct TestClock {
    Clock::time_point now = Clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 3 / 1));
    std::function<Clock::time_point()> fn() {
        return [this] { return now; };
    }
};

bool same(const std::vector<CustomerRow>& a, const std::vector<CustomerRow>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const CustomerRow &x = a[i], &y = b[i];
        if (x.account != y.account || x.customer_key != y.customer_key || x.name != y.name || x.orders != y.orders ||
            x.canceled != y.canceled || x.returned != y.returned || x.storno != y.storno ||
            x.cod_refused != y.cod_refused || x.pay_cod != y.pay_cod || x.pay_transfer != y.pay_transfer ||
            x.pay_card != y.pay_card || x.first_order_utc != y.first_order_utc ||
            x.last_order_utc != y.last_order_utc || x.last_order_id != y.last_order_id ||
            x.loyalty_score != y.loyalty_score || x.risk_level != y.risk_level || x.spend != y.spend ||
            x.cities != y.cities) {
            return false;
        }
    }
    return true;
}

std::string sqlite_url(const erp::test::TempDir& dir, const std::string& name = "erp.db") {
    return "sqlite3://db=" + (dir / name).string();
}

// ---------------------------------------------------------------------------
// The scenario, the same on both backends.
// ---------------------------------------------------------------------------
void figures_and_deltas(const std::string& url, const std::string& fresh_url) {
    erp::test::migrate_emag_tables(url);
    OrderStore orders(url);
    const auto v1 = ro1_v1();
    write(orders, "ro1", values(v1), "2026-02-28T23:00:00Z");
    write(orders, "bg1", bg1_orders(), "2026-02-28T23:05:00Z");

    TestClock clock;
    CustomerAnalytics::Options small;
    small.batch_size = 4; // several keyset pages, one crossing accounts
    CustomerAnalytics a(url, clock.fn(), small);
    AnalyticsReport r = a.update();
    BOOST_TEST(r.orders_seen == 12u);
    BOOST_TEST(r.orders_changed == 11u);
    BOOST_TEST(r.customers_touched == 4u);
    BOOST_TEST(r.orders_without_customer == 1u);
    check(a, "ro1", kAna, kAnaV1);
    check(a, "ro1", kBogdan, kBogdanV1);
    check(a, "ro1", kCristina, kCristinaV1);
    check(a, "bg1", kAna, kAnaBg);
    BOOST_TEST(!a.find("ro1", "").has_value());
    BOOST_TEST(a.list({}).total == 4);

    // Nothing changed: the overlap re-reads the last orders, changes nothing.
    const std::vector<CustomerRow> before = CustomerStore(url).all_customers();
    r = a.update();
    BOOST_TEST(r.orders_changed == 0u);
    BOOST_TEST(r.customers_touched == 0u);
    BOOST_TEST(r.orders_seen == 1u); // bg1's order: within 10 s of the cursor
    BOOST_TEST(same(CustomerStore(url).all_customers(), before));

    // The changes: every delta applied, nothing else touched.
    const auto changes = ro1_changes(v1);
    write(orders, "ro1", values(changes), "2026-02-28T23:30:00Z");
    r = a.update();
    BOOST_TEST(r.orders_seen == 6u); // and bg1's again: within the overlap
    BOOST_TEST(r.orders_changed == 5u);
    BOOST_TEST(r.customers_touched == 3u);
    BOOST_TEST(r.orders_without_customer == 1u);
    check(a, "ro1", kAna, kAnaV2);
    check(a, "ro1", kBogdan, kBogdanV2);
    check(a, "ro1", kCristina, kCristinaV2);
    check(a, "bg1", kAna, kAnaBg);
    const std::vector<CustomerRow> incremental = CustomerStore(url).all_customers();
    r = a.update();
    BOOST_TEST(r.orders_changed == 0u);
    BOOST_TEST(same(CustomerStore(url).all_customers(), incremental));

    // A row committed late, stamped within the overlap before the cursor
    // (another thread's transaction): still picked up.
    Fx late = v1.at(301);
    late.modified = "2026-03-01 11:00:00";
    late.city = "Cluj-Napoca";
    write(orders, "ro1", {late}, "2026-02-28T23:29:55Z");
    r = a.update();
    BOOST_TEST(r.orders_changed == 1u);
    BOOST_TEST(a.find("ro1", kCristina)->cities.at("Cluj-Napoca") == 1);
    late.city = "Bucuresti";
    late.modified = "2026-03-01 12:00:00";
    write(orders, "ro1", {late}, "2026-02-28T23:30:00Z");
    a.update();
    BOOST_TEST(same(CustomerStore(url).all_customers(), incremental));

    // No drift: a fresh run over the same final orders gives the same figures
    // and the same per-order contributions.
    erp::test::migrate_emag_tables(fresh_url);
    {
        OrderStore fresh_orders(fresh_url);
        auto final_ro1 = v1;
        for (const auto& [id, f] : changes) {
            final_ro1[id] = f;
        }
        final_ro1[301] = late;
        write(fresh_orders, "ro1", values(final_ro1), "2026-03-01T05:00:00Z");
        write(fresh_orders, "bg1", bg1_orders(), "2026-03-01T05:00:00Z");
    }
    CustomerAnalytics fresh(fresh_url, clock.fn());
    r = fresh.update();
    BOOST_TEST(r.orders_seen == 12u);
    BOOST_TEST(r.orders_without_customer == 2u);
    BOOST_TEST(same(CustomerStore(fresh_url).all_customers(), incremental));
    BOOST_TEST((CustomerStore(fresh_url).all_contributions("ro1") == CustomerStore(url).all_contributions("ro1")));

    // A month later with no order change: scores age from the counters.
    // Ana's last order is now 43 days old: 25 × 322 / 365 → 22, so 44 → 42.
    clock.now += std::chrono::hours(24 * 30);
    r = a.update();
    BOOST_TEST(r.orders_changed == 0u);
    BOOST_TEST(a.find("ro1", kAna)->loyalty_score == 42);
    BOOST_TEST(a.find("ro1", kAna)->scored_at == "2026-03-31T00:00:00Z");
    BOOST_TEST(a.find("ro1", kAna)->orders == 4);
}

// A batch that fails after writing aggregates leaves neither them nor the
// cursor; the next update starts again and gets everything right once.
void failed_batch_commits_nothing(const std::string& url) {
    erp::test::migrate_emag_tables(url);
    OrderStore orders(url);
    write(orders, "ro1", values(ro1_v1()), "2026-02-28T23:00:00Z");
    TestClock clock;
    CustomerAnalytics a(url, clock.fn());
    const auto sql = open_store_session(url);
    // The cursor's table vanishes: the batch's last write fails.
    *sql << "ALTER TABLE emag_analytics_state RENAME TO emag_analytics_state_gone";
    std::string message;
    try {
        a.update();
    } catch (const std::runtime_error& e) {
        message = e.what();
    }
    BOOST_TEST(!message.empty());
    BOOST_TEST(message.find("@emag.ro") == std::string::npos, message); // no customer data in errors
    BOOST_TEST(message.find("Ana") == std::string::npos, message);
    CustomerStore store(url);
    BOOST_TEST(store.all_customers().empty());
    BOOST_TEST(store.all_contributions("ro1").empty());
    *sql << "ALTER TABLE emag_analytics_state_gone RENAME TO emag_analytics_state";
    BOOST_TEST(!store.cursor("customers").has_value());

    AnalyticsReport r = a.update();
    BOOST_TEST(r.orders_changed == 10u);
    check(a, "ro1", kAna, kAnaV1);
    check(a, "ro1", kCristina, kCristinaV1);
    BOOST_TEST(store.cursor("customers").value() == "2026-02-28T23:00:00Z");
    // The informational columns: COD orders (= pay_cod) and each order's version.
    long long cod_orders = 0;
    std::string modified;
    *sql << "SELECT cod_orders FROM emag_customers WHERE account = 'ro1' AND customer_key = :k", soci::into(cod_orders),
        soci::use(kAna);
    *sql << "SELECT modified_utc FROM emag_customer_orders WHERE account = 'ro1' AND emag_id = 101",
        soci::into(modified);
    BOOST_TEST(cod_orders == 2);
    BOOST_TEST(modified == "2026-02-28T22:00:00Z");
    // Re-running from an older cursor (as after a crash right before the
    // cursor moved on) re-reads every order and changes nothing.
    *sql << "UPDATE emag_analytics_state SET cursor_utc = '2026-01-01T00:00:00Z'";
    const auto before = store.all_customers();
    r = a.update();
    BOOST_TEST(r.orders_seen == 11u);
    BOOST_TEST(r.orders_changed == 0u);
    BOOST_TEST(same(store.all_customers(), before));
}

} // namespace

BOOST_AUTO_TEST_CASE(rules_order_value_and_scores) {
    // 2 × 100 × 1.19 + 15.99 − 11.90; a canceled line adds nothing.
    const std::string p = to_json(ro1_v1().at(101)).dump();
    BOOST_TEST(order_value_x4(p, 0, 159900) == 2420900);
    // Not an order: lines (excl. VAT) + shipping.
    BOOST_TEST(order_value_x4("not json", 1000000, 159900) == 1159900);
    BOOST_TEST(divide_rounded(5, 2) == 3);
    BOOST_TEST(divide_rounded(-5, 2) == -3);
    CustomerRow c;
    BOOST_TEST(std::string(risk_level(c)) == "low");
    c.orders = 4;
    c.canceled = 1;
    BOOST_TEST(std::string(risk_level(c)) == "medium"); // 1 in 4
    c.orders = 5;
    BOOST_TEST(std::string(risk_level(c)) == "low"); // 1 in 5
    c.pay_cod = 5;
    c.cod_refused = 3;
    BOOST_TEST(std::string(risk_level(c)) == "high");
    BOOST_TEST(loyalty_score(CustomerRow{}, std::chrono::sys_seconds{}) == 0);
}

BOOST_AUTO_TEST_CASE(figures_and_deltas_on_sqlite) {
    erp::test::TempDir dir;
    figures_and_deltas(sqlite_url(dir), sqlite_url(dir, "fresh.db"));
}

BOOST_AUTO_TEST_CASE(figures_and_deltas_on_postgresql) {
    erp::test::TempPgDatabase db, fresh;
    figures_and_deltas(db.url(), fresh.url());
}

BOOST_AUTO_TEST_CASE(failed_batch_on_sqlite) {
    erp::test::TempDir dir;
    failed_batch_commits_nothing(sqlite_url(dir));
}

BOOST_AUTO_TEST_CASE(failed_batch_on_postgresql) {
    erp::test::TempPgDatabase db;
    failed_batch_commits_nothing(db.url());
}

// ---------------------------------------------------------------------------
// The routes, through a registrar double that calls the handlers directly.
// ---------------------------------------------------------------------------
namespace {

using erp::test::call;
using erp::test::Reply;
using erp::test::RouteHost;

std::vector<std::string> keys_of(const Reply& r) {
    std::vector<std::string> out;
    const json j = r.j(); // kept alive: a range-for over r.j().at(...) would dangle
    for (const json& c : j.at("customers")) {
        out.push_back(c.at("account").get<std::string>() + "/" + c.at("key").get<std::string>());
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(routes_list_and_detail) {
    erp::test::TempDir dir;
    const std::string url = sqlite_url(dir);
    erp::test::migrate_emag_tables(url);
    OrderStore orders(url);
    write(orders, "ro1", values(ro1_v1()), "2026-02-28T23:00:00Z");
    write(orders, "bg1", bg1_orders(), "2026-02-28T23:00:00Z");
    TestClock clock;
    auto analytics = std::make_shared<CustomerAnalytics>(url, clock.fn());
    analytics->update();
    bool started = false;
    RouteHost host;
    erp::plugin::Registrations reg(&host.registrar);
    register_customer_routes(reg, [&] { return started ? analytics : nullptr; });
    BOOST_TEST_REQUIRE(host.routes.size() == 2u);
    for (const auto& r : host.routes) {
        BOOST_TEST((r.flags & ERP_ROUTE_ADMIN) != 0u, r.pattern);
    }
    BOOST_TEST(call(host, "GET", "/api/customers", json::object()).status == 503);
    started = true;

    // Default: every account, latest order first.
    Reply r = call(host, "GET", "/api/customers", json::object());
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(r.j()["total"] == 4);
    BOOST_TEST(
        (keys_of(r) == std::vector<std::string>{"ro1/" + kCristina, "ro1/" + kBogdan, "ro1/" + kAna, "bg1/" + kAna}));
    // Spent (Cristina 5845.6, Ana 361.0899, Bogdan 125.9879 + 29.99), ascending.
    r = call(host, "GET", "/api/customers", json::object(), "account=ro1&sort=spent&order=asc");
    BOOST_TEST((keys_of(r) == std::vector<std::string>{"ro1/" + kBogdan, "ro1/" + kAna, "ro1/" + kCristina}));
    r = call(host, "GET", "/api/customers", json::object(), "sort=loyalty&per_page=2&page=2");
    BOOST_TEST((keys_of(r) == std::vector<std::string>{"bg1/" + kAna, "ro1/" + kBogdan})); // 72, 43, 42, 41
    r = call(host, "GET", "/api/customers", json::object(), "sort=return_rate");
    BOOST_TEST(r.j()["customers"][0]["key"] == kBogdan);
    BOOST_TEST(r.j()["customers"][0]["return_rate"] == 0.5);
    r = call(host, "GET", "/api/customers", json::object(), "risk=high");
    BOOST_TEST((keys_of(r) == std::vector<std::string>{"ro1/" + kBogdan}));
    r = call(host, "GET", "/api/customers", json::object(), "q=VASILE");
    BOOST_TEST((keys_of(r) == std::vector<std::string>{"ro1/" + kCristina}));
    r = call(host, "GET", "/api/customers", json::object(), "q=1001%40emag&sort=orders");
    BOOST_TEST((keys_of(r) == std::vector<std::string>{"ro1/" + kAna, "bg1/" + kAna}));
    BOOST_TEST(call(host, "GET", "/api/customers", json::object(), "sort=name").status == 400);
    BOOST_TEST(call(host, "GET", "/api/customers", json::object(), "risk=extreme").status == 400);

    // One customer with cities and history.
    r = call(host, "GET", "/api/customers/{account}/{key}", {{"account", "ro1"}, {"key", kAna}});
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    const json a = r.j();
    BOOST_TEST(a["orders"] == 3);
    BOOST_TEST(a["cancel_rate"] == 0.3333);
    BOOST_TEST(a["preferred_payment"] == "cod");
    BOOST_TEST(a["spent"] == json::parse(R"([{"currency":"RON","orders":2,"total":"361.0899","average":"180.5450"}])"));
    BOOST_TEST(a["cities"] == json::parse(R"([{"city":"Cluj-Napoca","orders":2},{"city":"Turda","orders":1}])"));
    BOOST_TEST_REQUIRE(a["history"].size() == 3u);
    BOOST_TEST(a["history"][0] == json::parse(R"({"id":103,"date":"2026-02-15T09:00:00Z","status":0,"total":"595.0000",
        "currency":"RON","payment":"cod","city":"Turda","storno":false})"));
    BOOST_TEST(a["history"][2]["total"] == "242.0900");
    r = call(host, "GET", "/api/customers/{account}/{key}", {{"account", "ro1"}, {"key", "9999@emag.ro"}});
    BOOST_TEST(r.status == 404);
    BOOST_TEST(r.body.find("9999") == std::string::npos);
}

// ---------------------------------------------------------------------------
// A large history in one update: 20,000 orders of 5,000 customers (SQLite),
// 2,000 (PostgreSQL), every batch of the keyset walk. The rate is printed
// (--log_level=message), not asserted: timing belongs in benchmarks.
// ---------------------------------------------------------------------------
namespace {

void large_history(const std::string& url, int n) {
    erp::test::migrate_emag_tables(url);
    {
        OrderStore orders(url);
        std::vector<Fx> page;
        for (int i = 1; i <= n; ++i) {
            // clang-format off
            Fx f{i, i % 6, 1 + i % 3, "2026-01-01 10:00:00", {}, std::to_string(1 + i % (n / 4)) + "@emag.ro",
                 "Client " + std::to_string(i % (n / 4)), i % 7 == 0 ? "Iasi" : "Cluj",
                 {{1, 1 + i % 3, "19.9900", "0.1900"}, {1, 1, "5.5000", "0.0900"}}, "15.0000",
                 {{"-1.0000", "-0.1900"}}};
            // clang-format on
            f.date[9] = static_cast<char>('1' + i % 9);
            if (i % 50 == 0) {
                f.email = "";
            }
            page.push_back(std::move(f));
            if (page.size() == 100) {
                write(orders, "ro1", page, "2026-02-01T00:00:00Z");
                page.clear();
            }
        }
    }
    TestClock clock;
    CustomerAnalytics a(url, clock.fn());
    const auto t0 = std::chrono::steady_clock::now();
    const AnalyticsReport r = a.update();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = n / s;
    BOOST_TEST_MESSAGE(url.substr(0, url.find(':'))
                       << ": " << n << " orders in " << s << " s = " << rate << " orders/s");
    BOOST_TEST(r.orders_seen == static_cast<std::uint64_t>(n));
    BOOST_TEST(r.orders_without_customer == static_cast<std::uint64_t>(n / 50));
    // Every 50th order has no e-mail hash: the customers whose orders all are such.
    BOOST_TEST(r.customers_touched == static_cast<std::uint64_t>(n / 4 - n / 200));
    std::int64_t total = 0;
    for (const CustomerRow& c : CustomerStore(url).all_customers()) {
        total += c.orders;
    }
    BOOST_TEST(total == n - n / 50);
}

} // namespace

BOOST_AUTO_TEST_CASE(large_history_on_sqlite) {
    erp::test::TempDir dir;
    large_history(sqlite_url(dir), 20000);
}

BOOST_AUTO_TEST_CASE(large_history_on_postgresql) {
    erp::test::TempPgDatabase db;
    large_history(db.url(), 2000);
}
