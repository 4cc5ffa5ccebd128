// Monitoring as an admin meets it: the real erp-host serving the real eMAG
// plugin, syncing from the local eMAG sandbox, with the alert webhook
// pointed at a real HTTP listener on loopback.
//   - eMAG starts failing (sandbox faults switched on at run time): the
//     error-rate alert is raised once, on /ws topic emag.alerts, in
//     emag_alerts and at the webhook (whose first answer is a 500: retried);
//   - /metrics is valid Prometheus text (parsed here) with the windowed
//     series and the active alert; /health and the status route show it;
//   - eMAG recovers: the alert clears (event, row, webhook);
//   - a backup that cannot be written raises backup_failed.
#define BOOST_TEST_MODULE emag_monitor_host
#include <boost/test/unit_test.hpp>

#include "host_fixture.hpp"
#include "http_client.hpp"
#include "process.hpp"
#include "server/sandbox_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
namespace sb = emag::sandbox;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using erp::test::HostFixture;

namespace {

// A webhook receiver: answers `fail_first` requests with 500, then 200, and
// keeps every JSON body it was sent.
class WebhookListener {
  public:
    explicit WebhookListener(int fail_first)
        : fail_first_(fail_first), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~WebhookListener() {
        stopping_ = true;
        boost::system::error_code ec;
        // Wake the blocking accept with a connection of our own.
        asio::ip::tcp::socket s(io_);
        s.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook";
    }

    // Waits for a received body satisfying `match`.
    std::optional<json> wait_for(const std::function<bool(const json&)>& match, std::chrono::seconds timeout) {
        std::unique_lock lock(mu_);
        std::optional<json> found;
        cv_.wait_for(lock, timeout, [&] {
            for (const auto& b : bodies_) {
                if (match(b)) {
                    found = b;
                    return true;
                }
            }
            return false;
        });
        return found;
    }
    int requests() const {
        std::lock_guard lock(mu_);
        return requests_;
    }

  private:
    void serve() {
        while (!stopping_) {
            asio::ip::tcp::socket socket(io_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) {
                continue;
            }
            boost::beast::flat_buffer buffer;
            http::request<http::string_body> req;
            http::read(socket, buffer, req, ec);
            if (ec) {
                continue;
            }
            bool fail = false;
            {
                std::lock_guard lock(mu_);
                fail = requests_++ < fail_first_;
                if (!fail) {
                    bodies_.push_back(json::parse(req.body(), nullptr, false));
                }
            }
            cv_.notify_all();
            http::response<http::string_body> res{fail ? http::status::internal_server_error : http::status::ok, 11};
            res.body() = fail ? "busy" : "ok";
            res.prepare_payload();
            http::write(socket, res, ec);
        }
    }

    int fail_first_;
    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<json> bodies_;
    int requests_ = 0;
};

// Prometheus text exposition format: # HELP / # TYPE lines, then samples
// `name{label="value",...} number`. Returns the samples; fails the test on
// any line that is not valid or a family without HELP and TYPE.
struct PromSample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

std::vector<PromSample> parse_prometheus(const std::string& text) {
    static const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
    static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
    static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([-+0-9.eE]+|NaN|\+Inf|-Inf)$)");
    static const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
    std::set<std::string> helped, typed;
    std::vector<PromSample> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::smatch m;
        if (line.empty()) {
            continue;
        }
        if (std::regex_match(line, m, help)) {
            helped.insert(m[1]);
        } else if (std::regex_match(line, m, type)) {
            typed.insert(m[1]);
        } else if (std::regex_match(line, m, sample)) {
            PromSample s;
            s.name = m[1];
            s.value = std::stod(m[4]);
            const std::string labels = m[3];
            for (std::sregex_iterator it(labels.begin(), labels.end(), label), end; it != end; ++it) {
                s.labels[(*it)[1]] = (*it)[2];
            }
            BOOST_TEST(helped.count(s.name) == 1u, "no HELP before " << s.name);
            BOOST_TEST(typed.count(s.name) == 1u, "no TYPE before " << s.name);
            out.push_back(std::move(s));
        } else {
            BOOST_ERROR("not Prometheus text: " << line);
        }
    }
    return out;
}

const PromSample* find_sample(const std::vector<PromSample>& all, const std::string& name,
                              const std::map<std::string, std::string>& labels) {
    for (const auto& s : all) {
        if (s.name != name) {
            continue;
        }
        bool match = true;
        for (const auto& [k, v] : labels) {
            const auto it = s.labels.find(k);
            match = match && it != s.labels.end() && it->second == v;
        }
        if (match) {
            return &s;
        }
    }
    return nullptr;
}

std::map<std::string, std::string> admin() {
    return {{"Authorization", std::string("Bearer ") + erp::test::kAdminToken}};
}

// The next emag.alerts event with this event kind and rule.
json wait_alert(erp::test::WsClient& ws, const std::string& event, const std::string& rule,
                std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        const std::string msg = ws.receive(1s);
        if (msg.empty()) {
            continue;
        }
        const json e = json::parse(msg, nullptr, false);
        if (e.value("topic", "") == "emag.alerts" && e["event"]["event"] == event && e["event"]["rule"] == rule) {
            return e["event"];
        }
    }
    return nullptr;
}

void set_faults(const sb::SandboxServer& s, const json& faults) {
    const auto r = erp::test::http_request(s.port(), "POST", "/_sandbox/faults", json{{"faults", faults}}.dump());
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
}

json job_status(uint16_t port, const std::string& job) {
    const json all = json::parse(erp::test::http_request(port, "GET", "/api/jobs", "", admin()).body);
    for (const auto& j : all["jobs"]) {
        if (j["id"] == job) {
            return j;
        }
    }
    return nullptr;
}

// Starts the job and waits (deadline 120 s) until that run has ended.
void run_job(uint16_t port, const std::string& job) {
    const auto before = job_status(port, job)["runs"].get<std::uint64_t>();
    const auto r = erp::test::http_request(port, "POST", "/api/jobs/" + job + "/run", "", admin());
    BOOST_TEST_REQUIRE(r.status == 202u, r.body);
    const auto until = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < until) {
        const json j = job_status(port, job);
        if (j["runs"].get<std::uint64_t>() > before && j["running"] == false) {
            return;
        }
        std::this_thread::sleep_for(20ms);
    }
    BOOST_FAIL("job " + job + " did not end within 120 s");
}

// Runs `job` again and again until the alert event arrives (a window needs
// enough requests after the change to give a verdict) or `timeout` passes.
json run_until_alert(uint16_t port, erp::test::WsClient& ws, const std::string& job, const std::string& event,
                     const std::string& rule, std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        run_job(port, job);
        json e = wait_alert(ws, event, rule, 2s);
        if (!e.is_null()) {
            return e;
        }
    }
    return nullptr;
}

// `erp-host serve` on `port` until the end of the scope (SIGTERM), ready
// when constructed (GET /health answers).
struct Served {
    erp::test::Process p;
    Served(HostFixture& f, uint16_t port) {
        f.set_port(port);
        const auto cfg = f.write_config({"emag"}).string();
        p = erp::test::spawn_process(ERP_HOST_BIN, f.dir(), {"--config", cfg, "serve"});
        BOOST_TEST_REQUIRE(erp::test::wait_http_ready(port, 60s));
    }
    ~Served() {
        ::kill(p.pid, SIGTERM);
        erp::test::wait_exit(p, 30s);
    }
};

std::string account_config(const sb::SandboxServer& s) {
    ::setenv("ERP_TEST_SANDBOX_PASSWORD", "sandbox-password", 1);
    return "[[plugins.emag.accounts]]\nname = \"sandbox\"\nplatform = \"ro\"\nusername = \"sandbox\"\n"
           "password_env = \"ERP_TEST_SANDBOX_PASSWORD\"\nbase_url = \"" +
           s.base_url() + "\"\n";
}

} // namespace

BOOST_AUTO_TEST_CASE(alerts_raise_and_clear_through_ws_table_webhook_and_metrics) {
    sb::SandboxOptions o;
    o.port = 0;
    o.orders = 400;
    o.offers = 20;
    o.request_log_keep = 100000;
    sb::SandboxServer s(o);
    s.start();
    WebhookListener hook(1);

    HostFixture f;
    // A backup directory under a regular file cannot be created.
    erp::test::write_file(f.dir() / "not-a-dir", "x");
    f.extra_config("[plugins.emag]\n"
                   "[plugins.emag.api]\nretry_delays_ms = [5, 5]\nstart_pause_ms = 0\n"
                   "[plugins.emag.orders]\nfirst_run_days = 100\nsettle_s = 0\nsync_interval_s = 0\n"
                   "[plugins.emag.offers]\nsync_interval_s = 0\n"
                   "[plugins.emag.backup]\ninterval_s = 0\ndir = \"" +
                   (f.dir() / "not-a-dir" / "backups").string() +
                   "\"\n"
                   "[plugins.emag.monitor]\nsample_interval_ms = 100\nclear_after = 2\nmin_requests = 3\n"
                   "webhook_url = \"" +
                   hook.url() +
                   "\"\nwebhook_retry_delays_s = [0, 0, 0]\n"
                   "[plugins.emag.monitor.alerts.error_rate]\nwindow_s = 2\n"
                   "[plugins.emag.monitor.alerts.latency_ms]\nthreshold = 150\nclear = 100\nwindow_s = 2\n"
                   "[plugins.emag.monitor.alerts.rate_limit_usage]\nenabled = false\n" +
                   account_config(s));
    f.add_staged("emag");
    const uint16_t port = erp::test::free_port();
    Served host(f, port);
    erp::test::WsClient ws(port, "/ws?topics=emag.alerts");

    // eMAG fails every order request: the sync fails, the error rate is 100%.
    set_faults(s, json::array({"order/*:500:1"}));
    run_job(port, "emag.orders.sync");
    const json raised = wait_alert(ws, "raised", "error_rate", 60s);
    BOOST_TEST_REQUIRE(!raised.is_null());
    BOOST_TEST(raised["account"] == "sandbox");
    BOOST_TEST(raised["subject"] == "orders");
    BOOST_TEST(raised["severity"] == "critical");
    BOOST_TEST(raised["value"] == "100.0%");
    const auto hooked = hook.wait_for(
        [](const json& b) { return b.value("event", "") == "raised" && b.value("rule", "") == "error_rate"; }, 30s);
    BOOST_TEST_REQUIRE(hooked.has_value());
    BOOST_TEST((*hooked)["id"] == raised["id"]);
    BOOST_TEST(hook.requests() >= 2); // the first delivery got a 500 and was retried

    const auto alerts = erp::test::http_request(port, "GET", "/plugins/emag/api/alerts?state=active", "", admin());
    BOOST_TEST_REQUIRE(alerts.status == 200u, alerts.body);
    bool stored = false;
    const json alert_rows = json::parse(alerts.body);
    for (const auto& a : alert_rows["alerts"]) {
        stored = stored || (a["id"] == raised["id"] && a["state"] == "active" && a["rule"] == "error_rate");
    }
    BOOST_TEST(stored, alerts.body << " / raised: " << raised.dump());
    BOOST_TEST(erp::test::http_request(port, "GET", "/plugins/emag/api/alerts").status == 401u);

    const auto metrics = erp::test::http_request(port, "GET", "/metrics");
    BOOST_TEST_REQUIRE(metrics.status == 200u);
    BOOST_TEST(metrics.headers.at("content-type").find("text/plain") == 0u);
    const auto samples = parse_prometheus(metrics.body);
    BOOST_TEST(samples.size() > 50u);
    const auto* active = find_sample(samples, "emag_alert_active", {{"account", "sandbox"}, {"rule", "error_rate"}});
    BOOST_TEST_REQUIRE(active != nullptr);
    BOOST_TEST(active->value == 1.0);
    const auto* ratio = find_sample(samples, "emag_window_error_ratio",
                                    {{"account", "sandbox"}, {"group", "orders"}, {"window", "1m"}});
    BOOST_TEST_REQUIRE(ratio != nullptr);
    BOOST_TEST(ratio->value == 1.0);
    BOOST_TEST(find_sample(samples, "emag_window_errors",
                           {{"account", "sandbox"}, {"group", "orders"}, {"window", "5m"}, {"kind", "transient"}}) !=
               nullptr);
    BOOST_TEST(find_sample(samples, "emag_health_score", {{"account", "sandbox"}}) != nullptr);
    BOOST_TEST(find_sample(samples, "emag_quarantine_size", {{"account", "sandbox"}, {"kind", "orders"}}) != nullptr);
    BOOST_TEST(find_sample(samples, "emag_api_requests_total", {{"account", "sandbox"}, {"group", "orders"}}) !=
               nullptr);
    BOOST_TEST_MESSAGE("a /metrics sample:\n" << metrics.body.substr(0, 3000));

    const json health = json::parse(erp::test::http_request(port, "GET", "/health").body);
    BOOST_TEST_MESSAGE("/health: " << health.dump());

    // eMAG recovers: the next sync succeeds and the alert clears.
    set_faults(s, json::array());
    const json cleared = run_until_alert(port, ws, "emag.orders.sync", "cleared", "error_rate", 60s);
    BOOST_TEST_REQUIRE(!cleared.is_null());
    BOOST_TEST(cleared["id"] == raised["id"]);
    BOOST_TEST(hook.wait_for([](const json& b) { return b.value("event", "") == "cleared"; }, 30s).has_value());
    const json after =
        json::parse(erp::test::http_request(port, "GET", "/plugins/emag/api/alerts?rule=error_rate", "", admin()).body);
    BOOST_TEST_REQUIRE(after["alerts"].size() == 1u); // raised once, not once per sample
    BOOST_TEST(after["alerts"][0]["state"] == "cleared");
    BOOST_TEST(!after["alerts"][0]["cleared_at"].is_null());

    // eMAG slows down (250 ms per answer, over the 150 ms threshold), then
    // speeds up again: the latency alert is raised and cleared.
    const auto slow =
        erp::test::http_request(s.port(), "POST", "/_sandbox/faults", R"({"faults":[],"latency_ms":250})");
    BOOST_TEST_REQUIRE(slow.status == 200u);
    run_job(port, "emag.orders.sync");
    const json slow_alert = wait_alert(ws, "raised", "latency_ms", 60s);
    BOOST_TEST_REQUIRE(!slow_alert.is_null());
    BOOST_TEST(slow_alert["subject"] == "orders");
    BOOST_TEST(slow_alert["severity"] == "warning");
    set_faults(s, json::array()); // latency back to 0
    BOOST_TEST(!run_until_alert(port, ws, "emag.orders.sync", "cleared", "latency_ms", 60s).is_null());

    const auto st = erp::test::http_request(port, "GET", "/plugins/emag/api/status");
    BOOST_TEST_REQUIRE(st.status == 200u);
    const json status_doc = json::parse(st.body);
    const json& acc = status_doc["accounts"][0];
    BOOST_TEST(acc["name"] == "sandbox");
    BOOST_TEST(acc["health"]["score"].is_number());
    BOOST_TEST(acc["rates"]["1m"]["orders"]["requests"].get<int>() > 0);
    std::set<std::string> streams;
    for (const auto& stream : acc["streams"]) {
        streams.insert(stream["stream"].get<std::string>());
        if (stream["stream"] == "incremental/fbs") {
            BOOST_TEST(stream["last_outcome"] == "ok");
            BOOST_TEST(stream["lag_s"].is_number());
        }
    }
    BOOST_TEST(streams.count("incremental/fbs") == 1u);
    BOOST_TEST(acc["quarantine"]["orders"].get<int>() >= 0);
    BOOST_TEST(acc.contains("dead_letter"));
    BOOST_TEST(st.body.find("sandbox-password") == std::string::npos);

    // A backup that cannot be written raises backup_failed.
    run_job(port, "emag.backup");
    const json backup = wait_alert(ws, "raised", "backup_failed", 60s);
    BOOST_TEST_REQUIRE(!backup.is_null());
    BOOST_TEST(backup["account"] == "*");
    BOOST_TEST(backup["message"].get<std::string>().find("backup failed") != std::string::npos);
    const json health2 = json::parse(erp::test::http_request(port, "GET", "/health").body);
    BOOST_TEST_MESSAGE("/health after the failed backup: " << health2.dump());
    bool backup_failed = false;
    for (const auto& [id, plugin] : health2["plugins"].items()) {
        (void)id;
        backup_failed = backup_failed || plugin.dump().find("\"backup\":\"failed\"") != std::string::npos;
    }
    BOOST_TEST(backup_failed, health2.dump());
}

BOOST_AUTO_TEST_CASE(backup_restore_and_customers_through_the_host_routes) {
    sb::SandboxOptions o;
    o.port = 0;
    o.orders = 300;
    o.offers = 20;
    sb::SandboxServer s(o);
    s.start();
    HostFixture f;
    f.extra_config("[plugins.emag]\n"
                   "[plugins.emag.api]\nstart_pause_ms = 0\n"
                   "[plugins.emag.orders]\nfirst_run_days = 100\nsettle_s = 0\nsync_interval_s = 0\n"
                   "[plugins.emag.offers]\nsync_interval_s = 0\n"
                   "[plugins.emag.backup]\ninterval_s = 0\nkeep = 2\n" +
                   account_config(s));
    f.add_staged("emag");
    const uint16_t port = erp::test::free_port();
    Served host(f, port);
    run_job(port, "emag.orders.sync"); // customers follow the orders it stores

    const auto list =
        erp::test::http_request(port, "GET", "/plugins/emag/api/customers?account=sandbox&sort=orders", "", admin());
    BOOST_TEST_REQUIRE(list.status == 200u, list.body);
    const json customers = json::parse(list.body);
    BOOST_TEST(customers["total"].get<int>() > 50);
    const json& top = customers["customers"][0];
    BOOST_TEST(top["orders"].get<int>() >= 1);
    BOOST_TEST(erp::test::http_request(port, "GET", "/plugins/emag/api/customers").status == 401u);
    const auto one = erp::test::http_request(
        port, "GET", "/plugins/emag/api/customers/sandbox/" + top["key"].get<std::string>(), "", admin());
    BOOST_TEST_REQUIRE(one.status == 200u, one.body);
    BOOST_TEST(json::parse(one.body)["history"].size() == top["orders"].get<std::size_t>());

    const auto made = erp::test::http_request(port, "POST", "/plugins/emag/api/backups", "", admin());
    BOOST_TEST_REQUIRE(made.status == 201u, made.body);
    const std::string name = json::parse(made.body)["backup"]["name"];
    // The route's backup reaches the monitor like the job's: the status shows
    // it at the next sample.
    json last_backup;
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (last_backup.is_null() && std::chrono::steady_clock::now() < until) {
        last_backup = json::parse(erp::test::http_request(port, "GET", "/plugins/emag/api/status").body)["backup"];
        if (last_backup.is_null()) {
            std::this_thread::sleep_for(50ms);
        }
    }
    BOOST_TEST_REQUIRE(!last_backup.is_null());
    BOOST_TEST(last_backup["ok"] == true);
    BOOST_TEST(last_backup["message"] == name);
    const auto listed = erp::test::http_request(port, "GET", "/plugins/emag/api/backups", "", admin());
    BOOST_TEST_REQUIRE(listed.status == 200u, listed.body);
    const json backups = json::parse(listed.body);
    BOOST_TEST_REQUIRE(backups["backups"].size() == 1u);
    std::uint64_t order_rows = 0;
    for (const auto& t : backups["backups"][0]["tables"]) {
        BOOST_TEST(t["sha256"].get<std::string>().size() == 64u);
        if (t["name"] == "emag_orders") {
            order_rows = t["rows"];
        }
    }
    BOOST_TEST(order_rows > 250u);

    // The scheduled job's way: a second backup, then restore the first.
    run_job(port, "emag.backup");
    const json two = json::parse(erp::test::http_request(port, "GET", "/plugins/emag/api/backups", "", admin()).body);
    BOOST_TEST(two["backups"].size() == 2u);
    const auto bad = erp::test::http_request(port, "POST", "/plugins/emag/api/backups/..%2Fetc/restore", "", admin());
    BOOST_TEST(bad.status >= 400u);
    const auto restored =
        erp::test::http_request(port, "POST", "/plugins/emag/api/backups/" + name + "/restore", "", admin());
    BOOST_TEST_REQUIRE(restored.status == 200u, restored.body);
    BOOST_TEST(json::parse(restored.body)["rows"].get<std::uint64_t>() > order_rows);
}
