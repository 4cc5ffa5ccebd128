// The order sync as an admin runs it: the real erp-host binary with the
// real eMAG plugin, syncing from the local eMAG sandbox into SQLite.
//   - `erp-host run-job emag.orders.sync` stores every sandbox order (or
//     quarantines it) and acknowledges the new ones;
//   - SIGKILL in the middle of a sync, then another run: nothing lost,
//     nothing duplicated, the database equals the sandbox;
//   - `serve`: progress on /ws topic emag.sync while the job runs, and the
//     new-order callback fetching and acknowledging an order at once.
#define BOOST_TEST_MODULE emag_orders_host
#include <boost/test/unit_test.hpp>

#include "host_fixture.hpp"
#include "http_client.hpp"
#include "process.hpp"
#include "server/sandbox_server.hpp"
#include "store/order_store.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <map>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
namespace sb = emag::sandbox;
using erp::test::HostFixture;

namespace {

constexpr const char* kToken = "callback-token-0123456789";

std::unique_ptr<sb::SandboxServer> start_sandbox(std::size_t orders, std::chrono::milliseconds latency) {
    sb::SandboxOptions o;
    o.port = 0;
    o.orders = orders;
    o.offers = 50;
    o.invalid_fraction = 0.02;
    o.latency = latency;
    o.request_log_keep = 200000;
    auto s = std::make_unique<sb::SandboxServer>(o);
    s->start();
    return s;
}

// The eMAG plugin's section pointing at the sandbox (before add_staged).
void configure(HostFixture& f, const sb::SandboxServer& s) {
    ::setenv("ERP_TEST_SANDBOX_PASSWORD", "sandbox-password", 1);
    ::setenv("ERP_TEST_CALLBACK_TOKEN", kToken, 1);
    f.extra_config("[plugins.emag]\n"
                   "[plugins.emag.orders]\nfirst_run_days = 100\nsettle_s = 0\nsync_interval_s = 0\n"
                   "[[plugins.emag.accounts]]\nname = \"sandbox\"\nplatform = \"ro\"\nusername = \"sandbox\"\n"
                   "password_env = \"ERP_TEST_SANDBOX_PASSWORD\"\ncallback_token_env = \"ERP_TEST_CALLBACK_TOKEN\"\n"
                   "base_url = \"" +
                   s.base_url() + "\"\n");
    f.add_staged("emag");
}

std::string db_url(const HostFixture& f) {
    return "sqlite3://db=" + (f.dir() / "data" / "erp.db").string();
}

erp::test::RunResult run_host(const HostFixture& f, std::vector<std::string> args) {
    return erp::test::run_process(ERP_HOST_BIN, f.dir(), std::move(args));
}

// id -> (modified, status) in the sandbox, and in the database (stored or
// quarantined: both are "kept").
std::map<long long, std::pair<std::string, int>> truth(sb::SandboxServer& s) {
    std::map<long long, std::pair<std::string, int>> out;
    for (const auto& o : json::parse(s.state().markets.at("sandbox")->orders_json())) {
        out[o["id"].get<long long>()] = {o["modified"].get<std::string>(), o["status"].get<int>()};
    }
    return out;
}

std::map<long long, std::pair<std::string, int>> kept(erp::emag::OrderStore& store) {
    std::map<long long, std::pair<std::string, int>> out;
    for (const auto& [id, m] : store.order_versions("sandbox")) {
        (void)m;
        const auto row = store.find_order("sandbox", id);
        out[id] = {row->modified_local, row->status.value_or(-1)};
    }
    for (const auto& q : store.quarantine("sandbox")) {
        const json p = json::parse(q.payload);
        out[q.emag_id.value_or(-1)] = {p.value("modified", std::string()), p.value("status", -1)};
    }
    return out;
}

void expect_equal(const std::map<long long, std::pair<std::string, int>>& want,
                  const std::map<long long, std::pair<std::string, int>>& have) {
    std::size_t missing = 0, stale = 0;
    for (const auto& [id, v] : want) {
        const auto it = have.find(id);
        missing += it == have.end() ? 1 : 0;
        stale += it != have.end() && it->second != v ? 1 : 0;
    }
    BOOST_TEST(missing == 0u);
    BOOST_TEST(stale == 0u);
    BOOST_TEST(have.size() == want.size());
}

} // namespace

BOOST_AUTO_TEST_CASE(run_job_syncs_every_order_and_acknowledges_new_ones) {
    auto s = start_sandbox(1200, 0ms);
    HostFixture f;
    configure(f, *s);
    const auto cfg = f.write_config({"emag"}).string();
    const auto r = run_host(f, {"--config", cfg, "run-job", "emag.orders.sync"});
    BOOST_TEST_INFO("erp-host said: " << r.out << r.err);
    BOOST_TEST_REQUIRE(r.code == 0);
    erp::emag::OrderStore store(db_url(f));
    BOOST_TEST(store.count_orders("sandbox") > 1000);
    BOOST_TEST(!store.quarantine("sandbox").empty());
    // Acknowledged orders moved on at eMAG: a second run brings that in, and
    // the database then equals the sandbox.
    const auto r2 = run_host(f, {"--config", cfg, "run-job", "emag.orders.sync"});
    BOOST_TEST_INFO("erp-host said: " << r2.out << r2.err);
    BOOST_TEST_REQUIRE(r2.code == 0);
    expect_equal(truth(*s), kept(store));
    const auto state = store.sync_state("sandbox", 2, "incremental");
    BOOST_TEST_REQUIRE(state.has_value()); // FBE orders have their own stream
    BOOST_TEST(state->last_outcome == "ok");
}

BOOST_AUTO_TEST_CASE(sigkill_mid_sync_then_a_rerun_converges) {
    auto s = start_sandbox(6000, 40ms);
    HostFixture f;
    configure(f, *s);
    const auto cfg = f.write_config({"emag"}).string();
    const erp::test::Process p =
        erp::test::spawn_process(ERP_HOST_BIN, f.dir(), {"--config", cfg, "run-job", "emag.orders.sync"});
    // Kill it once some orders are stored but not all (deadline, no fixed sleep).
    std::int64_t seen = 0;
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            erp::emag::OrderStore probe(db_url(f));
            seen = probe.count_orders("sandbox");
        } catch (const std::exception&) {
            seen = 0; // the tables are not there yet
        }
        if (seen >= 400) {
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    BOOST_TEST_REQUIRE(seen >= 400);
    BOOST_TEST_REQUIRE(::kill(p.pid, SIGKILL) == 0);
    BOOST_TEST(erp::test::wait_exit(p, 30s) == 128 + SIGKILL);
    erp::emag::OrderStore store(db_url(f));
    BOOST_TEST(store.count_orders("sandbox") < 5500); // it really was cut short

    const auto r = run_host(f, {"--config", cfg, "run-job", "emag.orders.sync"});
    BOOST_TEST_INFO("erp-host said: " << r.out << r.err);
    BOOST_TEST_REQUIRE(r.code == 0);
    const auto r2 = run_host(f, {"--config", cfg, "run-job", "emag.orders.sync"}); // brings the ACKs in
    BOOST_TEST_INFO("erp-host said: " << r2.out << r2.err);
    BOOST_TEST_REQUIRE(r2.code == 0);
    expect_equal(truth(*s), kept(store));
}

BOOST_AUTO_TEST_CASE(progress_on_ws_and_the_new_order_callback) {
    auto s = start_sandbox(3000, 30ms);
    HostFixture f;
    configure(f, *s);
    const uint16_t port = erp::test::free_port();
    f.set_port(port);
    const auto cfg = f.write_config({"emag"}).string();
    const erp::test::Process p = erp::test::spawn_process(ERP_HOST_BIN, f.dir(), {"--config", cfg, "serve"});
    struct Stop {
        const erp::test::Process& p;
        ~Stop() {
            ::kill(p.pid, SIGTERM);
            erp::test::wait_exit(p, 30s);
        }
    } stop{p};
    BOOST_TEST_REQUIRE(erp::test::wait_http_ready(port, 60s));

    erp::test::WsClient ws(port, "/ws?topics=emag.sync");
    const auto run = erp::test::http_request(port, "POST", "/api/jobs/emag.orders.sync/run", "",
                                             {{"Authorization", std::string("Bearer ") + erp::test::kAdminToken}});
    BOOST_TEST_REQUIRE(run.status == 202u, run.body);
    std::vector<json> events;
    std::set<std::string> done_streams;
    const auto until = std::chrono::steady_clock::now() + 120s;
    while (done_streams.size() < 2 && std::chrono::steady_clock::now() < until) {
        const std::string msg = ws.receive(5s);
        if (msg.empty()) {
            continue;
        }
        const json e = json::parse(msg);
        if (e.value("topic", "") != "emag.sync") {
            continue;
        }
        events.push_back(e["event"]);
        if (e["event"]["done"] == true) {
            done_streams.insert(e["event"]["stream"].get<std::string>());
        }
    }
    BOOST_TEST(done_streams == (std::set<std::string>{"incremental/fbs", "incremental/fbe"}));
    std::size_t moving = 0;
    std::uint64_t last = 0;
    for (const auto& e : events) {
        if (e["stream"] == "incremental/fbs" && e["done"] == false) {
            BOOST_TEST(e["processed"].get<std::uint64_t>() >= last);
            moving += e["processed"].get<std::uint64_t>() > last ? 1 : 0;
            last = e["processed"].get<std::uint64_t>();
            BOOST_TEST(e.contains("rate"));
            BOOST_TEST(e.contains("eta_s"));
            BOOST_TEST(e["account"] == "sandbox");
        }
    }
    BOOST_TEST(moving >= 2u); // several updates while it ran, not one at the end

    // A new order at eMAG, announced by the callback: fetched and
    // acknowledged right away, without waiting for the next sync.
    const auto created = s->state().mutator->step("sandbox", 0, 1).created;
    BOOST_TEST_REQUIRE(created.size() == 1u);
    const std::string id = std::to_string(created[0]);
    const auto bad =
        erp::test::http_request(port, "GET", "/plugins/emag/callback/order?order_id=" + id + "&token=nope");
    BOOST_TEST(bad.status == 403u);
    const auto cb =
        erp::test::http_request(port, "GET", "/plugins/emag/callback/order?order_id=" + id + "&token=" + kToken);
    BOOST_TEST_REQUIRE(cb.status == 200u, cb.body);
    erp::emag::OrderStore store(db_url(f));
    bool acked = false;
    const auto wait = std::chrono::steady_clock::now() + 30s;
    while (!acked && std::chrono::steady_clock::now() < wait) {
        acked = store.acknowledged_at("sandbox", static_cast<std::int64_t>(created[0])).has_value();
        if (!acked) {
            std::this_thread::sleep_for(20ms);
        }
    }
    BOOST_TEST(acked);
    BOOST_TEST(truth(*s).at(static_cast<long long>(created[0])).second == 2); // eMAG: in progress

    // The order routes: list, one order, and an action (admin only) that
    // changes the order at eMAG.
    const auto list = erp::test::http_request(port, "GET", "/plugins/emag/api/orders?account=sandbox&status=2");
    BOOST_TEST_REQUIRE(list.status == 200u, list.body);
    const json page = json::parse(list.body);
    BOOST_TEST(page["total"].get<int>() > 0);
    const auto one = erp::test::http_request(port, "GET", "/plugins/emag/api/orders/sandbox/" + id);
    BOOST_TEST_REQUIRE(one.status == 200u, one.body);
    const auto no_token =
        erp::test::http_request(port, "POST", "/plugins/emag/api/orders/sandbox/" + id + "/status", R"({"status":3})");
    BOOST_TEST(no_token.status == 401u);
    const auto prepared = erp::test::http_request(
        port, "POST", "/plugins/emag/api/orders/sandbox/" + id + "/status", R"({"status":3})",
        {{"Authorization", std::string("Bearer ") + erp::test::kAdminToken}, {"Content-Type", "application/json"}});
    BOOST_TEST(prepared.status == 200u, prepared.body);
    BOOST_TEST(truth(*s).at(static_cast<long long>(created[0])).second == 3); // eMAG: prepared

    // A pass that fails still ends on the feed: done, with why, so a page
    // showing it does not wait for ever.
    s->state().faults->reconfigure({sb::parse_fault_rule("order/*:401:1")}, 0ms, 0ms);
    const auto again = erp::test::http_request(port, "POST", "/api/jobs/emag.orders.sync/run", "",
                                               {{"Authorization", std::string("Bearer ") + erp::test::kAdminToken}});
    BOOST_TEST_REQUIRE(again.status == 202u, again.body);
    json failed;
    const auto fail_until = std::chrono::steady_clock::now() + 60s;
    while (failed.is_null() && std::chrono::steady_clock::now() < fail_until) {
        const std::string msg = ws.receive(5s);
        const json e = msg.empty() ? json() : json::parse(msg);
        if (e.is_object() && e.value("topic", "") == "emag.sync" && e["event"].contains("error")) {
            failed = e["event"];
        }
    }
    BOOST_TEST_REQUIRE(failed.is_object());
    BOOST_TEST(failed["done"] == true);
    BOOST_TEST(failed["account"] == "sandbox");
    BOOST_TEST(failed["error"].get<std::string>().find("auth") != std::string::npos, failed.dump());
    s->state().faults->reconfigure({}, 0ms, 0ms);
}
