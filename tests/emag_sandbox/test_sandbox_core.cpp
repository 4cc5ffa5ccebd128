// Unit tests of the eMAG sandbox's domain core (no sockets): data generation,
// money, local time, order/read filters and pagination, the status matrix,
// order/save and storno, offers, mutation, malformed input, and scale.
#define BOOST_TEST_MODULE sandbox_core
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/local_time.hpp"
#include "core/marketplace.hpp"
#include "core/money.hpp"
#include "core/offer_store.hpp"
#include "core/order_rules.hpp"

using namespace emag::sandbox;
using json = nlohmann::json;

namespace {

// The injected clock: tests move it explicitly.
int64_t g_now = utc_from_fields(2025, 10, 15, 12, 0, 0);

DataOptions options(std::size_t orders, uint64_t seed = 42, std::size_t offers = 300) {
    DataOptions o;
    o.seed = seed;
    o.orders = orders;
    o.offers = offers;
    o.now = [] { return Clock::time_point(std::chrono::seconds(g_now)); };
    return o;
}

json call(Marketplace& m, const std::string& resource, const std::string& action, const json& data,
          std::optional<std::string> path = std::nullopt) {
    const ApiResult r = m.handle(resource, action, path, data);
    json body = json::parse(r.body);
    body["_http"] = r.http_status;
    return body;
}

json read_orders(Marketplace& m, json filters) {
    return call(m, "order", "read", filters);
}

json order_by_id(Marketplace& m, uint64_t id) {
    for (int type : {3, 2}) {
        json r = read_orders(m, {{"id", id}, {"type", type}});
        if (!r["results"].empty())
            return r["results"][0];
    }
    return nullptr;
}

std::string local(int64_t utc) {
    return format_local(Zone::Bucharest, utc);
}

// First order in the truth matching a predicate.
json find_order(Marketplace& m, const std::function<bool(const json&)>& pred) {
    for (const auto& o : json::parse(m.orders_json()))
        if (pred(o))
            return o;
    return nullptr;
}

bool valid_order(const json& o) {
    if (o["products"].empty() || o["payment_mode_id"] == 9 || o["status"] == 7)
        return false;
    for (const auto& p : o["products"])
        if (p["quantity"] == 0 || !p.contains("sale_price"))
            return false;
    return true;
}

long rss_kb() {
    std::ifstream f("/proc/self/statm");
    long size = 0, resident = 0;
    f >> size >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

} // namespace

BOOST_AUTO_TEST_CASE(money_is_exact) {
    BOOST_TEST(format_money(4064515) == "406.4515");
    BOOST_TEST(format_money(0) == "0.0000");
    BOOST_TEST(format_money(-125000) == "-12.5000");
    BOOST_TEST(format_money(5) == "0.0005");
    BOOST_TEST(*parse_money("406.4515") == 4064515);
    BOOST_TEST(*parse_money("19.99") == 199900);
    BOOST_TEST(*parse_money("-0.5") == -5000);
    BOOST_TEST(*parse_money("7") == 70000);
    BOOST_TEST(!parse_money("1.23456"));
    BOOST_TEST(!parse_money("abc"));
    BOOST_TEST(!parse_money(""));
    BOOST_TEST(!parse_money("1."));
    BOOST_TEST(*money_from_json(json(19.99)) == 199900);
    BOOST_TEST(*money_from_json(json(12)) == 120000);
    BOOST_TEST(*money_from_json(json("0.0000")) == 0);
    BOOST_TEST(!money_from_json(json::array()));
}

BOOST_AUTO_TEST_CASE(local_time_eu_dst) {
    // 2025: summer time from Sun 30 March to Sun 26 October, switches at 01:00 UTC.
    const int64_t spring = utc_from_fields(2025, 3, 30, 1, 0, 0);
    BOOST_TEST(format_local(Zone::Bucharest, spring - 1) == "2025-03-30 02:59:59");
    BOOST_TEST(format_local(Zone::Bucharest, spring) == "2025-03-30 04:00:00");
    BOOST_TEST(format_local(Zone::Sofia, spring) == "2025-03-30 04:00:00");
    BOOST_TEST(format_local(Zone::Budapest, spring - 1) == "2025-03-30 01:59:59");
    BOOST_TEST(format_local(Zone::Budapest, spring) == "2025-03-30 03:00:00");
    const int64_t autumn = utc_from_fields(2025, 10, 26, 1, 0, 0);
    BOOST_TEST(format_local(Zone::Bucharest, autumn - 1) == "2025-10-26 03:59:59");
    BOOST_TEST(format_local(Zone::Bucharest, autumn) == "2025-10-26 03:00:00");
    BOOST_TEST(format_local(Zone::Budapest, autumn) == "2025-10-26 02:00:00");
    BOOST_TEST(format_local(Zone::Bucharest, utc_from_fields(2025, 1, 15, 10, 0, 0)) == "2025-01-15 12:00:00");
    // Repeated hour: the earlier (summer-time) instant.
    BOOST_TEST(*parse_local(Zone::Bucharest, "2025-10-26 03:30:00") == autumn - 1800);
    BOOST_TEST(*parse_local(Zone::Budapest, "2025-10-26 02:30:00") == autumn - 1800);
    // Skipped hour: read with the pre-switch offset (lands after the switch).
    BOOST_TEST(*parse_local(Zone::Bucharest, "2025-03-30 03:30:00") == spring + 1800);
    // Round trips around both switches.
    for (int64_t t = spring - 7200; t < spring + 7200; t += 600)
        BOOST_TEST(*parse_local(Zone::Sofia, format_local(Zone::Sofia, t)) == t);
    for (int64_t t = autumn + 1; t < autumn + 7200; t += 600) // after the repeated hour's second pass
        if (t >= autumn + 3600)
            BOOST_TEST(*parse_local(Zone::Bucharest, format_local(Zone::Bucharest, t)) == t);
    BOOST_TEST(!parse_local(Zone::Bucharest, "2025-02-29 10:00:00"));
    BOOST_TEST(*parse_local(Zone::Bucharest, "2024-02-29 10:00:00") == utc_from_fields(2024, 2, 29, 8, 0, 0));
    BOOST_TEST(!parse_local(Zone::Bucharest, "2025-10-15T10:00:00"));
    BOOST_TEST(!parse_local(Zone::Bucharest, "2025-10-15 24:00:00"));
}

BOOST_AUTO_TEST_CASE(generation_is_deterministic) {
    Marketplace a(options(3000, 7)), b(options(3000, 7)), c(options(3000, 8));
    BOOST_TEST(a.orders_json() == b.orders_json());
    BOOST_TEST(a.offers_json() == b.offers_json());
    BOOST_TEST(a.orders_json() != c.orders_json());
    BOOST_TEST(a.order_count() == 3000u);
    BOOST_TEST(a.offer_count() == 300u);
}

BOOST_AUTO_TEST_CASE(generated_data_covers_statuses_types_and_invalid_kinds) {
    Marketplace m(options(20000));
    const json all = json::parse(m.orders_json());
    std::set<std::pair<int, int>> status_type;
    std::map<std::string, int> invalid;
    int invalid_orders = 0, lockers = 0, null_details = 0, long_names = 0, emoji = 0, vouchers = 0, storno = 0;
    uint64_t prev = 0;
    for (const auto& o : all) {
        BOOST_TEST_REQUIRE(o["id"].get<uint64_t>() > prev);
        prev = o["id"];
        status_type.insert({o["status"].get<int>(), o["type"].get<int>()});
        BOOST_TEST(o["modified"].get<std::string>() >= o["date"].get<std::string>());
        if (o["status"] == 0 && o["reason_cancellation"].is_null())
            BOOST_ERROR("canceled order without reason " << o["id"]);
        if (!valid_order(o))
            ++invalid_orders;
        if (o["products"].empty())
            ++invalid["empty products"];
        if (o["status"] == 7)
            ++invalid["status 7"];
        if (o["payment_mode_id"] == 9)
            ++invalid["payment_mode_id 9"];
        for (const auto& p : o["products"]) {
            if (p["quantity"] == 0)
                ++invalid["quantity 0"];
            if (!p.contains("sale_price"))
                ++invalid["missing sale_price"];
        }
        lockers += o["delivery_mode"] == "pickup";
        null_details += o["details"].is_null();
        const std::string name = o["customer"]["name"];
        long_names += name.size() >= 255;
        emoji += name.find("\xF0\x9F") != std::string::npos;
        vouchers += !o["vouchers"].empty();
        storno += o["is_storno"].get<bool>();
    }
    for (int s = 0; s <= 5; ++s)
        for (int t : {2, 3})
            BOOST_TEST(status_type.count({s, t}) == 1u, "status " << s << " type " << t);
    BOOST_TEST(invalid.size() == 5u);
    BOOST_TEST(invalid_orders > 100);
    BOOST_TEST(invalid_orders < 400);
    BOOST_TEST(lockers > 0);
    BOOST_TEST(null_details > 0);
    BOOST_TEST(long_names > 0);
    BOOST_TEST(emoji > 0);
    BOOST_TEST(vouchers > 0);
    BOOST_TEST(storno > 0);
    BOOST_TEST(all[0]["customer"]["billing_country"] == "Romania");
    BOOST_TEST(all[0]["products"][0]["currency"] == "RON");
}

BOOST_AUTO_TEST_CASE(other_platforms_use_their_locale) {
    auto bg = options(50);
    bg.platform = "bg";
    Marketplace m(bg);
    const json o = json::parse(m.orders_json())[0];
    BOOST_TEST(o["customer"]["billing_country"] == "Bulgaria");
    BOOST_TEST(o["products"][0]["currency"] == "BGN");
}

BOOST_AUTO_TEST_CASE(order_read_type_default_and_filters) {
    Marketplace m(options(5000));
    const json all = json::parse(m.orders_json());
    auto count_where = [&](const std::function<bool(const json&)>& pred) {
        return std::count_if(all.begin(), all.end(), pred);
    };
    auto count = [&](json filters) {
        json r = call(m, "order", "count", filters);
        BOOST_TEST_REQUIRE(r["isError"] == false, r.dump());
        return r["results"]["noOfItems"].get<long>();
    };
    BOOST_TEST(count(json::object()) == count_where([](const json& o) { return o["type"] == 3; }));
    BOOST_TEST(count({{"type", 2}}) == count_where([](const json& o) { return o["type"] == 2; }));
    json page = read_orders(m, json::object());
    for (const auto& o : page["results"])
        BOOST_TEST(o["type"] == 3);
    page = read_orders(m, {{"type", 2}});
    BOOST_TEST(!page["results"].empty());
    for (const auto& o : page["results"])
        BOOST_TEST(o["type"] == 2);

    BOOST_TEST(count({{"status", 1}}) == count_where([](const json& o) { return o["type"] == 3 && o["status"] == 1; }));
    BOOST_TEST(count({{"status", "1"}}) == count({{"status", 1}})); // form-encoded
    BOOST_TEST(count({{"status", {0, 5}}}) ==
               count_where([](const json& o) { return o["type"] == 3 && (o["status"] == 0 || o["status"] == 5); }));
    BOOST_TEST(count({{"status", {{"0", "0"}, {"1", "5"}}}}) == count({{"status", {0, 5}}}));
    BOOST_TEST(count({{"payment_mode_id", {1, 3}}}) == count_where([](const json& o) {
                   return o["type"] == 3 && (o["payment_mode_id"] == 1 || o["payment_mode_id"] == 3);
               }));
    BOOST_TEST(count({{"is_complete", 0}}) ==
               count_where([](const json& o) { return o["type"] == 3 && o["is_complete"] == 0; }));
    BOOST_TEST(count({{"status", 4}, {"payment_mode_id", 3}, {"type", 2}}) == count_where([](const json& o) {
                   return o["type"] == 2 && o["status"] == 4 && o["payment_mode_id"] == 3;
               }));

    const uint64_t id = all[10]["id"];
    json one = read_orders(m, {{"id", std::to_string(id)}, {"type", all[10]["type"]}});
    BOOST_TEST(one["results"].size() == 1u);
    BOOST_TEST(one["results"][0] == all[10]);

    // Date windows: inclusive both ends, local time strings.
    const std::string after = local(g_now - 10 * 86400), before = local(g_now - 3 * 86400);
    BOOST_TEST(count({{"createdAfter", after}, {"createdBefore", before}}) ==
               count_where([&](const json& o) { return o["type"] == 3 && o["date"] >= after && o["date"] <= before; }));
    BOOST_TEST(count({{"modifiedAfter", after}, {"modifiedBefore", before}, {"status", 4}}) ==
               count_where([&](const json& o) {
                   return o["type"] == 3 && o["status"] == 4 && o["modified"] >= after && o["modified"] <= before;
               }));
    const std::string exact = all[20]["date"];
    json hit = read_orders(m, {{"createdAfter", exact}, {"createdBefore", exact}, {"type", all[20]["type"]}});
    BOOST_TEST(hit["results"].size() >= 1u);
    BOOST_TEST(read_orders(m, {{"createdAfter", after}})["isError"] == false); // alone allowed on read

    // Refusals.
    for (const json& bad :
         {json{{"createdBefore", before}}, json{{"modifiedBefore", before}},
          json{{"createdAfter", local(g_now - 80 * 86400)}, {"createdBefore", local(g_now)}}, json{{"status", "abc"}},
          json{{"status", json::object({{"x", 1}})}}, json{{"type", 5}}, json{{"type", "x"}}, json{{"is_complete", 2}},
          json{{"createdAfter", 20250101}}, json{{"createdAfter", "2025-13-01 00:00:00"}}, json{{"id", -4}},
          json{{"payment_mode_id", json::array()}}}) {
        json r = read_orders(m, bad);
        BOOST_TEST(r["isError"] == true, bad.dump());
        BOOST_TEST(r["messages"].size() == 1u);
        BOOST_TEST(r["messages"][0].is_string());
    }
    BOOST_TEST(call(m, "order", "count", {{"createdAfter", after}})["isError"] == true); // count needs both
}

BOOST_AUTO_TEST_CASE(pagination_cap_and_bounds) {
    Marketplace m(options(3000));
    json r = read_orders(m, {{"itemsPerPage", 500}});
    BOOST_TEST(r["isError"] == false);
    BOOST_TEST(r["results"].size() == 100u);
    BOOST_TEST(read_orders(m, {{"itemsPerPage", 0}})["isError"] == true);
    BOOST_TEST(read_orders(m, {{"itemsPerPage", "ten"}})["isError"] == true);
    BOOST_TEST(read_orders(m, {{"currentPage", 0}})["isError"] == true);
    BOOST_TEST(read_orders(m, {{"currentPage", 65536}})["isError"] == true);
    json past = read_orders(m, {{"currentPage", 65535}});
    BOOST_TEST(past["isError"] == false);
    BOOST_TEST(past["results"].empty());

    json count = call(m, "order", "count", {{"itemsPerPage", 30}})["results"];
    const long n = count["noOfItems"];
    BOOST_TEST(count["itemsPerPage"] == 30);
    BOOST_TEST(count["noOfPages"] == (n + 29) / 30);
    std::vector<uint64_t> ids;
    for (int p = 1;; ++p) {
        json page = read_orders(m, {{"currentPage", p}, {"itemsPerPage", 30}});
        if (page["results"].empty())
            break;
        for (const auto& o : page["results"])
            ids.push_back(o["id"]);
    }
    BOOST_TEST(static_cast<long>(ids.size()) == n);
    BOOST_TEST(std::is_sorted(ids.begin(), ids.end()));
    BOOST_TEST(read_orders(m, json::object())["results"].size() == 100u); // default page size
}

BOOST_AUTO_TEST_CASE(acknowledge_rules) {
    Marketplace m(options(3000));
    const json fresh = find_order(m, [](const json& o) { return o["status"] == 1 && o["type"] == 3; });
    BOOST_TEST_REQUIRE(!fresh.is_null());
    const std::string id = std::to_string(fresh["id"].get<uint64_t>());
    g_now += 60;
    json r = call(m, "order", "acknowledge", nullptr, id);
    BOOST_TEST(r["isError"] == false, r.dump());
    json after = order_by_id(m, fresh["id"]);
    BOOST_TEST(after["status"] == 2);
    BOOST_TEST(after["modified"] == local(g_now));
    BOOST_TEST(call(m, "order", "acknowledge", nullptr, id)["isError"] == false); // idempotent
    BOOST_TEST(order_by_id(m, fresh["id"])["status"] == 2);

    const json fbe = find_order(m, [](const json& o) { return o["status"] == 1 && o["type"] == 2; });
    BOOST_TEST_REQUIRE(!fbe.is_null());
    BOOST_TEST(call(m, "order", "acknowledge", nullptr, fbe["id"].dump())["isError"] == true);
    BOOST_TEST(order_by_id(m, fbe["id"])["status"] == 1);
    BOOST_TEST(call(m, "order", "acknowledge", nullptr, std::string("1"))["isError"] == true);
    BOOST_TEST(call(m, "order", "acknowledge", nullptr, std::string("abc"))["isError"] == true);
    const json canceled = find_order(m, [](const json& o) { return o["status"] == 0 && o["type"] == 3; });
    BOOST_TEST(call(m, "order", "acknowledge", nullptr, canceled["id"].dump())["isError"] == true);
}

BOOST_AUTO_TEST_CASE(status_matrix_all_pairs) {
    // Expected cells of §4.5 (row from, column to, statuses 0..5):
    // Y yes, N no, A ack only, H within 48 h, R within RT + 5 days.
    const char* expected[6] = {"YNHHHN", "NNANNN", "YNYYYN", "YNNYYN", "HNNHYR", "NNNNNN"};
    const int64_t now = utc_from_fields(2025, 10, 15, 12, 0, 0);
    for (int from = 0; from <= 5; ++from) {
        for (int to = 0; to <= 5; ++to) {
            const char cell = expected[from][to];
            Order o;
            o.status = from;
            for (int64_t age :
                 {int64_t{3600}, int64_t{47 * 3600}, int64_t{49 * 3600}, int64_t{18 * 86400}, int64_t{20 * 86400}}) {
                o.finalized_at = o.cancelled_at = now - age;
                const bool allowed = !check_transition(o, to, now);
                bool want = false;
                switch (cell) {
                case 'Y':
                    want = true;
                    break;
                case 'H':
                    want = age <= 48 * 3600;
                    break;
                case 'R':
                    want = age <= (kReturnPeriodDays + 5) * 86400;
                    break;
                default:
                    want = false;
                }
                BOOST_TEST(allowed == want, "from " << from << " to " << to << " age " << age);
            }
        }
    }
}

namespace {
// A full order as read, with status (and optionally products) changed.
json edited(const json& order, int status) {
    json o = order;
    o["status"] = status;
    return o;
}
} // namespace

BOOST_AUTO_TEST_CASE(order_save_validation) {
    Marketplace m(options(3000));
    auto save = [&](const json& data) { return call(m, "order", "save", data); };
    const json in_progress = find_order(m, [](const json& o) {
        return o["status"] == 2 && o["type"] == 3 && o["payment_mode_id"] == 1 && valid_order(o);
    });
    BOOST_TEST_REQUIRE(!in_progress.is_null());
    const std::string before = m.orders_json();

    BOOST_TEST(save(json::array())["isError"] == true);
    BOOST_TEST(save(json(std::vector<json>(51, in_progress)))["isError"] == true);
    json unknown = in_progress;
    unknown["id"] = 1;
    BOOST_TEST(save({unknown})["isError"] == true);
    BOOST_TEST(save({{{"id", in_progress["id"]}, {"status", 3}}})["isError"] == true); // not the full order
    BOOST_TEST(save({edited(in_progress, 0)})["isError"] == true);                     // cancel without reason
    json bad_reason = edited(in_progress, 0);
    bad_reason["reason_cancellation"] = 7; // codes 4-14 do not exist
    BOOST_TEST(save({bad_reason})["isError"] == true);
    BOOST_TEST(save({edited(in_progress, 1)})["isError"] == true); // 2 -> 1 never
    BOOST_TEST(save({edited(in_progress, 7)})["isError"] == true);
    json price = in_progress;
    price["products"][0]["sale_price"] = "0.0100";
    BOOST_TEST(save({price})["isError"] == true);
    json pid = in_progress;
    pid["products"][0]["product_id"] = 1;
    BOOST_TEST(save({pid})["isError"] == true);
    json negative = in_progress;
    negative["products"][0]["quantity"] = -1;
    BOOST_TEST(save({negative})["isError"] == true);
    // A valid entity next to an invalid one: nothing is saved.
    BOOST_TEST(save({edited(in_progress, 3), unknown})["isError"] == true);

    const json fbe = find_order(m, [](const json& o) { return o["status"] == 2 && o["type"] == 2; });
    BOOST_TEST_REQUIRE(!fbe.is_null());
    BOOST_TEST(save({edited(fbe, 3)})["isError"] == true);
    const json fresh = find_order(m, [](const json& o) { return o["status"] == 1 && o["type"] == 3; });
    BOOST_TEST(save({edited(fresh, 2)})["isError"] == true); // ACK only
    const json finalized =
        find_order(m, [](const json& o) { return o["status"] == 4 && o["type"] == 3 && valid_order(o); });
    json line_edit = finalized;
    line_edit["products"][0]["quantity"] = line_edit["products"][0]["quantity"].get<int>() + 1;
    BOOST_TEST(save({line_edit})["isError"] == true); // line edits only in 2/3

    for (const json& junk : {json("x"), json(5), json{{"a", 1}}, json::array({1, 2}), json::array({json::object()})})
        BOOST_TEST(save(junk)["isError"] == true, junk.dump());
    BOOST_TEST(m.orders_json() == before); // every refusal left everything as it was

    // What is allowed: 2 -> 3 with a quantity change, then cancel with a reason.
    g_now += 120;
    json ok = edited(in_progress, 3);
    ok["products"][0]["quantity"] = ok["products"][0]["quantity"].get<int>() + 1;
    json r = save({ok});
    BOOST_TEST(r["isError"] == false, r.dump());
    json now_read = order_by_id(m, in_progress["id"]);
    BOOST_TEST(now_read["status"] == 3);
    BOOST_TEST(now_read["modified"] == local(g_now));
    BOOST_TEST(now_read["products"][0]["quantity"] == ok["products"][0]["quantity"]);
    json cancel = edited(now_read, 0);
    cancel["cancellation_reason"] = 1; // the old key is still accepted
    BOOST_TEST(save({cancel})["isError"] == false);
    BOOST_TEST(order_by_id(m, in_progress["id"])["reason_cancellation"] == 1);
    // Reactivation within 48 h, refused after.
    json revive = edited(order_by_id(m, in_progress["id"]), 2);
    g_now += 47 * 3600;
    BOOST_TEST(save({revive})["isError"] == false);
    BOOST_TEST(order_by_id(m, in_progress["id"])["reason_cancellation"].is_null());
    // FBE: re-saving as read (attachments only) is fine.
    json fbe_attach = fbe;
    fbe_attach["attachments"] = {{{"name", "invoice.pdf"}, {"url", "https://x.invalid/i.pdf"}, {"type", 1}}};
    BOOST_TEST(save({fbe_attach})["isError"] == false);
    BOOST_TEST(order_by_id(m, fbe["id"])["attachments"].size() == 1u);
    // Card orders: no quantity reduction.
    const json card = find_order(m, [](const json& o) {
        return (o["status"] == 2 || o["status"] == 3) && o["type"] == 3 && o["payment_mode_id"] == 3 &&
               valid_order(o) && o["products"][0]["quantity"].get<int>() >= 1;
    });
    if (!card.is_null()) {
        json reduce = card;
        reduce["products"][0]["status"] = 0;
        BOOST_TEST(save({reduce})["isError"] == true);
    }
}

BOOST_AUTO_TEST_CASE(partial_storno) {
    g_now = utc_from_fields(2025, 10, 15, 12, 0, 0);
    Marketplace m(options(3000));
    std::mt19937_64 rng(1);
    // Finalize fresh orders so the storno has something recent to act on.
    json two;
    for (const auto& o : json::parse(m.orders_json()))
        if (o["status"] == 3 && o["type"] == 3 && valid_order(o) && !o["is_storno"].get<bool>()) {
            json f = edited(o, 4);
            f["products"][0]["quantity"] = 2;
            json pre = edited(o, 3);
            pre["products"][0]["quantity"] = 2;
            if (o["payment_mode_id"] == 3 && o["products"][0]["quantity"].get<int>() > 2)
                continue;
            if (call(m, "order", "save", {pre})["isError"] == false &&
                call(m, "order", "save", {edited(order_by_id(m, o["id"]), 4)})["isError"] == false) {
                two = order_by_id(m, o["id"]);
                break;
            }
        }
    BOOST_TEST_REQUIRE(!two.is_null());
    BOOST_TEST(two["status"] == 4);
    auto save = [&](json o) { return call(m, "order", "save", {o})["isError"].get<bool>(); };
    json reduce = two;
    reduce["products"][0]["quantity"] = 1;
    BOOST_TEST(save(reduce) == true); // without is_storno
    json no_change = two;
    no_change["is_storno"] = true;
    BOOST_TEST(save(no_change) == true);
    json neg = two;
    neg["is_storno"] = true;
    neg["products"][0]["quantity"] = -1;
    BOOST_TEST(save(neg) == true);
    json more = two;
    more["is_storno"] = true;
    more["products"][0]["quantity"] = 3;
    BOOST_TEST(save(more) == true);
    const json other =
        find_order(m, [](const json& o) { return o["status"] == 2 && o["type"] == 3 && valid_order(o); });
    json wrong_status = other;
    wrong_status["is_storno"] = true;
    wrong_status["products"][0]["status"] = 0;
    BOOST_TEST(save(wrong_status) == true); // not status 4
    reduce["is_storno"] = true;
    BOOST_TEST(save(reduce) == false); // 2 -> 1 with is_storno
    json after = order_by_id(m, two["id"]);
    BOOST_TEST(after["is_storno"] == true);
    BOOST_TEST(after["products"][0]["quantity"] == 1);
    BOOST_TEST(after["products"][0]["storno_qty"] == 1);
    json zero = after;
    zero["is_storno"] = true;
    zero["products"][0]["quantity"] = 0;
    BOOST_TEST(save(zero) == false);
    BOOST_TEST(order_by_id(m, two["id"])["products"][0]["status"] == 0);
}

BOOST_AUTO_TEST_CASE(mutation_respects_the_matrix) {
    g_now = utc_from_fields(2025, 10, 15, 12, 0, 0);
    Marketplace m(options(5000));
    std::map<uint64_t, json> before;
    for (const auto& o : json::parse(m.orders_json()))
        before[o["id"]] = o;
    const uint64_t max_id = before.rbegin()->first;
    g_now += 300;
    std::mt19937_64 rng(99);
    const MutationReport r = m.mutate(40, 5, rng);
    BOOST_TEST(r.changed.size() == 40u);
    BOOST_TEST(r.created.size() == 5u);
    for (uint64_t id : r.changed) {
        json o = order_by_id(m, id);
        BOOST_TEST(o["modified"] == local(g_now));
        const int from = before[id]["status"], to = o["status"];
        const Cell cell = transition_cell(from, to);
        BOOST_TEST((cell != Cell::No && from != to), "moved " << from << " -> " << to);
        if (to == 0)
            BOOST_TEST(!o["reason_cancellation"].is_null());
    }
    for (uint64_t id : r.created) {
        BOOST_TEST(id > max_id);
        json o = order_by_id(m, id);
        BOOST_TEST(o["status"] == 1);
        BOOST_TEST(o["type"] == 3);
        BOOST_TEST(o["date"] == local(g_now));
    }
    BOOST_TEST(m.order_count() == 5005u);
}

BOOST_AUTO_TEST_CASE(offers_read_save_light_save_stock_vat) {
    Marketplace m(options(10, 42, 500));
    json r = call(m, "product_offer", "read", {{"itemsPerPage", 1000}});
    BOOST_TEST(r["results"].size() == 100u);
    const json first = r["results"][0];
    BOOST_TEST(first["sale_price"].get<std::string>().find('.') != std::string::npos);
    BOOST_TEST(first["manufacturer"].is_boolean());
    json one = call(m, "product_offer", "read", {{"id", first["id"]}});
    BOOST_TEST(one["results"].size() == 1u);
    BOOST_TEST(one["results"][0]["manufacturer"].is_array());
    BOOST_TEST(call(m, "product_offer", "read", {{"part_number", first["part_number"]}})["results"].size() == 1u);
    json count = call(m, "product_offer", "count", {{"status", 1}});
    BOOST_TEST(count["results"]["noOfItems"].get<long>() > 300);
    BOOST_TEST(call(m, "product_offer", "read", {{"status", "x"}})["isError"] == true);

    // product_offer/save: create, update, refusals.
    json fresh = {{"id", 777777},
                  {"name", "Cafetieră Ștefan"},
                  {"part_number", "CAF 77;7"},
                  {"brand", "Tefal"},
                  {"category_id", 12},
                  {"status", 1},
                  {"sale_price", "100.5"},
                  {"min_sale_price", 80},
                  {"max_sale_price", "150.0000"},
                  {"vat_id", 1},
                  {"stock", {{{"warehouse_id", 1}, {"value", 5}}}}};
    BOOST_TEST(call(m, "product_offer", "save", {fresh})["isError"] == false);
    json saved = call(m, "product_offer", "read", {{"id", 777777}})["results"][0];
    BOOST_TEST(saved["part_number"] == "CAF777");
    BOOST_TEST(saved["sale_price"] == "100.5000");
    BOOST_TEST(saved["general_stock"] == 5);
    json outside = fresh;
    outside["sale_price"] = "200";
    outside["handling_time"] = {{{"warehouse_id", 1}, {"value", 1}}};
    BOOST_TEST(call(m, "product_offer", "save", {outside})["isError"] == true);
    json dup = fresh;
    dup["id"] = 777778;
    BOOST_TEST(call(m, "product_offer", "save", {dup})["isError"] == true); // part_number reused
    BOOST_TEST(call(m, "product_offer", "save", json(std::vector<json>(51, fresh)))["isError"] == true);
    BOOST_TEST(call(m, "product_offer", "save", {{{"id", 777779}, {"status", 1}}})["isError"] == true);

    // Light offer/save: per-offer results, top level stays false.
    json light = call(m, "offer", "save",
                      {{{"id", 777777}, {"sale_price", 90}, {"stock", {{{"warehouse_id", 1}, {"value", 9}}}}},
                       {{"id", 777777}, {"sale_price", 1}},
                       {{"id", 5}, {"status", 1}}});
    BOOST_TEST(light["isError"] == false);
    BOOST_TEST(light["results"]["5"]["isError"] == true);
    saved = call(m, "product_offer", "read", {{"id", 777777}})["results"][0];
    BOOST_TEST(saved["sale_price"] == "90.0000");
    BOOST_TEST(saved["general_stock"] == 9);
    BOOST_TEST(light["results"]["777777"]["isError"] == true); // the later entry (price 1 < min) failed

    // PATCH offer_stock.
    BOOST_TEST(m.patch_offer_stock("777777", R"({"stock": 42})").http_status == 204u);
    BOOST_TEST(call(m, "product_offer", "read", {{"id", 777777}})["results"][0]["general_stock"] == 42);
    BOOST_TEST(m.patch_offer_stock("777777", "{bad").http_status == 400u);
    BOOST_TEST(m.patch_offer_stock("777777", R"({"stock": "x"})").http_status == 400u);
    BOOST_TEST(m.patch_offer_stock("777777", R"({"stock": -1})").http_status == 400u);
    const ApiResult missing = m.patch_offer_stock("16000000", R"({"stock": 1})");
    BOOST_TEST(missing.http_status == 404u);
    BOOST_TEST(json::parse(missing.body)["message"] == "This offer does not exist");
    BOOST_TEST(m.patch_offer_stock("abc", R"({"stock": 1})").http_status == 404u);

    json vat = call(m, "vat", "read", nullptr);
    BOOST_TEST(vat["isError"] == false);
    BOOST_TEST(vat["results"][0]["vat_rate"] == "0.2100");
}

BOOST_AUTO_TEST_CASE(offer_update_history_records_applied_updates_only) {
    Marketplace m(options(10, 42, 50));
    const json truth = json::parse(m.offers_json());
    BOOST_REQUIRE(truth.size() >= 3u);
    const uint64_t a = truth[0]["id"], b = truth[1]["id"], c = truth[2]["id"];
    const json c_before = truth[2];
    const int b_status = truth[1]["status"] == 0 ? 1 : 0; // real changes
    const int b_vat = truth[1]["vat_id"] == 2 ? 3 : 2;
    json h = json::parse(m.offer_updates_json(0));
    BOOST_TEST((h == json{{"next", 0}, {"dropped", 0}, {"entries", json::array()}})); // generation is no update

    // Light offer/save: a changes price (own interval, no recommended price to
    // collide with) and stock in two warehouses; b changes status, VAT and
    // stock (a bare integer = warehouse 1); c asks for a price above its max.
    json light = call(m, "offer", "save",
                      {{{"id", a},
                        {"sale_price", "19.99"},
                        {"min_sale_price", 10},
                        {"max_sale_price", "50"},
                        {"recommended_price", 0},
                        {"stock", {{{"warehouse_id", 1}, {"value", 7}}, {{"warehouse_id", 2}, {"value", 3}}}}},
                       {{"id", b}, {"status", b_status}, {"vat_id", b_vat}, {"stock", 4}},
                       {{"id", c},
                        {"sale_price", "150"},
                        {"min_sale_price", 1},
                        {"max_sale_price", 100},
                        {"stock", {{{"warehouse_id", 1}, {"value", 99}}}}},
                       {{"id", 16000000}, {"stock", 1}}}); // no such offer: refused too
    BOOST_TEST(light["results"][std::to_string(a)]["isError"] == false);
    BOOST_TEST(light["results"][std::to_string(b)]["isError"] == false);
    BOOST_TEST(light["results"][std::to_string(c)]["isError"] == true);
    BOOST_TEST(light["results"]["16000000"]["isError"] == true);

    const json e1 = {{"seq", 1},
                     {"id", a},
                     {"route", "offer/save"},
                     {"sale_price", "19.9900"},
                     {"stock", {{{"warehouse_id", 1}, {"value", 7}}, {{"warehouse_id", 2}, {"value", 3}}}}};
    const json e2 = {{"seq", 2},
                     {"id", b},
                     {"route", "offer/save"},
                     {"status", b_status},
                     {"stock", {{{"warehouse_id", 1}, {"value", 4}}}},
                     {"vat_id", b_vat}};
    h = json::parse(m.offer_updates_json(0));
    BOOST_TEST(h["next"] == 2);
    BOOST_TEST(h["dropped"] == 0);
    BOOST_REQUIRE_EQUAL(h["entries"].size(), 2u);
    BOOST_TEST((h["entries"][0] == e1), h["entries"][0].dump());
    BOOST_TEST((h["entries"][1] == e2), h["entries"][1].dump());
    // The refused offer kept its values, and the truth agrees with the history.
    json now = json::parse(m.offers_json());
    BOOST_TEST((now[2] == c_before));
    BOOST_TEST(now[0]["sale_price"] == "19.9900");
    BOOST_TEST((now[0]["stock"] == e1["stock"]));
    BOOST_TEST((now[1]["stock"] == e2["stock"]));
    BOOST_TEST(now[1]["status"] == b_status);
    BOOST_TEST(now[1]["vat_id"] == b_vat);

    // PATCH offer_stock: warehouse 1 set, warehouse 2 kept; refusals leave no trace.
    BOOST_TEST(m.patch_offer_stock(std::to_string(a), R"({"stock": 11})").http_status == 204u);
    BOOST_TEST(m.patch_offer_stock(std::to_string(a), R"({"stock": -1})").http_status == 400u);
    BOOST_TEST(m.patch_offer_stock("16000000", R"({"stock": 1})").http_status == 404u);
    BOOST_TEST(m.patch_offer_stock(std::to_string(a), "{bad").http_status == 400u);
    const json e3 = {{"seq", 3},
                     {"id", a},
                     {"route", "offer_stock"},
                     {"stock", {{{"warehouse_id", 1}, {"value", 11}}, {{"warehouse_id", 2}, {"value", 3}}}}};

    // since: only later entries, oldest first; "next" is always the last seq.
    h = json::parse(m.offer_updates_json(2));
    BOOST_TEST(h["next"] == 3);
    BOOST_REQUIRE_EQUAL(h["entries"].size(), 1u);
    BOOST_TEST((h["entries"][0] == e3), h["entries"][0].dump());
    h = json::parse(m.offer_updates_json(1));
    BOOST_REQUIRE_EQUAL(h["entries"].size(), 2u);
    BOOST_TEST((h["entries"][0] == e2));
    BOOST_TEST((h["entries"][1] == e3));
    h = json::parse(m.offer_updates_json(3));
    BOOST_TEST(h["next"] == 3);
    BOOST_TEST(h["entries"].empty());
    BOOST_TEST(json::parse(m.offer_updates_json(UINT64_MAX))["entries"].empty());
    BOOST_TEST((json::parse(m.offer_updates_json(0))["entries"] == json::array({e1, e2, e3})));

    // product_offer/save: recorded under its route when saved, not when refused.
    json full = json::parse(m.offers_json())[1];
    json save = {{"id", b},
                 {"status", 1},
                 {"sale_price", full["min_sale_price"]},
                 {"vat_id", 1},
                 {"stock", {{{"warehouse_id", 1}, {"value", 5}}}},
                 {"handling_time", {{{"warehouse_id", 1}, {"value", 1}}}},
                 {"recommended_price", 0}};
    json refused = save;
    refused["sale_price"] = "0"; // must be positive
    BOOST_TEST(call(m, "product_offer", "save", {refused})["isError"] == true);
    BOOST_TEST(json::parse(m.offer_updates_json(3))["entries"].empty());
    BOOST_TEST(call(m, "product_offer", "save", {save})["isError"] == false);
    h = json::parse(m.offer_updates_json(3));
    BOOST_REQUIRE_EQUAL(h["entries"].size(), 1u);
    BOOST_TEST((h["entries"][0] == json{{"seq", 4},
                                        {"id", b},
                                        {"route", "product_offer/save"},
                                        {"sale_price", full["min_sale_price"]},
                                        {"status", 1},
                                        {"stock", {{{"warehouse_id", 1}, {"value", 5}}}},
                                        {"vat_id", 1}}),
               h["entries"][0].dump());
}

BOOST_AUTO_TEST_CASE(offer_update_history_is_bounded) {
    auto one_offer = [] {
        Offer o;
        o.id = 1;
        o.stock = {{1, 0}};
        return std::vector<Offer>{o};
    };
    auto patch = [](OfferStore& store, int value) {
        return store.patch_stock("1", "{\"stock\": " + std::to_string(value) + "}").http_status;
    };
    OfferStore store(platform_info("ro"));
    store.assign(one_offer());
    store.set_max_updates(3);
    for (int v = 1; v <= 5; ++v)
        BOOST_TEST(patch(store, v) == 204u);
    json h = json::parse(store.updates_json(0));
    BOOST_TEST(h["next"] == 5);
    BOOST_TEST(h["dropped"] == 2);
    BOOST_REQUIRE_EQUAL(h["entries"].size(), 3u);
    for (int i = 0; i < 3; ++i) { // seq 3, 4, 5 set stock 3, 4, 5
        BOOST_TEST(h["entries"][i]["seq"] == 3 + i);
        BOOST_TEST((h["entries"][i]["stock"] == json{{{"warehouse_id", 1}, {"value", 3 + i}}}));
    }
    BOOST_TEST(json::parse(store.updates_json(1))["entries"].size() == 3u); // since inside the dropped part
    h = json::parse(store.updates_json(4));
    BOOST_REQUIRE_EQUAL(h["entries"].size(), 1u);
    BOOST_TEST(h["entries"][0]["seq"] == 5);
    store.set_max_updates(1);
    BOOST_TEST(store.dropped_updates() == 4u);
    BOOST_REQUIRE_EQUAL(store.updates().size(), 1u);
    BOOST_TEST(store.updates().front().seq == 5u);

    // The default bound: 200000 entries.
    OfferStore big(platform_info("ro"));
    big.assign(one_offer());
    BOOST_TEST(OfferStore::kDefaultMaxUpdates == 200000u);
    for (int v = 0; v < 200005; ++v)
        patch(big, v % 65536);
    BOOST_TEST(big.updates().size() == 200000u);
    BOOST_TEST(big.dropped_updates() == 5u);
    BOOST_TEST(big.updates().front().seq == 6u);
    BOOST_TEST(big.updates().back().seq == 200005u);
    BOOST_TEST(json::parse(big.updates_json(200003))["entries"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(malformed_input_never_crashes) {
    Marketplace m(options(200));
    const std::vector<json> junk = {nullptr,
                                    json("x"),
                                    json(1),
                                    json(1.5),
                                    json::array({1, "a", nullptr}),
                                    json{{"status", {{"a", 1}}}},
                                    json{{"currentPage", -1}},
                                    json{{"itemsPerPage", json::object()}},
                                    json::array({json::array()})};
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"order", "read"},         {"order", "count"},        {"order", "save"},
        {"order", "acknowledge"},  {"product_offer", "read"}, {"product_offer", "count"},
        {"product_offer", "save"}, {"offer", "save"},         {"vat", "read"}};
    for (const auto& [res, act] : routes)
        for (const auto& data : junk) {
            const ApiResult r = m.handle(res, act, std::nullopt, data);
            BOOST_TEST(r.http_status == 200u, res << "/" << act << " " << data.dump());
            json body = json::parse(r.body);
            BOOST_TEST(body["isError"].is_boolean());
        }
    const ApiResult unknown = m.handle("nope", "read", std::nullopt, nullptr);
    BOOST_TEST(unknown.http_status == 404u);
    json body = json::parse(unknown.body);
    BOOST_TEST(body["isError"] == true);
    BOOST_TEST(body["results"] == json::array());
    BOOST_TEST(m.handle("order", "read", std::string("5"), nullptr).http_status == 404u);
}

BOOST_AUTO_TEST_CASE(two_hundred_thousand_orders) {
    const long rss_before = rss_kb();
    const auto t0 = std::chrono::steady_clock::now();
    Marketplace m(options(200000, 42, 50000));
    const auto t1 = std::chrono::steady_clock::now();
    BOOST_TEST(m.order_count() == 200000u);
    BOOST_TEST(m.offer_count() == 50000u);
    const auto r0 = std::chrono::steady_clock::now();
    for (int p = 1; p <= 50; ++p)
        m.handle("order", "read", std::nullopt, {{"currentPage", p}, {"modifiedAfter", local(g_now - 20 * 86400)}});
    const auto r1 = std::chrono::steady_clock::now();
    std::ostringstream msg;
    msg << "200k orders + 50k offers generated in " << std::chrono::duration<double>(t1 - t0).count() << " s; RSS "
        << rss_kb() / 1024 << " MiB (before " << rss_before / 1024 << " MiB); order/read page of 100 with a filter: "
        << std::chrono::duration<double, std::milli>(r1 - r0).count() / 50 << " ms";
    BOOST_TEST_MESSAGE(msg.str());
}
