// Offers against the local eMAG sandbox, on SQLite and PostgreSQL: the offer
// sync equals the sandbox's offers; 1,000 queued price/stock/status changes
// reach the sandbox, each offer ending at its latest values, each latest
// value applied exactly once and no older value ever applied, under 5%
// faults on offer/save and with zero 429s; a change eMAG refuses ends in the
// dead letter with eMAG's message; a change validation refuses is kept as
// rejected and never sent; changes left `sending` by a dead process are
// sent again, or superseded when newer ones exist.
#define BOOST_TEST_MODULE emag_offers
#include <boost/test/unit_test.hpp>

#include "api/emag_client.hpp"
#include "api/transport.hpp"
#include "emag_migrate.hpp"
#include "offers/offer_routes.hpp"
#include "offers/offer_sync.hpp"
#include "offers/offers_service.hpp"
#include "orders/order_sync.hpp"
#include "route_double.hpp"
#include "server/sandbox_server.hpp"
#include "store/offer_store.hpp"
#include "store/order_store.hpp"
#include "store/outbound_store.hpp"
#include "test_support.hpp"

#include <erp_plugin/erp_plugin.hpp>

#include <future>
#include <map>
#include <set>

using namespace erp::emag;
using namespace std::chrono_literals;
using nlohmann::json;
namespace sb = emag::sandbox;

namespace {

// The test's clock: real time plus an offset the test moves forward, so
// changes queued for a retry come due without waiting.
struct Clock {
    std::atomic<long long> offset_s{0};
    std::chrono::system_clock::time_point operator()() const {
        return std::chrono::system_clock::now() + std::chrono::seconds(offset_s.load());
    }
};

struct World {
    erp::test::TempDir dir;
    std::unique_ptr<sb::SandboxServer> sandbox;
    std::string url;
    std::shared_ptr<EmagClient> client;
    std::shared_ptr<OfferStore> offers;
    std::shared_ptr<OutboundStore> outbound;
    std::shared_ptr<Clock> clock = std::make_shared<Clock>();
    std::unique_ptr<OffersService> service;

    explicit World(sb::SandboxOptions o, std::string db_url = "") {
        o.port = 0;
        o.request_log_keep = 200000;
        sandbox = std::make_unique<sb::SandboxServer>(std::move(o));
        sandbox->start();
        url = db_url.empty() ? "sqlite3://db=" + (dir / "erp.db").string() : db_url;
        erp::test::migrate_emag_tables(url);
        ClientOptions opt;
        opt.retry.delays = {50ms, 100ms, 200ms};
        opt.transport.request_timeout = 5000ms;
        opt.rate_margin = 150ms; // see test_emag_order_sync
        client = std::make_shared<EmagClient>(
            AccountEndpoint{"sandbox", sandbox->base_url(), "sandbox", Secret("sandbox-password")},
            make_cpprest_transport(opt.transport), opt, nullptr);
        offers = std::make_shared<OfferStore>(url);
        outbound = std::make_shared<OutboundStore>(url);
        start_service();
    }

    unsigned batch_size = 50;

    void start_service() {
        service.reset();
        OffersOptions so;
        so.push.batch_size = batch_size;
        so.background_push = false; // the test runs the passes
        so.push.backoff = {1s};
        so.push.max_attempts = 50;
        std::shared_ptr<Clock> c = clock;
        service = std::make_unique<OffersService>(std::vector<OffersAccount>{{"sandbox", client}}, offers, outbound, so,
                                                  [c] { return (*c)(); });
    }

    sb::Marketplace& market() const { return *sandbox->state().markets.at("sandbox"); }

    std::map<long long, json> truth() const {
        std::map<long long, json> out;
        for (const json& o : json::parse(market().offers_json())) {
            out[o["id"].get<long long>()] = o;
        }
        return out;
    }

    unsigned rate_limited() const {
        unsigned n = 0;
        const json log = sandbox->state().log->since(0); // kept: the loop reads into it
        for (const auto& e : log["entries"]) {
            n += e["rate_limited"] == true ? 1 : 0;
        }
        return n;
    }

    // Pushes until nothing is queued, moving the clock past each retry delay.
    void push_until_done() {
        for (int round = 0; round < 60; ++round) {
            const OffersRunReport r = service->push({});
            BOOST_TEST_REQUIRE(r.failures.empty());
            if (outbound->count_by_state("sandbox").count("queued") == 0) {
                return;
            }
            clock->offset_s += 5;
        }
        BOOST_FAIL("changes still queued after 60 passes");
    }
};

std::int64_t x4(const json& money_text) {
    return Decimal4::parse(money_text.get<std::string>())->units;
}

void offer_sync_equals_the_sandbox(const std::string& db_url) {
    sb::SandboxOptions o;
    o.offers = 730; // 8 pages, the last one short
    o.orders = 20;
    World w(o, db_url);
    std::vector<SyncProgress> progress;
    const OffersRunReport r = w.service->sync([&](const SyncProgress& p) { progress.push_back(p); }, {});
    BOOST_TEST_REQUIRE(r.failures.empty());
    const auto truth = w.truth();
    BOOST_TEST(r.stored == truth.size());
    BOOST_TEST(w.offers->count("sandbox") == static_cast<std::int64_t>(truth.size()));
    std::size_t checked = 0;
    for (const auto& [id, t] : truth) {
        const auto row = w.offers->find("sandbox", id);
        BOOST_TEST_REQUIRE(row.has_value(), id);
        BOOST_TEST((row->sale_price_x4 == x4(t["sale_price"])), id);
        BOOST_TEST((row->min_sale_price_x4 == x4(t["min_sale_price"])), id);
        BOOST_TEST((row->general_stock == t["general_stock"].get<long long>()), id);
        BOOST_TEST((row->status == t["status"].get<int>()), id);
        BOOST_TEST((row->vat_id == t["vat_id"].get<int>()), id);
        BOOST_TEST(row->part_number == t["part_number"].get<std::string>(), id);
        BOOST_TEST(json::parse(row->payload) == t, id);
        ++checked;
    }
    BOOST_TEST(checked == 730u);
    BOOST_TEST(w.offers->quarantine("sandbox").empty());
    BOOST_TEST(!w.service->vat_ids("sandbox").empty());
    BOOST_TEST_REQUIRE(!progress.empty());
    BOOST_TEST(progress.back().done);
    BOOST_TEST(progress.back().stream == "offers");
    BOOST_TEST(progress.back().processed == 730u);
    BOOST_TEST(w.rate_limited() == 0u);
}

// 1,000 changes over 300 offers, each kind's values rising with every change
// of that offer, pushed under 5% faults that answer before the sandbox
// applies anything (so "exactly once" is something the plugin must earn).
void thousand_changes(const std::string& db_url) {
    sb::SandboxOptions o;
    o.offers = 400;
    o.orders = 20;
    o.faults = {sb::parse_fault_rule("offer/save:503:0.02"), sb::parse_fault_rule("offer/save:500:0.01"),
                sb::parse_fault_rule("offer/save:iserror:0.02")};
    World w(o, db_url);
    // Small calls, so the 5% of faults has many calls to hit (about 75).
    w.batch_size = 4;
    w.start_service();
    BOOST_TEST_REQUIRE(w.service->sync({}, {}).failures.empty());
    const auto truth = w.truth();
    std::vector<long long> ids;
    for (const auto& [id, t] : truth) {
        if (ids.size() < 300 && t["status"] == 1) {
            ids.push_back(id);
        }
    }
    BOOST_TEST_REQUIRE(ids.size() == 300u);

    // (offer, kind) -> the values asked, in order.
    std::map<std::pair<long long, std::string>, std::vector<std::string>> asked;
    std::map<long long, int> round_of;
    for (int i = 0; i < 1000; ++i) {
        const long long id = ids[static_cast<std::size_t>(i) % ids.size()];
        const int k = round_of[id]++;
        const json& t = truth.at(id);
        OfferChange c;
        c.account = "sandbox";
        c.offer_id = id;
        const int kind = (i + i / static_cast<int>(ids.size())) % 3; // each offer gets every kind
        if (kind == 0) {
            c.kind = ChangeKind::price;
            // min + 0.01 * (k + 1): rising, inside [min, max]
            c.sale_price = Decimal4{x4(t["min_sale_price"]) + 100 * (k + 1)};
        } else if (kind == 1) {
            c.kind = ChangeKind::stock;
            c.stock = {{1, 10 + k}};
        } else {
            c.kind = ChangeKind::status;
            c.status = k % 2 == 0 ? 0 : 1;
        }
        const EnqueueResult r = w.service->enqueue(c, "test");
        BOOST_TEST_REQUIRE(r.queued, "change " << i << ": " << (r.problems.empty() ? "" : r.problems[0].message));
        const json v = c.value_json();
        asked[{id, kind_name(c.kind)}].push_back(c.kind == ChangeKind::price   ? v["sale_price"].get<std::string>()
                                                 : c.kind == ChangeKind::stock ? v["stock"][0]["value"].dump()
                                                                               : v["status"].dump());
    }

    w.push_until_done();

    // Each offer ends at its latest values.
    const auto after = w.truth();
    for (const auto& [key, values] : asked) {
        const json& t = after.at(key.first);
        const std::string& latest = values.back();
        if (key.second == "price") {
            BOOST_TEST(t["sale_price"].get<std::string>() == latest, key.first);
        } else if (key.second == "stock") {
            std::string w1;
            for (const auto& s : t["stock"]) {
                if (s["warehouse_id"] == 1) {
                    w1 = s["value"].dump();
                }
            }
            BOOST_TEST(w1 == latest, key.first);
        } else {
            BOOST_TEST(t["status"].dump() == latest, key.first);
        }
    }
    // What the sandbox applied: each latest value exactly once, nothing else.
    std::map<std::pair<long long, std::string>, std::vector<std::string>> applied;
    const json updates = json::parse(w.market().offer_updates_json(0));
    BOOST_TEST(updates["dropped"] == 0);
    for (const json& u : updates["entries"]) {
        const long long id = u["id"].get<long long>();
        BOOST_TEST(u["route"] == "offer/save");
        if (u.contains("sale_price")) {
            applied[{id, "price"}].push_back(u["sale_price"].get<std::string>());
        }
        if (u.contains("stock")) {
            for (const auto& s : u["stock"]) {
                if (s["warehouse_id"] == 1) {
                    applied[{id, "stock"}].push_back(s["value"].dump());
                }
            }
        }
        if (u.contains("status")) {
            applied[{id, "status"}].push_back(u["status"].dump());
        }
    }
    std::size_t exact = 0;
    for (const auto& [key, values] : asked) {
        const auto it = applied.find(key);
        BOOST_TEST_REQUIRE((it != applied.end()), key.first << " " << key.second);
        BOOST_TEST(it->second.size() == 1u, key.first << " " << key.second << " applied " << it->second.size());
        BOOST_TEST(it->second.back() == values.back(), key.first << " " << key.second);
        exact += it->second.size() == 1 ? 1 : 0;
    }
    BOOST_TEST(applied.size() == asked.size());
    BOOST_TEST_MESSAGE(exact << " of " << asked.size() << " (offer, kind) latest values applied exactly once");

    // Every change is confirmed or superseded by a newer one of its kind.
    const auto counts = w.outbound->count_by_state("sandbox");
    BOOST_TEST(counts.at("confirmed") == static_cast<std::int64_t>(asked.size()));
    BOOST_TEST(counts.at("superseded") == static_cast<std::int64_t>(1000 - asked.size()));
    BOOST_TEST(counts.size() == 2u);
    OutboundFilter f;
    f.account = "sandbox";
    f.state = "superseded";
    f.limit = 1000;
    for (const OutboundRow& r : w.outbound->list(f)) {
        BOOST_TEST((r.superseded_by.value_or(0) > r.id));
    }
    // The faults happened and were absorbed; eMAG's limits were kept.
    unsigned faults = 0;
    const json log = w.sandbox->state().log->since(0);
    for (const auto& e : log["entries"]) {
        faults += e["route"] == "offer/save" && (e["status"] != 200 || e.value("fault", json()).is_string()) ? 1 : 0;
    }
    BOOST_TEST_MESSAGE(faults << " faults on offer/save, client retries " << w.client->metrics().groups.at(1).retries);
    BOOST_TEST(faults > 0u);
    BOOST_TEST(w.client->metrics().groups.at(1).retries >= faults);
    BOOST_TEST(w.rate_limited() == 0u);
}

} // namespace

BOOST_AUTO_TEST_CASE(offer_sync_equals_the_sandbox_on_sqlite) {
    offer_sync_equals_the_sandbox("");
}

BOOST_AUTO_TEST_CASE(offer_sync_equals_the_sandbox_on_postgresql) {
    erp::test::TempPgDatabase db;
    offer_sync_equals_the_sandbox(db.url());
}

BOOST_AUTO_TEST_CASE(a_thousand_changes_arrive_latest_only_exactly_once_on_sqlite) {
    thousand_changes("");
}

BOOST_AUTO_TEST_CASE(a_thousand_changes_arrive_latest_only_exactly_once_on_postgresql) {
    erp::test::TempPgDatabase db;
    thousand_changes(db.url());
}

BOOST_AUTO_TEST_CASE(refused_changes_are_kept_never_dropped) {
    sb::SandboxOptions o;
    o.offers = 30;
    o.orders = 10;
    World w(o);
    BOOST_TEST_REQUIRE(w.service->sync({}, {}).failures.empty());
    const auto truth = w.truth();
    const long long id = truth.begin()->first;
    const json& t = truth.begin()->second;

    // Validation refuses: above the offer's max_sale_price. Kept as
    // rejected with the problem; nothing is sent.
    OfferChange too_high;
    too_high.account = "sandbox";
    too_high.offer_id = id;
    too_high.kind = ChangeKind::price;
    too_high.sale_price = Decimal4{x4(t["max_sale_price"]) + 10000};
    const EnqueueResult rejected = w.service->enqueue(too_high, "test");
    BOOST_TEST(!rejected.queued);
    BOOST_TEST_REQUIRE(!rejected.problems.empty());
    BOOST_TEST(rejected.problems[0].field == "sale_price");
    BOOST_TEST(rejected.problems[0].message.find("max_sale_price") != std::string::npos);
    const auto kept = w.outbound->find(rejected.id);
    BOOST_TEST_REQUIRE(kept.has_value());
    BOOST_TEST(kept->state == "rejected");
    BOOST_TEST(kept->messages_json.find("max_sale_price") != std::string::npos);

    // At or above the recommended price (shown as the price before the
    // discount), which eMAG refuses too.
    bool checked_recommended = false;
    for (const auto& [rid, rt] : truth) {
        const std::int64_t rec = x4(rt["recommended_price"]);
        if (rec > 0 && rec <= x4(rt["max_sale_price"]) && rec >= x4(rt["min_sale_price"])) {
            OfferChange at_rec;
            at_rec.account = "sandbox";
            at_rec.offer_id = rid;
            at_rec.kind = ChangeKind::price;
            at_rec.sale_price = Decimal4{rec};
            const EnqueueResult r = w.service->enqueue(at_rec, "test");
            BOOST_TEST(!r.queued);
            BOOST_TEST_REQUIRE(r.problems.size() == 1u);
            BOOST_TEST(r.problems[0].message.find("recommended_price") != std::string::npos);
            checked_recommended = true;
            break;
        }
    }
    BOOST_TEST(checked_recommended);

    // Unknown offers and bad values are refused the same way.
    OfferChange unknown = too_high;
    unknown.offer_id = 9999999;
    unknown.sale_price = Decimal4{10000};
    BOOST_TEST(w.service->enqueue(unknown, "test").problems.at(0).code == "unknown");
    OfferChange negative;
    negative.account = "sandbox";
    negative.offer_id = id;
    negative.kind = ChangeKind::stock;
    negative.stock = {{1, -3}};
    BOOST_TEST(w.service->enqueue(negative, "test").problems.at(0).field == "stock[0].value");
    const std::size_t requests_before = w.sandbox->state().log->since(0)["entries"].size();
    BOOST_TEST(w.service->push({}).calls == 0u); // nothing of that is sent
    BOOST_TEST(w.sandbox->state().log->since(0)["entries"].size() == requests_before);

    // eMAG refuses: a price outside [min, max] that slipped past our checks
    // (eMAG changed the limits since our last read) ends in the dead letter
    // with eMAG's own message; the other change in the same call goes through.
    const long long other = std::next(truth.begin())->first;
    const std::int64_t stale = w.outbound->enqueue(
        "sandbox", id, "price", json{{"sale_price", Decimal4{x4(t["max_sale_price"]) + 10000}.to_string()}}.dump(),
        "test", "2026-01-01T00:00:00Z");
    const std::int64_t fine = w.outbound->enqueue(
        "sandbox", other, "stock", R"({"stock":[{"warehouse_id":1,"value":77}]})", "test", "2026-01-01T00:00:00Z");
    const OffersRunReport r = w.service->push({});
    BOOST_TEST(r.calls == 1u);
    BOOST_TEST(r.failed == 1u);
    BOOST_TEST(r.confirmed == 1u);
    const auto dead = w.outbound->find(stale);
    BOOST_TEST(dead->state == "failed");
    BOOST_TEST(dead->messages_json.find("sale_price") != std::string::npos, dead->messages_json);
    BOOST_TEST(w.outbound->find(fine)->state == "confirmed");
    BOOST_TEST(w.truth().at(id)["sale_price"] == t["sale_price"]); // unchanged at eMAG
    OutboundFilter f;
    f.account = "sandbox";
    f.state = "failed";
    BOOST_TEST(w.outbound->list(f).size() == 1u);
}

// The admin pages' offer routes: search, and the dead letter's retry (a
// failed change checked again and queued as a new change; the failed row
// stays as it was).
BOOST_AUTO_TEST_CASE(offer_search_and_dead_letter_retry_through_the_routes) {
    sb::SandboxOptions o;
    o.offers = 30;
    o.orders = 10;
    World w(o);
    BOOST_TEST_REQUIRE(w.service->sync({}, {}).failures.empty());
    erp::test::RouteHost host;
    erp::plugin::Registrations reg(&host.registrar);
    const std::shared_ptr<OffersService> service(w.service.get(), [](OffersService*) {});
    register_offer_routes(reg, [service] { return service; });
    using erp::test::call;
    const auto truth = w.truth();
    const long long id = truth.begin()->first;
    const json& t = truth.begin()->second;

    // Search: by id, by a part of the part number in another case, nothing.
    erp::test::Reply r = call(host, "GET", "/api/offers", json::object(), "q=" + std::to_string(id));
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(r.j()["total"] == 1);
    BOOST_TEST(r.j()["offers"][0]["offer_id"] == id);
    std::string part = t["part_number"].get<std::string>().substr(0, 5);
    for (char& c : part) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    r = call(host, "GET", "/api/offers", json::object(), "q=" + part);
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    std::size_t expected = 0;
    for (const auto& [oid, offer] : truth) {
        std::string pn = offer["part_number"].get<std::string>(), name = offer["name"].get<std::string>();
        for (std::string* s : {&pn, &name}) {
            for (char& c : *s) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
        }
        expected += pn.find(part) != std::string::npos || name.find(part) != std::string::npos ? 1 : 0;
    }
    BOOST_TEST(expected >= 1u);
    BOOST_TEST(r.j()["total"] == expected);
    r = call(host, "GET", "/api/offers", json::object(), "q=no-such-offer_%25");
    BOOST_TEST(r.j()["total"] == 0);

    // eMAG refuses a stock change (the sandbox's refuse fault): it ends in
    // the dead letter with eMAG's message. Retried once eMAG accepts again: a
    // new change is queued and then confirmed; the failed row stays failed.
    w.sandbox->state().faults->reconfigure({sb::parse_fault_rule("offer/save:refuse:1")}, 0ms, 0ms);
    r = call(host, "POST", "/api/offers/{id}/stock", json{{"id", std::to_string(id)}}, "",
             R"({"stock":[{"warehouse_id":1,"value":41}]})");
    BOOST_TEST_REQUIRE(r.status == 202, r.body);
    const std::int64_t failed = r.j()["change"]["id"].get<std::int64_t>();
    BOOST_TEST(w.service->push({}).failed == 1u);
    BOOST_TEST_REQUIRE(w.outbound->find(failed)->state == "failed");
    BOOST_TEST(w.outbound->find(failed)->messages_json.find("the data was refused") != std::string::npos);
    r = call(host, "GET", "/api/outbound", json::object(), "state=failed");
    BOOST_TEST(r.j()["changes"].size() == 1u);
    BOOST_TEST(r.j()["changes"][0]["id"] == failed);
    w.sandbox->state().faults->reconfigure({}, 0ms, 0ms);
    r = call(host, "POST", "/api/outbound/{id}/retry", json{{"id", std::to_string(failed)}});
    BOOST_TEST_REQUIRE(r.status == 202, r.body);
    BOOST_TEST(r.j()["retry_of"] == failed);
    const std::int64_t again = r.j()["change"]["id"].get<std::int64_t>();
    BOOST_TEST(r.j()["change"]["state"] == "queued");
    BOOST_TEST(r.j()["change"]["source"] == "retry of " + std::to_string(failed));
    w.push_until_done();
    BOOST_TEST(w.outbound->find(again)->state == "confirmed");
    BOOST_TEST(w.outbound->find(failed)->state == "failed");
    BOOST_TEST(w.truth().at(id)["stock"][0]["value"] == 41);

    // Only failed changes are retried; unknown and malformed ids are refused.
    r = call(host, "POST", "/api/outbound/{id}/retry", json{{"id", std::to_string(again)}});
    BOOST_TEST(r.status == 409, r.body);
    BOOST_TEST(r.body.find("only failed changes") != std::string::npos, r.body);
    r = call(host, "POST", "/api/outbound/{id}/retry", json{{"id", "999999"}});
    BOOST_TEST(r.status == 404, r.body);
    r = call(host, "POST", "/api/outbound/{id}/retry", json{{"id", "x1"}});
    BOOST_TEST(r.status == 400, r.body);

    // A failed price that our checks now refuse (above max_sale_price) is
    // kept as a rejected change with the problem, not sent.
    const std::int64_t stale = w.outbound->enqueue(
        "sandbox", id, "price", json{{"sale_price", Decimal4{x4(t["max_sale_price"]) + 10000}.to_string()}}.dump(),
        "test", "2026-01-01T00:00:00Z");
    w.outbound->fail({stale}, R"(["sale_price out of range"])", "2026-01-01T00:00:01Z");
    r = call(host, "POST", "/api/outbound/{id}/retry", json{{"id", std::to_string(stale)}});
    BOOST_TEST_REQUIRE(r.status == 422, r.body);
    BOOST_TEST(r.j()["change"]["state"] == "rejected");
    BOOST_TEST(r.j()["error"]["problems"][0]["field"] == "sale_price");
}

BOOST_AUTO_TEST_CASE(changes_left_sending_are_sent_again_or_superseded) {
    sb::SandboxOptions o;
    o.offers = 30;
    o.orders = 10;
    World w(o);
    BOOST_TEST_REQUIRE(w.service->sync({}, {}).failures.empty());
    const auto truth = w.truth();
    const long long a = truth.begin()->first;
    const long long b = std::next(truth.begin())->first;
    const auto enqueue_stock = [&](long long id, int value) {
        return w.outbound->enqueue("sandbox", id, "stock",
                                   json{{"stock", {{{"warehouse_id", 1}, {"value", value}}}}}.dump(), "test",
                                   "2026-01-01T00:00:00Z");
    };
    // A process claimed both, then died before any answer came back.
    const std::int64_t a_old = enqueue_stock(a, 5);
    const std::int64_t b_only = enqueue_stock(b, 6);
    BOOST_TEST(w.outbound->claim("sandbox", "2026-01-01T00:00:01Z", 50, {}).size() == 2u);
    // Meanwhile the ERP changed a's stock again.
    const std::int64_t a_new = enqueue_stock(a, 9);
    w.start_service(); // a new process: recover() at start
    BOOST_TEST(w.outbound->find(a_old)->state == "superseded");
    BOOST_TEST((w.outbound->find(a_old)->superseded_by == a_new));
    BOOST_TEST(w.outbound->find(b_only)->state == "queued");
    w.push_until_done();
    BOOST_TEST(w.outbound->find(a_new)->state == "confirmed");
    BOOST_TEST(w.outbound->find(b_only)->state == "confirmed");
    const json updates = json::parse(w.market().offer_updates_json(0));
    std::vector<std::string> a_values;
    for (const json& u : updates["entries"]) {
        if (u["id"] == a) {
            a_values.push_back(u["stock"][0]["value"].dump());
        }
    }
    BOOST_TEST(a_values == std::vector<std::string>{"9"}, boost::test_tools::per_element()); // never the older 5
}

// Offer pushes and the order sync on one account at the same time: each
// stays within its own group's budget (orders 12/s, everything else 3/s),
// so neither waits for the other and eMAG answers no 429.
BOOST_AUTO_TEST_CASE(offer_pushes_and_the_order_sync_share_an_account) {
    sb::SandboxOptions o;
    o.offers = 400;
    o.orders = 2500;
    o.latency = 40ms;
    World w(o);
    BOOST_TEST_REQUIRE(w.service->sync({}, {}).failures.empty());
    w.batch_size = 5; // many calls, to overlap the whole order sync
    w.start_service();
    for (const auto& [id, t] : w.truth()) {
        OfferChange c;
        c.account = "sandbox";
        c.offer_id = id;
        c.kind = ChangeKind::stock;
        c.stock = {{1, 42}};
        BOOST_TEST_REQUIRE(w.service->enqueue(c, "test").queued);
    }
    OrderStore orders(w.url);
    SyncOptions so;
    so.first_run = std::chrono::seconds(100 * 86400);
    so.settle = 2s;
    OrderSync sync(*w.client, orders, "sandbox", *TimeZone::find("Europe/Bucharest"), so);
    auto pushing = std::async(std::launch::async, [&] { return w.service->push({}); });
    const SyncStats fbs = sync.incremental(3);
    const OffersRunReport pushed = pushing.get();
    BOOST_TEST(pushed.confirmed == 400u);
    BOOST_TEST(fbs.orders > 2000u);

    // Both groups were busy at the same time, and eMAG never said 429.
    const json log = w.sandbox->state().log->since(0);
    std::string first_push = "~", last_push, first_read = "~", last_read;
    for (const auto& e : log["entries"]) {
        const std::string t = e["time"].get<std::string>();
        if (e["route"] == "offer/save") {
            first_push = std::min(first_push, t);
            last_push = std::max(last_push, t);
        } else if (e["route"] == "order/read") {
            first_read = std::min(first_read, t);
            last_read = std::max(last_read, t);
        }
    }
    BOOST_TEST((first_push < last_read && first_read < last_push)); // they overlapped
    BOOST_TEST(w.rate_limited() == 0u);
    const auto m = w.client->metrics();
    BOOST_TEST(m.groups.at(0).calls_failed == 0u);
    BOOST_TEST(m.groups.at(1).calls_failed == 0u);
}
