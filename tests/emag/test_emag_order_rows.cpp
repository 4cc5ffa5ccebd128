// Orders from a page to the tables: parsed, validated, split into rows or
// quarantine (never dropped), and the host-callable validator `emag.order`.
// The end-to-end case reads every order of the local eMAG sandbox through
// the real client and checks the split against the sandbox's own list of the
// orders it made invalid.
#define BOOST_TEST_MODULE emag_order_rows
#include <boost/test/unit_test.hpp>

#include "api/emag_client.hpp"
#include "api/pagination.hpp"
#include "api/transport.hpp"
#include "emag_migrate.hpp"
#include "orders/order_rows.hpp"
#include "server/sandbox_server.hpp"
#include "store/order_store.hpp"
#include "store/schema.hpp"
#include "test_support.hpp"

#include <functional>
#include <set>

using namespace erp::emag;
using nlohmann::json;
namespace sb = emag::sandbox;

namespace {

json valid_order(long long id) {
    return json::parse(R"({"id":)" + std::to_string(id) + R"(,"status":1,"type":3,"payment_mode_id":1,
        "date":"2026-07-01 10:00:00","modified":"2026-07-02 11:30:00","shipping_tax":"19.99",
        "customer":{"id":5,"name":"Ana Pop","email":"123@emag.ro","shipping_city":"Cluj-Napoca"},
        "details":{"locker_id":"L-1","locker_name":"EasyBox Mall"},
        "products":[{"id":"171958974","product_id":77,"quantity":"2","sale_price":"967.6613","status":1,
                     "currency":"RON","part_number":"PN1","vat":"0.2100"}]})");
}

} // namespace

BOOST_AUTO_TEST_CASE(a_page_is_split_and_nothing_is_dropped) {
    json bad = valid_order(2);
    bad["status"] = 9;
    bad["products"][0]["quantity"] = 0;
    json no_id = valid_order(3);
    no_id.erase("id");
    const json page = json::array({valid_order(1), bad, "not an order", no_id});
    const SortedOrders s = sort_orders("ro1", page, *TimeZone::find("Europe/Bucharest"));
    BOOST_TEST_REQUIRE(s.valid.size() == 1u);
    BOOST_TEST_REQUIRE(s.invalid.size() == 3u);

    const OrderRow& o = s.valid[0].order;
    BOOST_TEST(o.emag_id == 1);
    BOOST_TEST(o.shipping_tax_x4.value() == 199900);
    BOOST_TEST(o.lines_total_x4.value() == 2 * 9676613LL);
    BOOST_TEST(o.currency == "RON");
    BOOST_TEST(o.modified_local == "2026-07-02 11:30:00");
    BOOST_TEST(o.modified_utc == "2026-07-02T08:30:00Z"); // Bucharest summer time, +3
    BOOST_TEST(o.locker_id == "L-1");
    BOOST_TEST(o.customer_email_hash == "123@emag.ro");
    BOOST_TEST(s.valid[0].lines.at(0).line_id == 171958974);
    BOOST_TEST(s.valid[0].lines.at(0).vat_x4.value() == 2100);

    BOOST_TEST(s.invalid[0].order_key == "2");
    BOOST_TEST(s.invalid[0].emag_id.value() == 2);
    const json errors = json::parse(s.invalid[0].errors_json);
    std::set<std::string> fields;
    for (const auto& e : errors) {
        fields.insert(e["field"].get<std::string>());
        BOOST_TEST(!e["code"].get<std::string>().empty());
    }
    BOOST_TEST(fields == (std::set<std::string>{"status", "products[0].quantity"}));
    BOOST_TEST(json::parse(s.invalid[0].payload) == bad); // the raw order, as sent
    BOOST_TEST(s.invalid[1].order_key.rfind("payload:", 0) == 0u);
    BOOST_TEST(s.invalid[2].order_key.rfind("payload:", 0) == 0u);
    BOOST_TEST(s.invalid[1].order_key != s.invalid[2].order_key);
    BOOST_TEST(quarantine_key(no_id) == s.invalid[2].order_key); // stable: the same payload, the same key

    // Not even a list: still kept.
    const SortedOrders odd = sort_orders("ro1", json{{"unexpected", true}}, TimeZone::utc());
    BOOST_TEST(odd.valid.empty());
    BOOST_TEST(odd.invalid.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_emag_order_validator) {
    BOOST_TEST(order_problems_json(valid_order(1).dump()) == "[]");
    json bad = valid_order(1);
    bad["products"] = json::array();
    bad["payment_mode_id"] = 4;
    const json problems = json::parse(order_problems_json(bad.dump()));
    BOOST_TEST(problems.size() == 2u);
    BOOST_TEST(problems[0]["field"] == "payment_mode_id");
    BOOST_TEST(problems[0]["code"] == "out_of_range");
    BOOST_TEST(problems[1]["field"] == "products");
    BOOST_TEST(problems[1]["code"] == "empty");
    BOOST_CHECK_THROW(order_problems_json("{\"id\": 1,"), std::invalid_argument);
}

// Every sandbox order, read through the client, ends up stored or in
// quarantine, and quarantine holds exactly the orders the sandbox broke.
BOOST_AUTO_TEST_CASE(every_sandbox_order_is_stored_or_quarantined) {
    sb::SandboxOptions o;
    o.port = 0;
    o.orders = 400;
    o.offers = 50;
    o.invalid_fraction = 0.05;
    sb::SandboxServer sandbox(o);
    sandbox.start();

    // The oracle: the sandbox's full list, judged by the kinds of breakage
    // its generator makes (data_generator.hpp), not by our validator.
    const json all = json::parse(sandbox.state().markets.at("sandbox")->orders_json());
    std::set<long long> broken;
    for (const auto& ord : all) {
        bool bad = ord["status"] == 7 || ord["payment_mode_id"] == 9 || ord["products"].empty();
        for (const auto& l : ord["products"]) {
            bad = bad || l.value("quantity", json(1)) == 0 || l.value("quantity", json(1)) == "0" ||
                  !l.contains("sale_price");
        }
        if (bad) {
            broken.insert(ord["id"].get<long long>());
        }
    }
    BOOST_TEST_REQUIRE(!broken.empty());

    erp::test::TempDir dir;
    const std::string url = "sqlite3://db=" + (dir / "erp.db").string();
    erp::test::migrate_emag_tables(url);
    OrderStore store(url);
    ClientOptions opt;
    EmagClient client(AccountEndpoint{"sandbox", sandbox.base_url(), "sandbox", Secret("sandbox-password")},
                      make_cpprest_transport(opt.transport), opt, nullptr);
    const TimeZone zone = *TimeZone::find("Europe/Bucharest");
    for (int type : {2, 3}) {
        read_all(client, "order", json{{"type", type}}, PageReadOptions{}, [&](std::uint64_t, const json& page) {
            const SortedOrders s = sort_orders("sandbox", page, zone);
            store.store_batch("sandbox", s.valid, s.invalid, "2026-11-29T00:00:00Z");
        });
    }
    std::set<long long> quarantined;
    for (const auto& q : store.quarantine("sandbox")) {
        quarantined.insert(q.emag_id.value_or(-1));
    }
    BOOST_TEST(store.count_orders("sandbox") + static_cast<std::int64_t>(quarantined.size()) ==
               static_cast<std::int64_t>(all.size()));
    BOOST_TEST(quarantined == broken, boost::test_tools::per_element());
}

// Each validation rule on its own sends the order to quarantine, naming the
// field that broke it.
BOOST_AUTO_TEST_CASE(each_rule_quarantines_with_its_field) {
    struct Case {
        const char* name;
        std::function<void(json&)> break_it;
        const char* field;
    };
    const std::vector<Case> cases = {
        {"no id", [](json& o) { o.erase("id"); }, "id"},
        {"id zero", [](json& o) { o["id"] = 0; }, "id"},
        {"status 6", [](json& o) { o["status"] = 6; }, "status"},
        {"status -1", [](json& o) { o["status"] = -1; }, "status"},
        {"payment mode 0", [](json& o) { o["payment_mode_id"] = 0; }, "payment_mode_id"},
        {"payment mode 4", [](json& o) { o["payment_mode_id"] = 4; }, "payment_mode_id"},
        {"no products", [](json& o) { o.erase("products"); }, "products"},
        {"empty products", [](json& o) { o["products"] = json::array(); }, "products"},
        {"line without id", [](json& o) { o["products"][0].erase("id"); }, "products[0].id"},
        {"quantity 0", [](json& o) { o["products"][0]["quantity"] = 0; }, "products[0].quantity"},
        {"quantity -2", [](json& o) { o["products"][0]["quantity"] = "-2"; }, "products[0].quantity"},
        {"no sale price", [](json& o) { o["products"][0].erase("sale_price"); }, "products[0].sale_price"},
        {"sale price 5 places", [](json& o) { o["products"][0]["sale_price"] = "1.23456"; }, "products[0].sale_price"},
        {"line status 2", [](json& o) { o["products"][0]["status"] = 2; }, "products[0].status"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            json o = valid_order(9);
            c.break_it(o);
            const SortedOrders s = sort_orders("ro1", json::array({o}), TimeZone::utc());
            BOOST_TEST(s.valid.empty());
            BOOST_TEST_REQUIRE(s.invalid.size() == 1u);
            std::set<std::string> fields;
            for (const auto& e : json::parse(s.invalid[0].errors_json)) {
                fields.insert(e["field"].get<std::string>());
            }
            BOOST_TEST(fields.count(c.field) == 1u);
            BOOST_TEST(json::parse(s.invalid[0].payload) == o);
        }
    }
}
