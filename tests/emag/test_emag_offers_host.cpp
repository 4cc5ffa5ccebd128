// Offer changes as an admin runs them: the real erp-host binary with the
// real eMAG plugin, pushing queued stock changes to the local eMAG sandbox.
// SIGKILL while it is sending, changes made meanwhile, then a restart:
// every offer ends at its latest value, nothing is lost, and no offer is
// ever set to an older value after a newer one (the sandbox records every
// update it applies).
#define BOOST_TEST_MODULE emag_offers_host
#include <boost/test/unit_test.hpp>

#include "host_fixture.hpp"
#include "http_client.hpp"
#include "process.hpp"
#include "server/sandbox_server.hpp"
#include "store/offer_store.hpp"
#include "store/outbound_store.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <map>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
namespace sb = emag::sandbox;
using erp::test::HostFixture;

namespace {

std::string db_url(const HostFixture& f) {
    return "sqlite3://db=" + (f.dir() / "data" / "erp.db").string();
}

erp::test::RunResult run_host(const HostFixture& f, std::vector<std::string> args) {
    return erp::test::run_process(ERP_HOST_BIN, f.dir(), std::move(args));
}

std::int64_t count_in(erp::emag::OutboundStore& store, const char* state) {
    const auto counts = store.count_by_state("sandbox");
    const auto it = counts.find(state);
    return it == counts.end() ? 0 : it->second;
}

} // namespace

BOOST_AUTO_TEST_CASE(sigkill_while_sending_loses_nothing_and_never_sets_an_older_value) {
    sb::SandboxOptions o;
    o.port = 0;
    o.offers = 300;
    o.orders = 10;
    o.latency = 60ms;
    o.request_log_keep = 200000;
    sb::SandboxServer s(o);
    s.start();

    HostFixture f;
    ::setenv("ERP_TEST_SANDBOX_PASSWORD", "sandbox-password", 1);
    // Small calls, one at a time: the push takes long enough to be cut.
    f.extra_config("[plugins.emag]\n"
                   "[plugins.emag.orders]\nsync_interval_s = 0\n"
                   "[plugins.emag.offers]\nsync_interval_s = 0\nbatch_size = 3\npush_in_flight = 1\n"
                   "push_interval_s = 1\nretry_delays_s = [1]\n"
                   "[[plugins.emag.accounts]]\nname = \"sandbox\"\nplatform = \"ro\"\nusername = \"sandbox\"\n"
                   "password_env = \"ERP_TEST_SANDBOX_PASSWORD\"\nbase_url = \"" +
                   s.base_url() + "\"\n");
    f.add_staged("emag");
    const uint16_t port = erp::test::free_port();
    f.set_port(port);
    const auto cfg = f.write_config({"emag"}).string();

    // The offers first: changes are checked against them.
    const auto sync = run_host(f, {"--config", cfg, "run-job", "emag.offers.sync"});
    BOOST_TEST_INFO("erp-host said: " << sync.out << sync.err);
    BOOST_TEST_REQUIRE(sync.code == 0);
    erp::emag::OfferStore offers(db_url(f));
    BOOST_TEST_REQUIRE(offers.count("sandbox") == 300);

    // 600 changes: 200 offers, three rising stock values each.
    std::vector<long long> ids;
    for (const auto& row : offers.list("sandbox", 200, 0)) {
        ids.push_back(row.offer_id);
    }
    std::map<long long, long long> latest;
    json changes = json::array();
    for (int round = 0; round < 3; ++round) {
        for (long long id : ids) {
            const long long value = 10 * round + 1;
            changes.push_back({{"offer_id", id}, {"kind", "stock"}, {"stock", value}});
            latest[id] = value;
        }
    }

    const erp::test::Process p = erp::test::spawn_process(ERP_HOST_BIN, f.dir(), {"--config", cfg, "serve"});
    BOOST_TEST_REQUIRE(erp::test::wait_http_ready(port, 60s));
    const auto run =
        erp::test::http_request(port, "POST", "/api/jobs/emag.offers.enqueue/run", json{{"changes", changes}}.dump(),
                                {{"Authorization", std::string("Bearer ") + erp::test::kAdminToken}});
    BOOST_TEST_REQUIRE(run.status == 202u, run.body);

    // Kill it once some changes are confirmed but not all (a deadline, no
    // fixed sleep).
    erp::emag::OutboundStore outbound(db_url(f));
    std::int64_t confirmed = 0;
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
        confirmed = count_in(outbound, "confirmed");
        if (confirmed >= 30) {
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    BOOST_TEST_REQUIRE(confirmed >= 30);
    BOOST_TEST_REQUIRE(::kill(p.pid, SIGKILL) == 0);
    BOOST_TEST(erp::test::wait_exit(p, 30s) == 128 + SIGKILL);
    const std::int64_t sending = count_in(outbound, "sending");
    BOOST_TEST_MESSAGE("killed with " << count_in(outbound, "confirmed") << " confirmed, " << sending << " sending, "
                                      << count_in(outbound, "queued") << " queued");
    BOOST_TEST(count_in(outbound, "confirmed") < 200); // it really was cut short

    // While the host was down the ERP changed some offers again, among them
    // the ones caught in flight: those must never get their older value.
    erp::emag::OutboundFilter caught;
    caught.account = "sandbox";
    caught.state = "sending";
    caught.limit = 1000;
    std::vector<long long> changed_again;
    for (const auto& r : outbound.list(caught)) {
        changed_again.push_back(r.offer_id);
    }
    for (std::size_t i = 0; i < ids.size(); i += 7) {
        changed_again.push_back(ids[i]);
    }
    for (long long id : changed_again) {
        latest[id] = 1000;
        outbound.enqueue("sandbox", id, "stock", R"({"stock":[{"warehouse_id":1,"value":1000}]})", "test",
                         "2026-01-01T00:00:00Z");
    }

    // Restarted: the push job sends the rest (a retry comes due after 1 s).
    for (int i = 0; i < 10 && (count_in(outbound, "queued") > 0 || count_in(outbound, "sending") > 0); ++i) {
        const auto r = run_host(f, {"--config", cfg, "run-job", "emag.offers.push"});
        BOOST_TEST_INFO("erp-host said: " << r.out << r.err);
        BOOST_TEST_REQUIRE(r.code == 0);
    }
    BOOST_TEST(count_in(outbound, "queued") == 0);
    BOOST_TEST(count_in(outbound, "sending") == 0);
    BOOST_TEST(count_in(outbound, "failed") == 0);

    // The sandbox: every offer at its latest value, and per offer the values
    // it applied never go back down.
    std::map<long long, long long> now;
    for (const auto& t : json::parse(s.state().markets.at("sandbox")->offers_json())) {
        for (const auto& w : t["stock"]) {
            if (w["warehouse_id"] == 1) {
                now[t["id"].get<long long>()] = w["value"].get<long long>();
            }
        }
    }
    std::size_t wrong = 0;
    for (const auto& [id, value] : latest) {
        wrong += now[id] != value ? 1 : 0;
    }
    BOOST_TEST(wrong == 0u);
    std::map<long long, long long> last_applied;
    std::size_t went_back = 0, applied = 0;
    const json updates = json::parse(s.state().markets.at("sandbox")->offer_updates_json(0));
    for (const auto& u : updates["entries"]) {
        for (const auto& w : u["stock"]) {
            if (w["warehouse_id"] != 1) {
                continue;
            }
            const long long id = u["id"].get<long long>(), v = w["value"].get<long long>();
            went_back += last_applied.count(id) != 0 && v < last_applied[id] ? 1 : 0;
            last_applied[id] = v;
            ++applied;
        }
    }
    BOOST_TEST(went_back == 0u);
    BOOST_TEST_MESSAGE(applied << " stock updates applied for " << latest.size() << " offers");
    unsigned limited = 0;
    const json log = s.state().log->since(0);
    for (const auto& e : log["entries"]) {
        limited += e["rate_limited"] == true ? 1 : 0;
    }
    BOOST_TEST(limited == 0u);
}
