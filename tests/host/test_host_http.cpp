#define BOOST_TEST_MODULE host_http
#include <boost/test/unit_test.hpp>

#include "host_fixture.hpp"
#include "http_client.hpp"

#include <nlohmann/json.hpp>

using namespace erp::host;
using erp::test::http_request;
using erp::test::HttpResult;
using erp::test::WsClient;
using nlohmann::json;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

const std::map<std::string, std::string> kAdmin{{"Authorization", std::string("Bearer ") + erp::test::kAdminToken}};

// One host for the whole suite: emag, hello_c and a plugin that fails to
// load, serving on a free loopback port.
struct Served {
    erp::test::HostFixture f;
    uint16_t port = 0;
    Served() {
        f.add_staged("emag");
        f.add_staged("hello_c");
        f.add_test_plugin("bad_init_error", "libbad_init_error.so");
        f.extra_config("[plugins.hello_c]\ngreeting = \"salut\"\n");
        auto& app = f.make_app({"emag", "hello_c", "bad_init_error"});
        app.load_plugins();
        app.start_scheduler(false);
        port = app.start_http();
    }
    HttpResult get(const std::string& target) { return http_request(port, "GET", target); }
};

Served& host() {
    static Served s;
    return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(health_reports_plugins_and_keeps_serving_with_a_failed_one) {
    const auto r = host().get("/health");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.headers.at("content-type") == "application/json");
    const auto j = json::parse(r.body);
    BOOST_TEST(j["status"] == "degraded"); // bad_init_error failed; the others run
    bool saw_failed = false;
    bool saw_emag = false;
    for (const auto& p : j["plugins"]) {
        if (p["id"] == "bad_init_error") {
            saw_failed =
                p["state"] == "failed" && contains(p["error"].get<std::string>(), "greeting must not be empty");
        }
        if (p["id"] == "emag") {
            saw_emag = p["state"] == "running" && p["health"]["emag.health"]["status"] == "ok";
        }
    }
    BOOST_TEST(saw_failed);
    BOOST_TEST(saw_emag, r.body);
}

BOOST_AUTO_TEST_CASE(api_plugins_lists_registrations) {
    const auto j = json::parse(host().get("/api/plugins").body);
    json hello;
    for (const auto& p : j["plugins"]) {
        if (p["id"] == "hello_c") {
            hello = p;
        }
    }
    BOOST_REQUIRE(hello.is_object());
    BOOST_TEST(hello["state"] == "running");
    BOOST_TEST(hello["abi_version"] == "1.0");
    BOOST_TEST(hello["jobs"][0]["id"] == "hello_c.greet");
    BOOST_TEST(hello["validators"][0] == "hello_c.greeting");
    BOOST_TEST(contains(hello["routes"].dump(), "/plugins/hello_c/hello"));
}

BOOST_AUTO_TEST_CASE(plugin_routes_answer_with_params_and_config) {
    auto r = host().get("/plugins/hello_c/hello");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(json::parse(r.body)["greeting"] == "salut");
    r = host().get("/plugins/hello_c/status/ro%201");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(json::parse(r.body)["name"] == "ro 1");
    r = http_request(host().port, "HEAD", "/plugins/hello_c/hello");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.body.empty());
}

BOOST_AUTO_TEST_CASE(write_routes_need_the_admin_token) {
    auto r = http_request(host().port, "POST", "/plugins/hello_c/echo", R"({"a":1})");
    BOOST_TEST(r.status == 401u);
    r = http_request(host().port, "POST", "/plugins/hello_c/echo", R"({"a":1})",
                     {{"Authorization", "Bearer wrong-token-wrong-token"}});
    BOOST_TEST(r.status == 401u);
    r = http_request(host().port, "POST", "/plugins/hello_c/echo", R"({"a":1})", kAdmin);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.body == R"({"a":1})");
    r = http_request(host().port, "DELETE", "/plugins/hello_c/hello", "", kAdmin);
    BOOST_TEST(r.status == 405u);
    BOOST_TEST(contains(r.headers["allow"], "GET"));
}

BOOST_AUTO_TEST_CASE(static_assets_are_served_and_contained) {
    auto r = host().get("/plugins/hello_c/");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(contains(r.headers.at("content-type"), "text/html"));
    BOOST_TEST(contains(r.body, "<html"));
    r = host().get("/plugins/hello_c/..%2F..%2Fmanifest.json");
    BOOST_TEST(r.status == 404u);
    r = host().get("/plugins/hello_c/%2e%2e/manifest.json");
    BOOST_TEST(r.status == 404u);
    // Without the trailing slash the page's relative URLs would resolve one
    // level up: redirected, the query kept.
    r = host().get("/plugins/hello_c?x=1");
    BOOST_TEST(r.status == 301u);
    BOOST_TEST(r.headers["location"] == "/plugins/hello_c/?x=1");
}

BOOST_AUTO_TEST_CASE(emag_status_lists_accounts_without_secrets) {
    const auto r = host().get("/plugins/emag/api/status");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(!contains(r.body, "emag-test-password-not-real"));
    const auto j = json::parse(r.body);
    BOOST_TEST(j["accounts"].size() == 1u);
    BOOST_TEST(j["accounts"][0]["name"] == "test-ro");
    BOOST_TEST(j["accounts"][0]["platform"] == "ro");
    BOOST_TEST(j["accounts"][0]["currency"] == "RON");
}

BOOST_AUTO_TEST_CASE(unknown_and_failed_plugins_and_paths) {
    BOOST_TEST(host().get("/plugins/nope/x").status == 404u);
    const auto r = host().get("/plugins/bad_init_error/x");
    BOOST_TEST(r.status == 503u);
    BOOST_TEST(contains(r.body, "greeting must not be empty"));
    BOOST_TEST(host().get("/no/such/path").status == 404u);
}

BOOST_AUTO_TEST_CASE(validators_are_reachable) {
    auto r = http_request(host().port, "POST", "/api/validate/hello_c.greeting", R"({"text":""})", kAdmin);
    BOOST_TEST(r.status == 200u);
    auto j = json::parse(r.body);
    BOOST_TEST(j["valid"] == false);
    BOOST_TEST(j["problems"].size() >= 1u);
    r = http_request(host().port, "POST", "/api/validate/hello_c.greeting", R"({"text":"buna"})", kAdmin);
    BOOST_TEST(json::parse(r.body)["valid"] == true);
    r = http_request(host().port, "POST", "/api/validate/hello_c.greeting", "{not json", kAdmin);
    BOOST_TEST(r.status == 400u);
    r = http_request(host().port, "POST", "/api/validate/nope.kind", "{}", kAdmin);
    BOOST_TEST(r.status == 404u);
}

BOOST_AUTO_TEST_CASE(jobs_run_on_demand_and_progress_reaches_the_ws_feed) {
    WsClient ws(host().port, "/ws?topics=jobs,hello_c.*");
    BOOST_TEST(contains(ws.receive(std::chrono::seconds(10)), "hello"));
    auto r = http_request(host().port, "POST", "/api/jobs/hello_c.greet/run", "", {});
    BOOST_TEST(r.status == 401u);
    r = http_request(host().port, "POST", "/api/jobs/hello_c.greet/run", "{}", kAdmin);
    BOOST_TEST(r.status == 202u, r.body);
    const auto greeted = ws.receive_until("\"hello_c.greeted\"", std::chrono::seconds(20));
    BOOST_REQUIRE(!greeted.empty());
    const auto ev = json::parse(greeted);
    BOOST_TEST(ev["event"]["greeting"] == "salut");
    BOOST_TEST(!ws.receive_until("\"finished\"", std::chrono::seconds(20)).empty());
    r = http_request(host().port, "POST", "/api/jobs/nope.job/run", "{}", kAdmin);
    BOOST_TEST(r.status == 404u);
    const auto jobs = json::parse(host().get("/api/jobs").body);
    int greet_runs = -1;
    for (const auto& j : jobs["jobs"]) {
        if (j["id"] == "hello_c.greet") {
            greet_runs = j["runs"].get<int>();
        }
    }
    BOOST_TEST(greet_runs >= 1);
}

BOOST_AUTO_TEST_CASE(metrics_are_prometheus_text) {
    const auto r = host().get("/metrics");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(contains(r.headers.at("content-type"), "text/plain"));
    BOOST_TEST(contains(r.body, "# TYPE erp_host_up gauge\nerp_host_up 1\n"), r.body);
    BOOST_TEST(contains(r.body, "# TYPE hello_c_greet_runs_total counter"), r.body);
    BOOST_TEST(contains(r.body, "erp_host_plugins{state=\"failed\"} 1"), r.body);
    BOOST_TEST(contains(r.body, "emag_accounts_configured"), r.body);
    BOOST_TEST(!contains(r.body, "emag-test-password-not-real"));
}

BOOST_AUTO_TEST_CASE(ws_refuses_other_sites_but_accepts_its_own_pages) {
    const std::string own = "http://127.0.0.1:" + std::to_string(host().port);
    BOOST_CHECK_THROW(WsClient(host().port, "/ws?topics=jobs", "http://evil.example"), std::exception);
    BOOST_CHECK_THROW(WsClient(host().port, "/ws?topics=jobs", "http://127.0.0.1:1"), std::exception);
    WsClient ws(host().port, "/ws?topics=jobs", own);
    BOOST_TEST(contains(ws.receive(std::chrono::seconds(10)), "hello"));
}
