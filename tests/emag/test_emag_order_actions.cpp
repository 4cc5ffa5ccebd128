// Order actions: the §4.5 transition matrix as a pure check (every cell,
// inside and outside the 48 h windows), then acknowledge / status / cancel /
// storno against the in-process eMAG sandbox, which enforces eMAG's rules
// itself: what we refuse must never reach it (its request log shows no
// order/save), what we send it must accept, and the stored order must
// follow. Last, the HTTP routes through a registrar double.
#define BOOST_TEST_MODULE emag_order_actions
#include <boost/test/unit_test.hpp>

#include "api/api_error.hpp"
#include "api/emag_client.hpp"
#include "api/pagination.hpp"
#include "api/transport.hpp"
#include "emag_migrate.hpp"
#include "orders/cancellation_reasons.hpp"
#include "orders/order_actions.hpp"
#include "orders/order_routes.hpp"
#include "orders/order_rows.hpp"
#include "route_double.hpp"
#include "server/sandbox_server.hpp"
#include "store/order_store.hpp"
#include "store/schema.hpp"
#include "test_support.hpp"

#include <erp_plugin/erp_plugin.hpp>

#include <chrono>
#include <map>
#include <set>

using namespace erp::emag;
using nlohmann::json;
namespace sb = emag::sandbox;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::sys_seconds;

namespace {

// ---------------------------------------------------------------------------
// The matrix, copied from the reference (§4.5) in the doc's own layout:
// rows and columns 1, 2, 3, 4, 0, 5. Y yes, N no, A ACK only, H within 48 h,
// R within RT + 5 days (refused: returns are eMAG's).
// ---------------------------------------------------------------------------
constexpr int kDocOrder[6] = {1, 2, 3, 4, 0, 5};
constexpr const char* kDocMatrix[6] = {
    /* 1 */ "NANNNN",
    /* 2 */ "NYYYYN",
    /* 3 */ "NNYYYN",
    /* 4 */ "NNHYHR",
    /* 0 */ "NHHHYN",
    /* 5 */ "NNNNNN",
};

char doc_cell(int from, int to) {
    int r = -1, c = -1;
    for (int i = 0; i < 6; ++i) {
        r = kDocOrder[i] == from ? i : r;
        c = kDocOrder[i] == to ? i : c;
    }
    return kDocMatrix[r][c];
}

const sys_seconds kNow = std::chrono::sys_days{std::chrono::year{2026} / 7 / 15} + hours{12};

} // namespace

BOOST_AUTO_TEST_CASE(transition_matrix_every_cell) {
    unsigned allowed_cells = 0, window_cells = 0;
    for (int from = 0; from <= 5; ++from) {
        for (int to = 0; to <= 5; ++to) {
            const char cell = doc_cell(from, to);
            BOOST_TEST_CONTEXT("from " << from << " to " << to << " cell " << cell) {
                const auto recent = transition_refusal(from, to, kNow - hours{1}, kNow);
                const auto at_limit = transition_refusal(from, to, kNow - hours{48}, kNow);
                const auto old = transition_refusal(from, to, kNow - hours{48} - seconds{1}, kNow);
                const auto unknown = transition_refusal(from, to, std::nullopt, kNow);
                switch (cell) {
                case 'Y':
                    ++allowed_cells;
                    BOOST_TEST(!recent.has_value());
                    BOOST_TEST(!at_limit.has_value());
                    BOOST_TEST(!old.has_value());
                    BOOST_TEST(!unknown.has_value());
                    break;
                case 'H':
                    ++window_cells;
                    BOOST_TEST(!recent.has_value());
                    BOOST_TEST(!at_limit.has_value()); // "≤ 48 h"
                    BOOST_TEST_REQUIRE(old.has_value());
                    BOOST_TEST(old->find("48 hours") != std::string::npos);
                    BOOST_TEST_REQUIRE(unknown.has_value());
                    BOOST_TEST(unknown->find("48 hours") != std::string::npos);
                    break;
                default: // N, A, R: always refused, with a reason naming both statuses
                    BOOST_TEST_REQUIRE(recent.has_value());
                    BOOST_TEST(old.has_value());
                    BOOST_TEST(unknown.has_value());
                    BOOST_TEST(recent->find("eMAG does not allow " + std::to_string(from) + " (") == 0u);
                    BOOST_TEST(recent->find("→ " + std::to_string(to) + " (") != std::string::npos);
                }
            }
        }
    }
    BOOST_TEST(allowed_cells == 9u);
    BOOST_TEST(window_cells == 5u);

    BOOST_TEST(*transition_refusal(1, 3, kNow, kNow) ==
               "eMAG does not allow 1 (new) → 3 (prepared): acknowledge the order first");
    BOOST_TEST(transition_refusal(1, 2, kNow, kNow)->find("order/acknowledge") != std::string::npos);
    BOOST_TEST(transition_refusal(4, 5, kNow, kNow)->find("returns are created by eMAG") != std::string::npos);
    BOOST_TEST(transition_refusal(3, 2, kNow, kNow)->find("cannot go back") != std::string::npos);
    BOOST_TEST(transition_refusal(0, 3, kNow - hours{72}, kNow)->find("cancellation") != std::string::npos);
    BOOST_TEST(transition_refusal(4, 0, kNow - hours{72}, kNow)->find("finalization") != std::string::npos);
    // A status time in the future (clock skew) is within the window.
    BOOST_TEST(!transition_refusal(4, 3, kNow + hours{1}, kNow).has_value());
    // Statuses eMAG does not have.
    BOOST_TEST(transition_refusal(-1, 2, kNow, kNow).has_value());
    BOOST_TEST(transition_refusal(2, 6, kNow, kNow).has_value());
    BOOST_TEST(transition_refusal(6, 6, kNow, kNow).has_value());
}

BOOST_AUTO_TEST_CASE(allowed_actions_follow_the_matrix) {
    OrderRow o;
    o.type = 3;
    const auto with = [&](int status, sys_seconds modified) {
        o.status = status;
        o.modified_utc = iso8601_utc(modified);
        return allowed_actions(o, kNow);
    };
    using V = std::vector<std::string>;
    BOOST_TEST(with(1, kNow) == (V{"acknowledge"}));
    BOOST_TEST(with(2, kNow) == (V{"prepared", "finalized", "cancel"}));
    BOOST_TEST(with(3, kNow) == (V{"finalized", "cancel"}));
    BOOST_TEST(with(4, kNow - hours{1}) == (V{"prepared", "cancel", "storno"}));
    BOOST_TEST(with(4, kNow - hours{49}) == (V{"storno"}));
    BOOST_TEST(with(0, kNow - hours{1}) == (V{"prepared", "finalized"}));
    BOOST_TEST(with(0, kNow - hours{49}).empty());
    BOOST_TEST(with(5, kNow).empty());
    o.type = 2; // FBE: eMAG's to change
    BOOST_TEST(with(2, kNow).empty());
    o.type.reset();
    BOOST_TEST(with(2, kNow).empty());
}

BOOST_AUTO_TEST_CASE(summary_and_error_mapping) {
    OrderRow o;
    o.account = "ro1";
    o.emag_id = 77;
    o.type = 2;
    o.status = 0;
    o.payment_mode_id = 3;
    o.shipping_tax_x4 = 199900;
    o.lines_total_x4 = -5;
    o.reason_cancellation = 2;
    o.is_storno = 0;
    const json s = order_summary(o);
    BOOST_TEST(s["id"] == 77);
    BOOST_TEST(s["type"] == "FBE");
    BOOST_TEST(s["status_name"] == "canceled");
    BOOST_TEST(s["payment_mode"] == "online card");
    BOOST_TEST(s["shipping_tax"] == "19.9900");
    BOOST_TEST(s["lines_total"] == "-0.0005");
    BOOST_TEST(s["cashed_co"].is_null());
    BOOST_TEST(s["is_storno"] == false);
    BOOST_TEST(s["cancellation"]["code"] == 2);
    BOOST_TEST(s["cancellation"]["en"] == "Cancelled by the customer");
    BOOST_TEST(!s["cancellation"]["ro"].get<std::string>().empty());
    o.status = 4;
    BOOST_TEST(order_summary(o)["cancellation"].is_null());
    o.status = 0;
    o.reason_cancellation = 9;
    BOOST_TEST(order_summary(o)["cancellation"]["en"] == "unknown (9)");

    ErrorInfo e;
    e.route = "order/save";
    e.kind = ErrorKind::validation;
    e.messages = {"Order 1: nope"};
    ActionOutcome out = outcome_from_api_error(e);
    BOOST_TEST(out.http_status == 422);
    BOOST_TEST(out.body["error"]["kind"] == "validation");
    BOOST_TEST(out.body["error"]["messages"] == json::array({"Order 1: nope"}));
    e.kind = ErrorKind::auth;
    out = outcome_from_api_error(e);
    BOOST_TEST(out.http_status == 502);
    BOOST_TEST(out.body["error"]["message"] == "eMAG refused the credentials or this IP is not whitelisted");
    e.kind = ErrorKind::rate_limited;
    e.retry_after = std::chrono::milliseconds(2500);
    out = outcome_from_api_error(e);
    BOOST_TEST(out.http_status == 503);
    BOOST_TEST(out.retry_after_s.value() == 3);
    BOOST_TEST(out.body["error"]["retry_after_s"] == 3);
    e.retry_after.reset();
    BOOST_TEST(outcome_from_api_error(e).retry_after_s.value() == 60);
    e.kind = ErrorKind::transient;
    out = outcome_from_api_error(e);
    BOOST_TEST(out.http_status == 503);
    BOOST_TEST(!out.retry_after_s.has_value());
    e.kind = ErrorKind::protocol;
    BOOST_TEST(outcome_from_api_error(e).http_status == 502);
}

BOOST_AUTO_TEST_CASE(query_strings) {
    const auto q = parse_query("account=ro%201&q=Ana+Pop&&flag&status=2&status=3");
    BOOST_TEST_REQUIRE(q.has_value());
    BOOST_TEST_REQUIRE(q->size() == 5u);
    BOOST_TEST((*q)[0].second == "ro 1");
    BOOST_TEST((*q)[1].second == "Ana Pop");
    BOOST_TEST((*q)[2].first == "flag");
    BOOST_TEST((*q)[2].second == "");
    BOOST_TEST(parse_query("")->empty());
    BOOST_TEST(!parse_query("a=%4").has_value());
    BOOST_TEST(!parse_query("a=%zz").has_value());
    BOOST_TEST(!parse_query("a=%00").has_value());
}

// ---------------------------------------------------------------------------
// Against the sandbox
// ---------------------------------------------------------------------------
namespace {

std::string now_iso() {
    return iso8601_utc(std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now()));
}

sys_seconds now_s() {
    return std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now());
}

sb::SandboxOptions sandbox_options() {
    sb::SandboxOptions o;
    o.port = 0;
    o.orders = 400;
    o.offers = 20;
    o.invalid_fraction = 0.02;
    return o;
}

// A sandbox, a migrated SQLite database holding every valid sandbox order,
// and a client.
struct Env {
    sb::SandboxServer sandbox{sandbox_options()};
    erp::test::TempDir dir;
    std::string url;
    std::unique_ptr<OrderStore> store;
    ClientOptions options;
    std::unique_ptr<EmagClient> client;
    const TimeZone zone = *TimeZone::find("Europe/Bucharest");

    Env() {
        sandbox.start();
        url = "sqlite3://db=" + (dir / "erp.db").string();
        erp::test::migrate_emag_tables(url);
        store = std::make_unique<OrderStore>(url);
        client = make_client("sandbox-password");
        for (int type : {2, 3}) {
            read_all(*client, "order", json{{"type", type}}, PageReadOptions{}, [&](std::uint64_t, const json& page) {
                const SortedOrders s = sort_orders("sandbox", page, zone);
                store->store_batch("sandbox", s.valid, s.invalid, now_iso());
            });
        }
    }

    std::unique_ptr<EmagClient> make_client(const std::string& password) {
        return std::make_unique<EmagClient>(AccountEndpoint{"sandbox", sandbox.base_url(), "sandbox", Secret(password)},
                                            make_cpprest_transport(options.transport), options, nullptr);
    }

    OrderActions actions() { return OrderActions(*client, *store, "sandbox", zone, now_iso, now_s); }

    // The sandbox's truth.
    json all_orders() { return json::parse(sandbox.state().markets.at("sandbox")->orders_json()); }
    json sandbox_order(std::int64_t id) {
        for (auto& o : all_orders()) {
            if (o["id"] == id) {
                return o;
            }
        }
        BOOST_FAIL("the sandbox has no order " << id);
        return nullptr;
    }

    std::uint64_t log_mark() { return sandbox.state().log->since(0)["next"].get<std::uint64_t>(); }
    // Routes of the requests the sandbox saw after `mark`.
    std::vector<std::string> routes_since(std::uint64_t mark) {
        std::vector<std::string> out;
        const json log = sandbox.state().log->since(mark);
        for (const auto& e : log["entries"]) {
            out.push_back(e["route"].get<std::string>());
        }
        return out;
    }
    std::size_t saves_since(std::uint64_t mark) {
        std::size_t n = 0;
        for (const auto& r : routes_since(mark)) {
            n += r == "order/save" ? 1 : 0;
        }
        return n;
    }

    // Ids of stored (valid) sandbox orders matching `pred`.
    template <class Pred>
    std::vector<std::int64_t> pick(Pred pred) {
        std::vector<std::int64_t> out;
        for (const auto& o : all_orders()) {
            const std::int64_t id = o["id"].get<std::int64_t>();
            if (pred(o) && store->find_order("sandbox", id)) {
                out.push_back(id);
            }
        }
        return out;
    }
    std::vector<std::int64_t> pick(int type, int status) {
        return pick([&](const json& o) { return o["type"] == type && o["status"] == status; });
    }
};

int stored_status(Env& env, std::int64_t id) {
    return env.store->find_order("sandbox", id).value().status.value();
}

} // namespace

BOOST_AUTO_TEST_CASE(acknowledge_then_prepare_then_finalize) {
    Env env;
    const auto fresh = env.pick(3, 1);
    BOOST_TEST_REQUIRE(fresh.size() >= 1u);
    const std::int64_t id = fresh[0];
    BOOST_TEST(!env.store->acknowledged_at("sandbox", id).has_value());

    const auto mark = env.log_mark();
    ActionOutcome out = env.actions().acknowledge(id);
    BOOST_TEST_REQUIRE(out.http_status == 200, out.body.dump());
    BOOST_TEST(env.routes_since(mark).at(0) == "order/acknowledge");
    BOOST_TEST(env.sandbox_order(id)["status"] == 2);
    BOOST_TEST(stored_status(env, id) == 2);
    BOOST_TEST(out.body["order"]["status"] == 2);
    BOOST_TEST(out.body["order"]["status_name"] == "in progress");
    BOOST_TEST(out.body["result"]["already_acknowledged"] == false);
    const auto acked_at = env.store->acknowledged_at("sandbox", id);
    BOOST_TEST_REQUIRE(acked_at.has_value());
    BOOST_TEST(acked_at->size() == 20u); // "YYYY-MM-DDTHH:MM:SSZ"

    // Again: eMAG accepts it without change; it counts as success and the
    // first acknowledgement time is kept.
    out = env.actions().acknowledge(id);
    BOOST_TEST(out.http_status == 200);
    BOOST_TEST(out.body["result"]["already_acknowledged"] == true);
    BOOST_TEST(env.store->acknowledged_at("sandbox", id).value_or("") == *acked_at);

    auto before = env.log_mark();
    out = env.actions().set_status(id, 3);
    BOOST_TEST_REQUIRE(out.http_status == 200, out.body.dump());
    BOOST_TEST(env.saves_since(before) == 1u);
    BOOST_TEST(env.sandbox_order(id)["status"] == 3);
    BOOST_TEST(stored_status(env, id) == 3);
    BOOST_TEST(out.body["order"]["status_name"] == "prepared");

    out = env.actions().set_status(id, 4);
    BOOST_TEST_REQUIRE(out.http_status == 200, out.body.dump());
    BOOST_TEST(env.sandbox_order(id)["status"] == 4);
    BOOST_TEST(stored_status(env, id) == 4);

    // 4 → 3 is allowed within 48 h of finalization (it just happened).
    out = env.actions().set_status(id, 3);
    BOOST_TEST(out.http_status == 200, out.body.dump());
    BOOST_TEST(env.sandbox_order(id)["status"] == 3);

    // Only 3 and 4 through set_status.
    before = env.log_mark();
    BOOST_TEST(env.actions().set_status(id, 2).http_status == 400);
    BOOST_TEST(env.actions().set_status(id, 5).http_status == 400);
    BOOST_TEST(env.routes_since(before).empty());
}

BOOST_AUTO_TEST_CASE(illegal_moves_are_refused_without_a_request) {
    Env env;
    const auto fresh = env.pick(3, 1);
    const auto prepared = env.pick(3, 3);
    const auto in_progress = env.pick(3, 2);
    const auto fbe = env.pick([](const json& o) { return o["type"] == 2 && o["status"] != 0; });
    BOOST_TEST_REQUIRE(!fresh.empty());
    BOOST_TEST_REQUIRE(!prepared.empty());
    BOOST_TEST_REQUIRE(!in_progress.empty());
    BOOST_TEST_REQUIRE(!fbe.empty());

    const auto mark = env.log_mark();
    ActionOutcome out = env.actions().set_status(fresh[0], 4); // 1 → 4
    BOOST_TEST(out.http_status == 409);
    BOOST_TEST(out.body["error"]["kind"] == "not_allowed");
    BOOST_TEST(out.body["error"]["message"] ==
               "eMAG does not allow 1 (new) → 4 (finalized): acknowledge the order first");
    BOOST_TEST(env.actions().cancel(fresh[0], 2).http_status == 409); // 1 → 0
    BOOST_TEST(env.actions().storno(in_progress[0], {{1, 0}}).http_status == 409);
    const ActionOutcome not_finalized = env.actions().storno(prepared[0], {{1, 0}});
    BOOST_TEST(not_finalized.http_status == 409);
    BOOST_TEST(not_finalized.body["error"]["message"].get<std::string>().find("status 4") != std::string::npos);

    // FBE orders: nothing at all.
    out = env.actions().set_status(fbe[0], 4);
    BOOST_TEST(out.http_status == 409);
    BOOST_TEST(out.body["error"]["message"].get<std::string>().find("FBE") != std::string::npos);
    BOOST_TEST(env.actions().cancel(fbe[0], 2).http_status == 409);
    BOOST_TEST(env.actions().acknowledge(fbe[0]).http_status == 409);
    BOOST_TEST(env.actions().storno(fbe[0], {{1, 0}}).http_status == 409);

    // Not stored: 404; an unknown reason: 400.
    BOOST_TEST(env.actions().set_status(4000000000LL, 3).http_status == 404);
    BOOST_TEST(env.actions().acknowledge(4000000000LL).http_status == 404);
    const ActionOutcome unknown_reason = env.actions().cancel(in_progress[0], 7);
    BOOST_TEST(unknown_reason.http_status == 400);
    BOOST_TEST(unknown_reason.body["error"]["message"].get<std::string>().find("7") != std::string::npos);

    BOOST_TEST(env.routes_since(mark).empty()); // not one request reached eMAG
    BOOST_TEST(env.sandbox_order(fresh[0])["status"] == 1);
    BOOST_TEST(env.sandbox_order(prepared[0])["status"] == 3);
    BOOST_TEST(env.sandbox_order(in_progress[0])["status"] == 2);

    // 3 → 2 (a route would need a set_status target 2, which is refused as a
    // bad request; the pure check says why): and 3 → 4 then works, so the
    // refusals above were not a broken client.
    BOOST_TEST(transition_refusal(3, 2, now_s(), now_s()).has_value());
    out = env.actions().set_status(prepared[0], 4);
    BOOST_TEST(out.http_status == 200, out.body.dump());
    BOOST_TEST(env.saves_since(mark) == 1u);
}

BOOST_AUTO_TEST_CASE(cancel_with_a_reason) {
    Env env;
    const auto in_progress = env.pick(3, 2);
    BOOST_TEST_REQUIRE(!in_progress.empty());
    const std::int64_t id = in_progress[0];
    const ActionOutcome out = env.actions().cancel(id, 2);
    BOOST_TEST_REQUIRE(out.http_status == 200, out.body.dump());
    const json truth = env.sandbox_order(id);
    BOOST_TEST(truth["status"] == 0);
    BOOST_TEST(truth["reason_cancellation"] == 2);
    const OrderRow row = env.store->find_order("sandbox", id).value();
    BOOST_TEST(row.status.value() == 0);
    BOOST_TEST(row.reason_cancellation.value() == 2);
    BOOST_TEST(out.body["order"]["cancellation"]["code"] == 2);
    BOOST_TEST(out.body["order"]["cancellation"]["en"] == "Cancelled by the customer");
    BOOST_TEST(out.body["result"]["action"] == "cancel");
}

BOOST_AUTO_TEST_CASE(partial_storno_of_a_finalized_order) {
    Env env;
    // A finalized FBS order with an active line of quantity >= 2.
    const auto candidates = env.pick([](const json& o) {
        if (o["type"] != 3 || o["status"] != 4) {
            return false;
        }
        for (const auto& l : o["products"]) {
            if (l["status"] == 1 && l["quantity"].is_number() && l["quantity"].get<int>() >= 2) {
                return true;
            }
        }
        return false;
    });
    BOOST_TEST_REQUIRE(!candidates.empty());
    const std::int64_t id = candidates[0];
    const json before = env.sandbox_order(id);
    std::int64_t line_id = 0, qty = 0;
    for (const auto& l : before["products"]) {
        if (l["status"] == 1 && l["quantity"].get<int>() >= 2) {
            line_id = l["id"].get<std::int64_t>();
            qty = l["quantity"].get<std::int64_t>();
            break;
        }
    }

    // Refused locally: not lower, negative, not on the order, twice.
    auto mark = env.log_mark();
    BOOST_TEST(env.actions().storno(id, {{line_id, qty}}).http_status == 400);
    BOOST_TEST(env.actions().storno(id, {{line_id, -1}}).http_status == 400);
    BOOST_TEST(env.actions().storno(id, {{line_id + 999999999, 0}}).http_status == 400);
    BOOST_TEST(env.actions().storno(id, {{line_id, 1}, {line_id, 0}}).http_status == 400);
    BOOST_TEST(env.actions().storno(id, {}).http_status == 400);
    BOOST_TEST(env.routes_since(mark).empty());

    mark = env.log_mark();
    const ActionOutcome out = env.actions().storno(id, {{line_id, qty - 1}});
    BOOST_TEST_REQUIRE(out.http_status == 200, out.body.dump());
    BOOST_TEST(env.saves_since(mark) == 1u);
    const json after = env.sandbox_order(id);
    BOOST_TEST(after["status"] == 4);
    BOOST_TEST(after["is_storno"] == true);
    for (const auto& l : after["products"]) {
        if (l["id"] == line_id) {
            BOOST_TEST(l["quantity"] == qty - 1);
            BOOST_TEST(l["status"] == 1);
        }
    }
    bool seen = false;
    for (const auto& l : env.store->lines("sandbox", id)) {
        if (l.line_id == line_id) {
            seen = true;
            BOOST_TEST(l.quantity.value() == qty - 1);
        }
    }
    BOOST_TEST(seen);
    BOOST_TEST(out.body["order"]["is_storno"] == true);

    // Quantity 0 cancels the line.
    const ActionOutcome zero = env.actions().storno(id, {{line_id, 0}});
    BOOST_TEST_REQUIRE(zero.http_status == 200, zero.body.dump());
    const json zeroed = env.sandbox_order(id);
    for (const auto& l : zeroed["products"]) {
        if (l["id"] == line_id) {
            BOOST_TEST(l["status"] == 0);
        }
    }
    for (const auto& l : env.store->lines("sandbox", id)) {
        if (l.line_id == line_id) {
            BOOST_TEST(l.status.value() == 0);
        }
    }
    // And a canceled line has nothing left to reverse.
    BOOST_TEST(env.actions().storno(id, {{line_id, 0}}).http_status == 400);
}

BOOST_AUTO_TEST_CASE(emag_refusals_and_credentials) {
    Env env;
    // A stale stored copy: we believe the order is finalized, eMAG knows it is
    // in progress. Our checks pass, eMAG refuses the storno: 422 with its words.
    const auto in_progress = env.pick([](const json& o) {
        return o["type"] == 3 && o["status"] == 2 && !o["products"].empty() && o["products"][0]["status"] == 1 &&
               o["products"][0]["quantity"].get<int>() >= 1;
    });
    BOOST_TEST_REQUIRE(!in_progress.empty());
    const std::int64_t id = in_progress[0];
    json stale = env.sandbox_order(id);
    stale["status"] = 4;
    const SortedOrders s = sort_orders("sandbox", json::array({stale}), env.zone);
    BOOST_TEST_REQUIRE(s.valid.size() == 1u);
    env.store->store_batch("sandbox", s.valid, s.invalid, now_iso());
    BOOST_TEST_REQUIRE(stored_status(env, id) == 4);

    const std::int64_t line_id = stale["products"][0]["id"].get<std::int64_t>();
    const std::int64_t qty = stale["products"][0]["quantity"].get<std::int64_t>();
    const ActionOutcome out = env.actions().storno(id, {{line_id, qty - 1}});
    BOOST_TEST(out.http_status == 422, out.body.dump());
    BOOST_TEST(out.body["error"]["kind"] == "validation");
    BOOST_TEST_REQUIRE(!out.body["error"]["messages"].empty());
    BOOST_TEST(out.body["error"]["messages"][0].get<std::string>().find("finalized") != std::string::npos);
    BOOST_TEST(env.sandbox_order(id)["status"] == 2);

    // Wrong credentials: 502 and the fixed explanation.
    const auto fresh = env.pick(3, 1);
    BOOST_TEST_REQUIRE(!fresh.empty());
    auto bad = env.make_client("wrong-password");
    OrderActions actions(*bad, *env.store, "sandbox", env.zone, now_iso, now_s);
    const ActionOutcome denied = actions.acknowledge(fresh[0]);
    BOOST_TEST(denied.http_status == 502);
    BOOST_TEST(denied.body["error"]["kind"] == "auth");
    BOOST_TEST(denied.body["error"]["message"] == "eMAG refused the credentials or this IP is not whitelisted");
    BOOST_TEST(env.sandbox_order(fresh[0])["status"] == 1);
    BOOST_TEST(!env.store->acknowledged_at("sandbox", fresh[0]).has_value());
}

// ---------------------------------------------------------------------------
// The routes, through a registrar double that calls the handlers directly.
// ---------------------------------------------------------------------------
namespace {

using erp::test::call;
using erp::test::Reply;
using erp::test::RouteHost;

// By value: a range-for over it keeps it alive.
json orders_of(const Reply& r) {
    return r.j().at("orders");
}

} // namespace

BOOST_AUTO_TEST_CASE(routes_list_detail_and_act) {
    Env env;
    std::shared_ptr<OrderStore> store(env.store.get(), [](OrderStore*) {});
    bool store_open = true;
    RouteHost host;
    erp::plugin::Registrations reg(&host.registrar);
    OrderRoutesDeps deps;
    deps.find_account = [&](const std::string& name) -> std::optional<OrderAccount> {
        if (name != "sandbox") {
            return std::nullopt;
        }
        return OrderAccount{env.client.get(), env.zone, nullptr};
    };
    deps.store = [&] { return store_open ? store : nullptr; };
    deps.now_iso = now_iso;
    deps.now = now_s;
    register_order_routes(reg, deps);
    BOOST_TEST(host.routes.size() == 8u);

    // The cancel picker's list: every documented reason, both labels.
    {
        const Reply reasons = call(host, "GET", "/api/cancellation-reasons", json::object());
        BOOST_TEST_REQUIRE(reasons.status == 200, reasons.body);
        const json list = reasons.j()["reasons"];
        BOOST_TEST(list.size() == cancellation_reasons().size());
        BOOST_TEST(list[0]["code"] == 1);
        BOOST_TEST(list[0]["en"] == "Out of stock");
        BOOST_TEST(list[0]["ro"] == "Stoc epuizat");
    }

    // The list: every stored order, then filters, then pages.
    const std::int64_t total = env.store->count_orders("sandbox");
    Reply r = call(host, "GET", "/api/orders", json::object(), "account=sandbox&per_page=200");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(r.j()["total"] == total);
    BOOST_TEST(r.j()["orders"].size() == static_cast<std::size_t>(std::min<std::int64_t>(total, 200)));
    const json first = r.j()["orders"][0];
    for (std::size_t i = 1; i < r.j()["orders"].size(); ++i) { // newest first
        BOOST_TEST(r.j()["orders"][i - 1]["date_utc"].get<std::string>() >=
                   r.j()["orders"][i]["date_utc"].get<std::string>());
    }

    const auto fbs_new = env.pick(3, 1);
    r = call(host, "GET", "/api/orders", json::object(), "account=sandbox&status=1&type=FBS&per_page=200");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(r.j()["total"] == fbs_new.size());
    for (const auto& o : orders_of(r)) {
        BOOST_TEST(o["status"] == 1);
        BOOST_TEST(o["type"] == "FBS");
    }

    r = call(host, "GET", "/api/orders", json::object(), "account=sandbox&per_page=7&page=2");
    BOOST_TEST(r.j()["orders"].size() == 7u);
    BOOST_TEST(r.j()["page"] == 2);
    const json page2_first = r.j()["orders"][0];
    r = call(host, "GET", "/api/orders", json::object(), "account=sandbox&per_page=14");
    BOOST_TEST(r.j()["orders"][7] == page2_first);

    // q: the id, part of the customer's name (any case), part of a part_number.
    const OrderRow row = env.store->find_order("sandbox", first["id"].get<std::int64_t>()).value();
    r = call(host, "GET", "/api/orders", json::object(), "account=sandbox&q=" + std::to_string(row.emag_id));
    BOOST_TEST(r.j()["total"] >= 1);
    BOOST_TEST(r.j()["orders"][0]["id"] == row.emag_id);
    std::string name_part = row.customer_name.substr(0, 4);
    for (char& c : name_part) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    r = call(host, "GET", "/api/orders", json::object(), "account=sandbox&per_page=200&q=" + name_part);
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    bool found = false;
    for (const auto& o : orders_of(r)) {
        found = found || o["id"] == row.emag_id;
    }
    BOOST_TEST(found, "name part " << name_part);
    const auto lines = env.store->lines("sandbox", row.emag_id);
    BOOST_TEST_REQUIRE(!lines.empty());
    r = call(host, "GET", "/api/orders", json::object(), "account=sandbox&per_page=200&q=" + lines[0].part_number);
    found = false;
    for (const auto& o : orders_of(r)) {
        found = found || o["id"] == row.emag_id;
    }
    BOOST_TEST(found);
    r = call(host, "GET", "/api/orders", json::object(), "account=sandbox&q=%25%25no-such-thing");
    BOOST_TEST(r.j()["total"] == 0);

    // Dates: from/to on date_utc, whole days.
    const std::string day = row.date_utc.substr(0, 10);
    r = call(host, "GET", "/api/orders", json::object(), "account=sandbox&per_page=200&from=" + day + "&to=" + day);
    BOOST_TEST(r.j()["total"] >= 1);
    for (const auto& o : orders_of(r)) {
        BOOST_TEST(o["date_utc"].get<std::string>().substr(0, 10) == day);
    }

    // Malformed queries.
    BOOST_TEST(call(host, "GET", "/api/orders", json::object(), "").status == 400);
    BOOST_TEST(call(host, "GET", "/api/orders", json::object(), "account=sandbox&status=9").status == 400);
    BOOST_TEST(call(host, "GET", "/api/orders", json::object(), "account=sandbox&per_page=201").status == 400);
    BOOST_TEST(call(host, "GET", "/api/orders", json::object(), "account=sandbox&page=0").status == 400);
    BOOST_TEST(call(host, "GET", "/api/orders", json::object(), "account=sandbox&from=2026-13-01").status == 400);
    BOOST_TEST(call(host, "GET", "/api/orders", json::object(), "account=nobody").status == 404);

    // Detail.
    const std::int64_t id = fbs_new.at(0);
    const json path = {{"account", "sandbox"}, {"id", std::to_string(id)}};
    r = call(host, "GET", "/api/orders/{account}/{id}", path);
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(r.j()["id"] == id);
    BOOST_TEST(r.j()["allowed_actions"] == json::array({"acknowledge"}));
    BOOST_TEST(r.j()["acknowledged_at"].is_null());
    BOOST_TEST(r.j()["payload"]["id"] == id);
    BOOST_TEST(r.j()["lines"].size() == env.store->lines("sandbox", id).size());
    BOOST_TEST(call(host, "GET", "/api/orders/{account}/{id}", {{"account", "sandbox"}, {"id", "12x"}}).status == 400);
    BOOST_TEST(call(host, "GET", "/api/orders/{account}/{id}", {{"account", "sandbox"}, {"id", "4000000000"}}).status ==
               404);

    // Quarantine: the sandbox's broken orders, with their errors.
    r = call(host, "GET", "/api/quarantine", json::object(), "account=sandbox");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(r.j()["orders"].size() == env.store->quarantine("sandbox").size());
    BOOST_TEST_REQUIRE(!r.j()["orders"].empty());
    BOOST_TEST(r.j()["orders"][0]["errors"].is_array());
    BOOST_TEST(r.j()["orders"][0]["payload"].is_object());

    // Actions: malformed bodies are 400 before anything is sent.
    const auto mark = env.log_mark();
    const std::string act = "/api/orders/{account}/{id}/";
    BOOST_TEST(call(host, "POST", act + "status", path, "", "not json").status == 400);
    BOOST_TEST(call(host, "POST", act + "status", path, "", R"({"status":"prepared"})").status == 400);
    BOOST_TEST(call(host, "POST", act + "cancel", path, "", R"({})").status == 400);
    BOOST_TEST(call(host, "POST", act + "storno", path, "", R"({"lines":[]})").status == 400);
    BOOST_TEST(call(host, "POST", act + "storno", path, "", R"({"lines":[{"id":1}]})").status == 400);
    r = call(host, "POST", act + "status", path, "", R"({"status":3})"); // 1 → 3
    BOOST_TEST(r.status == 409);
    BOOST_TEST(r.j()["error"]["kind"] == "not_allowed");
    BOOST_TEST(env.routes_since(mark).empty());

    r = call(host, "POST", act + "acknowledge", path);
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    r = call(host, "POST", act + "status", path, "", R"({"status":3})");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(env.sandbox_order(id)["status"] == 3);
    r = call(host, "GET", "/api/orders/{account}/{id}", path);
    BOOST_TEST(r.j()["status"] == 3);
    BOOST_TEST(!r.j()["acknowledged_at"].is_null());
    BOOST_TEST(r.j()["allowed_actions"] == json::array({"finalized", "cancel"}));
    r = call(host, "POST", act + "cancel", path, "", R"({"reason":24})");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(r.j()["order"]["cancellation"]["code"] == 24);

    // Before start: no store, no client.
    store_open = false;
    BOOST_TEST(call(host, "GET", "/api/orders", json::object(), "account=sandbox").status == 503);
    BOOST_TEST(call(host, "POST", act + "acknowledge", path).status == 503);
    store_open = true;
    deps.find_account = [&](const std::string&) -> std::optional<OrderAccount> {
        return OrderAccount{nullptr, env.zone, nullptr};
    };
    RouteHost host2;
    erp::plugin::Registrations reg2(&host2.registrar);
    register_order_routes(reg2, deps);
    BOOST_TEST(call(host2, "POST", act + "acknowledge", path).status == 503);
    BOOST_TEST(call(host2, "GET", "/api/orders", json::object(), "account=sandbox").status == 200);
}
