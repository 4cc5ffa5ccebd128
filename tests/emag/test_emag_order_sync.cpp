// The order sync against the local eMAG sandbox: a full sync equals the
// sandbox's truth; with eMAG changing and creating orders WHILE the plugin
// paginates (live mutation), no order is lost or left stale once a pass runs
// after the changes; new orders are acknowledged; a cancelled pass leaves
// the cursor where it was. SQLite; the store itself is tested on both
// backends in test_emag_order_store.
#define BOOST_TEST_MODULE emag_order_sync
#include <boost/test/unit_test.hpp>

#include "api/emag_client.hpp"
#include "api/transport.hpp"
#include "emag_migrate.hpp"
#include "orders/order_sync.hpp"
#include "server/sandbox_server.hpp"
#include "store/order_store.hpp"
#include "store/schema.hpp"
#include "store/timestamp.hpp"
#include "test_support.hpp"

#include <map>
#include <set>

using namespace erp::emag;
using namespace std::chrono_literals;
using nlohmann::json;
namespace sb = emag::sandbox;

namespace {

struct World {
    erp::test::TempDir dir;
    std::unique_ptr<sb::SandboxServer> sandbox;
    std::string url;
    std::unique_ptr<OrderStore> store;
    std::unique_ptr<EmagClient> client;

    explicit World(sb::SandboxOptions o, std::string db_url = "") {
        o.port = 0;
        o.request_log_keep = 200000;
        sandbox = std::make_unique<sb::SandboxServer>(std::move(o));
        sandbox->start();
        url = db_url.empty() ? "sqlite3://db=" + (dir / "erp.db").string() : db_url;
        erp::test::migrate_emag_tables(url);
        store = std::make_unique<OrderStore>(url);
        ClientOptions opt;
        opt.retry.delays = {50ms, 100ms, 200ms, 400ms, 800ms};
        opt.transport.request_timeout = 5000ms;
        // A wider margin than the default: on a loaded CI machine the
        // sandbox's own threads add jitter to when it counts a request
        // (test_emag_client explains; bench_emag_client shows the default).
        opt.rate_margin = 150ms;
        client = std::make_unique<EmagClient>(
            AccountEndpoint{"sandbox", sandbox->base_url(), "sandbox", Secret("sandbox-password")},
            make_cpprest_transport(opt.transport), opt, nullptr);
    }

    // The sandbox's truth: id -> (modified text, status), both types.
    std::map<long long, std::pair<std::string, int>> truth() const {
        std::map<long long, std::pair<std::string, int>> out;
        for (const auto& o : json::parse(sandbox->state().markets.at("sandbox")->orders_json())) {
            out[o["id"].get<long long>()] = {o["modified"].get<std::string>(), o["status"].get<int>()};
        }
        return out;
    }

    // Orders the sandbox broke on purpose (its generator's kinds, not our
    // validator's rules).
    std::set<long long> broken() const {
        std::set<long long> out;
        for (const auto& ord : json::parse(sandbox->state().markets.at("sandbox")->orders_json())) {
            bool bad = ord["status"] == 7 || ord["payment_mode_id"] == 9 || ord["products"].empty();
            for (const auto& l : ord["products"]) {
                bad = bad || l.value("quantity", json(1)) == 0 || !l.contains("sale_price");
            }
            if (bad) {
                out.insert(ord["id"].get<long long>());
            }
        }
        return out;
    }

    std::set<long long> quarantined() {
        std::set<long long> out;
        for (const auto& q : store->quarantine("sandbox")) {
            out.insert(q.emag_id.value_or(-1));
        }
        return out;
    }

    unsigned rate_limited() const {
        unsigned n = 0;
        const json log = sandbox->state().log->since(0);
        for (const auto& e : log["entries"]) {
            n += e["rate_limited"] == true ? 1 : 0;
        }
        return n;
    }

    // What the database holds: id -> (modified as eMAG wrote it, status),
    // stored orders and quarantined ones alike.
    std::map<long long, std::pair<std::string, int>> held() {
        std::map<long long, std::pair<std::string, int>> out;
        for (const auto& [id, modified] : store->order_versions("sandbox")) {
            (void)modified;
            const auto row = store->find_order("sandbox", id);
            out[id] = {row->modified_local, row->status.value_or(-1)};
        }
        for (const auto& q : store->quarantine("sandbox")) {
            const json p = json::parse(q.payload);
            out[q.emag_id.value_or(-1)] = {p.value("modified", std::string()), p.value("status", -1)};
        }
        return out;
    }
};

SyncOptions test_options() {
    SyncOptions o;
    o.first_run = std::chrono::seconds(100 * 86400); // the sandbox's history spans 90 days
    o.settle = 2s;
    o.overlap = 60s;
    return o;
}

// Compares and reports the first differences by id.
void expect_same(const std::map<long long, std::pair<std::string, int>>& truth,
                 const std::map<long long, std::pair<std::string, int>>& held) {
    std::size_t missing = 0, stale = 0, extra = 0;
    for (const auto& [id, v] : truth) {
        const auto it = held.find(id);
        if (it == held.end()) {
            if (++missing <= 5) {
                BOOST_TEST_MESSAGE("missing order " << id << " modified " << v.first);
            }
        } else if (it->second != v) {
            if (++stale <= 5) {
                BOOST_TEST_MESSAGE("stale order " << id << ": have " << it->second.first << " status "
                                                  << it->second.second << ", eMAG has " << v.first << " status "
                                                  << v.second);
            }
        }
    }
    for (const auto& [id, v] : held) {
        (void)v;
        extra += truth.count(id) == 0 ? 1 : 0;
    }
    BOOST_TEST(missing == 0u);
    BOOST_TEST(stale == 0u);
    BOOST_TEST(extra == 0u);
    BOOST_TEST(held.size() == truth.size());
}

} // namespace

BOOST_AUTO_TEST_CASE(a_full_sync_equals_the_sandbox_and_acknowledges_new_orders) {
    sb::SandboxOptions o;
    o.orders = 1500;
    o.offers = 50;
    o.invalid_fraction = 0.02;
    World w(o);
    std::vector<SyncProgress> reports;
    OrderSync sync(*w.client, *w.store, "sandbox", *TimeZone::find("Europe/Bucharest"), test_options(), {},
                   [&](const SyncProgress& p) { reports.push_back(p); });
    const auto before = w.truth();
    std::set<long long> new_fbs;
    for (const auto& o2 : json::parse(w.sandbox->state().markets.at("sandbox")->orders_json())) {
        if (o2["status"] == 1 && o2["type"] == 3) {
            new_fbs.insert(o2["id"].get<long long>());
        }
    }
    BOOST_TEST_REQUIRE(!new_fbs.empty());

    const SyncStats fbs = sync.incremental(3);
    const SyncStats fbe = sync.incremental(2);
    BOOST_TEST(fbs.windows >= 4u); // 100 days in windows of at most 29
    BOOST_TEST(fbe.orders > 0u);   // FBE orders exist and were asked for
    BOOST_TEST(fbs.quarantined + fbe.quarantined > 0u);
    BOOST_TEST(!reports.empty());
    BOOST_TEST(reports.back().done);
    BOOST_TEST(reports.back().stream == "incremental/fbe");

    // Acknowledged once stored: eMAG now has them in progress. A new order
    // that failed validation sits in quarantine and is not acknowledged.
    std::set<long long> quarantined;
    for (const auto& q : w.store->quarantine("sandbox")) {
        quarantined.insert(q.emag_id.value_or(-1));
    }
    std::size_t expected_acks = 0;
    const auto after_ack = w.truth();
    for (long long id : new_fbs) {
        if (quarantined.count(id) != 0) {
            BOOST_TEST(after_ack.at(id).second == 1);
            continue;
        }
        ++expected_acks;
        BOOST_TEST(after_ack.at(id).second == 2);
        BOOST_TEST(w.store->acknowledged_at("sandbox", id).has_value());
    }
    BOOST_TEST(fbs.acknowledged == expected_acks);
    BOOST_TEST(fbs.ack_failed == 0u);
    // One more pass brings the acknowledgements' changes in (its window
    // ends after them: settle guards against clock skew, which an
    // in-process sandbox has none of); then the database equals eMAG.
    OrderSync later(*w.client, *w.store, "sandbox", *TimeZone::find("Europe/Bucharest"), test_options(),
                    [] { return std::chrono::system_clock::now() + 5s; });
    later.incremental(3);
    later.incremental(2);
    expect_same(w.truth(), w.held());

    // The cursor stands near now; the next pass reads only the overlap.
    const auto state = w.store->sync_state("sandbox", 3, "incremental");
    BOOST_TEST_REQUIRE(state.has_value());
    const auto cursor = parse_iso8601_utc(state->cursor_utc);
    BOOST_TEST_REQUIRE(cursor.has_value());
    BOOST_TEST((std::chrono::system_clock::now() - *cursor < 60s));
    const SyncStats quiet = sync.incremental(3);
    BOOST_TEST(quiet.windows == 1u);
    BOOST_TEST(quiet.orders < 50u);
    (void)before;
}

// eMAG changes orders (status moves, cancellations, new orders) while the
// plugin paginates, and 5% of requests fail (gateway pages, cut bodies,
// "please retry"). Small pages make each pass long enough for hundreds of
// changes to land mid-read. After the changes stop, one more pass must leave
// the database equal to eMAG: nothing lost, nothing stale, quarantine
// exactly the broken orders, and not one 429. On SQLite and PostgreSQL.
void mutation_and_faults(const std::string& db_url) {
    sb::SandboxOptions o;
    o.orders = 2000;
    o.offers = 50;
    o.invalid_fraction = 0.01;
    o.mutation_rate = 40;
    o.creation_ratio = 0.2;
    o.faults = {sb::parse_fault_rule("order/*:503:0.02"), sb::parse_fault_rule("order/*:truncate:0.02"),
                sb::parse_fault_rule("order/*:iserror:0.01")};
    World w(o, db_url);
    SyncOptions opt = test_options();
    opt.page_size = 20;
    opt.acknowledge_new = false; // only eMAG's own changes here
    OrderSync sync(*w.client, *w.store, "sandbox", *TimeZone::find("Europe/Bucharest"), opt);
    sync.incremental(3);
    sync.incremental(2);
    sync.incremental(3); // a second pass while changes continue
    w.sandbox->state().mutator->pause();
    const auto mutations = w.sandbox->state().mutator->stats();
    BOOST_TEST_MESSAGE("changes during the sync: " << mutations.dump());
    BOOST_TEST(mutations["changed"].get<int>() > 100);

    // The final pass, after the last change: its window ends after it
    // (settle is about clock skew, which an in-process sandbox has none of).
    OrderSync final_pass(*w.client, *w.store, "sandbox", *TimeZone::find("Europe/Bucharest"), opt,
                         [] { return std::chrono::system_clock::now() + 5s; });
    final_pass.incremental(3);
    final_pass.incremental(2);
    expect_same(w.truth(), w.held());
    BOOST_TEST(w.quarantined() == w.broken(), boost::test_tools::per_element());
    BOOST_TEST(w.rate_limited() == 0u);
    const GroupMetrics m = w.client->metrics().groups[0];
    BOOST_TEST(m.retries > 0u); // the faults happened and were absorbed
}

BOOST_AUTO_TEST_CASE(no_order_is_lost_under_live_changes_and_faults_on_sqlite) {
    mutation_and_faults("");
}

BOOST_AUTO_TEST_CASE(no_order_is_lost_under_live_changes_and_faults_on_postgresql) {
    erp::test::TempPgDatabase db;
    mutation_and_faults(db.url());
}

BOOST_AUTO_TEST_CASE(a_cancelled_pass_keeps_the_cursor) {
    sb::SandboxOptions o;
    o.orders = 600;
    o.offers = 20;
    World w(o);
    SyncOptions opt = test_options();
    opt.page_size = 10;
    opt.concurrency = 2;
    int pages = 0;
    OrderSync sync(
        *w.client, *w.store, "sandbox", TimeZone::utc(), opt, {}, [&](const SyncProgress&) { ++pages; },
        [&] { return w.store->count_orders("sandbox") >= 15; });
    const SyncStats s = sync.incremental(3);
    BOOST_TEST(s.cancelled);
    BOOST_TEST(!w.store->sync_state("sandbox", 3, "incremental").has_value()); // no window completed
    BOOST_TEST(w.store->count_orders("sandbox") >= 15);
}

// History older than the first pass's reach comes with the backfill job, in
// windows eMAG accepts, going back; together they hold every order.
BOOST_AUTO_TEST_CASE(backfill_brings_the_history_the_first_pass_left_out) {
    sb::SandboxOptions o;
    o.orders = 800;
    o.offers = 20;
    World w(o);
    SyncOptions opt = test_options();
    opt.first_run = std::chrono::seconds(10 * 86400);
    opt.settle = 0s; // the sandbox stamps some orders with its start time
    opt.acknowledge_new = false;
    OrderSync sync(*w.client, *w.store, "sandbox", *TimeZone::find("Europe/Bucharest"), opt);
    sync.incremental(3);
    sync.incremental(2);
    const auto recent = w.held().size();
    const auto all = w.truth();
    BOOST_TEST(recent < all.size() / 2); // 10 of 90 days
    const auto from =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - std::chrono::seconds(100 * 86400);
    const SyncStats fbs = sync.backfill(3, from);
    sync.backfill(2, from);
    BOOST_TEST(fbs.windows >= 4u); // 90 days in windows of at most 29
    expect_same(all, w.held());
    // Done: the backfill cursor reached `from`; another run reads nothing.
    const SyncStats again = sync.backfill(3, from);
    BOOST_TEST(again.windows == 0u);
}
