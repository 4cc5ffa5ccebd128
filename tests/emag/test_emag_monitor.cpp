// The monitor's parts without a host: windows over counters, the alert rules
// and their hysteresis, the health formula, the monitor config section, the
// monitor store (SQLite and PostgreSQL), and MonitorService driven with a
// stepped clock and synthetic client counters into a real SQLite database.
#define BOOST_TEST_MODULE emag_monitor
#include <boost/test/unit_test.hpp>

#include "config/plugin_config.hpp"
#include "emag_migrate.hpp"
#include "monitor/alert_engine.hpp"
#include "monitor/alert_rules.hpp"
#include "monitor/health.hpp"
#include "monitor/metric_windows.hpp"
#include "monitor/monitor_service.hpp"
#include "monitor/webhook.hpp"
#include "store/monitor_store.hpp"
#include "store/outbound_store.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <boost/asio.hpp>

#include <mutex>
#include <regex>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
namespace emag = erp::emag;

namespace {

using Steady = std::chrono::steady_clock;

// A client's counters after `requests` requests of which `errors` failed
// (transient), each answered in `ms`.
emag::ClientMetrics client(const std::string& account, std::uint64_t requests, std::uint64_t errors, double ms,
                           std::uint64_t auth_errors = 0) {
    emag::ClientMetrics m;
    m.account = account;
    m.groups[0].group = emag::RouteGroup::orders;
    m.groups[0].limits = {12, 720};
    m.groups[1].group = emag::RouteGroup::other;
    m.groups[1].limits = {3, 180};
    auto& g = m.groups[0];
    g.attempts = requests;
    g.calls = requests;
    g.errors[static_cast<std::size_t>(emag::ErrorKind::transient)] = errors - std::min(errors, auth_errors);
    g.errors[static_cast<std::size_t>(emag::ErrorKind::auth)] = std::min(errors, auth_errors);
    for (std::uint64_t i = 0; i < requests; ++i) {
        g.record_latency(ms);
    }
    return m;
}

emag::Sample sample(Steady::time_point at, emag::ClientMetrics m, std::map<std::string, emag::SyncCounters> sync = {},
                    std::int64_t dead_letter = 0) {
    emag::AccountSample a;
    a.account = m.account;
    a.api = std::move(m);
    a.sync = std::move(sync);
    a.gauges.dead_letter = dead_letter;
    return emag::Sample{at, {a}};
}

emag::AlertRuleConfig rule(const emag::MonitorConfig& c, const std::string& name) {
    return *c.rule(name);
}

} // namespace

BOOST_AUTO_TEST_SUITE(windows)

BOOST_AUTO_TEST_CASE(a_window_is_the_difference_between_two_samples) {
    emag::MetricHistory h;
    const auto t0 = Steady::now();
    h.add(sample(t0, client("ro1", 100, 0, 80), {{"incremental/fbs", {2, 2, 0, 50}}}, 1));
    h.add(sample(t0 + 30s, client("ro1", 150, 2, 80), {{"incremental/fbs", {3, 3, 0, 70}}}, 1));
    // 60 s after t0: 120 more requests, 6 of them failed, each 300 ms.
    emag::ClientMetrics now = client("ro1", 100, 0, 80);
    auto& g = now.groups[0];
    g.attempts += 120;
    g.calls += 120;
    g.errors[static_cast<std::size_t>(emag::ErrorKind::transient)] += 6;
    for (int i = 0; i < 120; ++i) {
        g.record_latency(300);
    }
    h.add(sample(t0 + 60s, now, {{"incremental/fbs", {6, 5, 1, 170}}, {"offers", {1, 1, 0, 40}}}, 4));

    const auto w = h.window(60s);
    BOOST_TEST_REQUIRE(w.size() == 1u);
    const emag::GroupWindow& o = w[0].groups[0];
    BOOST_TEST(w[0].covered_s == 60.0);
    BOOST_TEST(o.requests == 120u);
    BOOST_TEST(o.errors == 6u);
    BOOST_TEST(o.requests_per_minute == 120.0);
    BOOST_TEST(o.error_rate == 0.05);
    BOOST_TEST(o.avg_ms == 300.0);
    BOOST_TEST(o.p95_ms == 500.0); // the histogram bucket bound above 300 ms
    BOOST_TEST(o.usage == 120.0 / (12 * 60), boost::test_tools::tolerance(1e-9));
    BOOST_TEST(w[0].groups[1].requests == 0u);
    BOOST_TEST(w[0].sync_runs == 5u); // 6 - 2 + 1 (offers appeared after t0)
    BOOST_TEST(w[0].sync_ok == 4u);
    BOOST_TEST((w[0].sync_success() == 0.8));
    BOOST_TEST(w[0].orders_synced == 120u);
    BOOST_TEST(w[0].offers_synced == 40u);
    BOOST_TEST(w[0].dead_letter_growth == 3);

    // 30 s: from the t0+30 s sample.
    const auto half = h.window(30s);
    BOOST_TEST(half[0].covered_s == 30.0);
    BOOST_TEST(half[0].groups[0].requests == 70u);
    // A window longer than the history covers what there is.
    BOOST_TEST(h.window(3600s)[0].covered_s == 60.0);
}

BOOST_AUTO_TEST_CASE(old_samples_are_dropped_and_one_sample_is_an_empty_window) {
    emag::MetricHistory h(100s, 1000);
    const auto t0 = Steady::now();
    h.add(sample(t0, client("ro1", 10, 0, 50)));
    const auto one = h.window(60s);
    BOOST_TEST(one[0].covered_s == 0.0);
    BOOST_TEST(one[0].groups[0].requests == 0u);
    for (int i = 1; i <= 30; ++i) {
        h.add(sample(t0 + i * 10s, client("ro1", 10 + 10 * i, 0, 50)));
    }
    // Kept: the last 100 s (11 samples); a 1 h window covers 100 s.
    BOOST_TEST(h.window(3600s)[0].covered_s == 100.0);
    BOOST_TEST(h.window(3600s)[0].groups[0].requests == 100u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(alerts)

BOOST_AUTO_TEST_CASE(raised_once_held_in_the_band_cleared_after_clear_after_good_ones) {
    emag::AlertEngine e(1, 3);
    const auto obs = [](emag::Verdict v) {
        emag::Observation o;
        o.account = "ro1";
        o.rule = "error_rate";
        o.subject = "orders";
        o.verdict = v;
        return std::vector<emag::Observation>{o};
    };
    using V = emag::Verdict;
    auto t = e.evaluate(obs(V::bad));
    BOOST_TEST_REQUIRE(t.size() == 1u);
    BOOST_TEST((t[0].kind == emag::AlertTransition::Kind::raised));
    e.set_id("ro1", "error_rate", "orders", 41);
    // Still bad, or wobbling between the thresholds: nothing new, no flapping.
    for (V v : {V::bad, V::between, V::bad, V::between, V::good, V::between, V::good, V::good, V::bad}) {
        BOOST_TEST(e.evaluate(obs(v)).empty());
    }
    BOOST_TEST(e.active().size() == 1u);
    BOOST_TEST(e.evaluate(obs(V::good)).empty());
    BOOST_TEST(e.evaluate(obs(V::good)).empty());
    t = e.evaluate(obs(V::good));
    BOOST_TEST_REQUIRE(t.size() == 1u);
    BOOST_TEST((t[0].kind == emag::AlertTransition::Kind::cleared));
    BOOST_TEST(t[0].alert_id == 41);
    BOOST_TEST(e.active().empty());
    BOOST_TEST(e.evaluate(obs(V::good)).empty()); // cleared stays cleared
}

BOOST_AUTO_TEST_CASE(raise_after_needs_consecutive_bad_observations_and_restored_alerts_are_not_raised_again) {
    emag::AlertEngine e(2, 1);
    emag::Observation o;
    o.account = "ro1";
    o.rule = "auth_failures";
    o.verdict = emag::Verdict::bad;
    emag::Observation good = o;
    good.verdict = emag::Verdict::good;
    BOOST_TEST(e.evaluate({o}).empty());
    BOOST_TEST(e.evaluate({good}).empty());
    BOOST_TEST(e.evaluate({o}).empty());
    BOOST_TEST(e.evaluate({o}).size() == 1u);

    emag::AlertEngine restarted(1, 1);
    restarted.restore_active("ro1", "auth_failures", "", 7);
    BOOST_TEST(restarted.evaluate({o}).empty());
    const auto cleared = restarted.evaluate({good});
    BOOST_TEST_REQUIRE(cleared.size() == 1u);
    BOOST_TEST(cleared[0].alert_id == 7);
}

BOOST_AUTO_TEST_CASE(rules_turn_figures_into_verdicts) {
    const emag::MonitorConfig c = emag::parse_plugin_config("{}").monitor;
    BOOST_TEST(rule(c, "error_rate").threshold == 0.05);
    BOOST_TEST(rule(c, "latency_ms").threshold == 2000.0);
    BOOST_TEST(rule(c, "rate_limit_usage").threshold == 0.8);
    BOOST_TEST(rule(c, "sync_success").threshold == 0.95);
    BOOST_TEST(rule(c, "cursor_lag_s").threshold == 900.0);

    const auto account = [](double error_rate, std::uint64_t requests, double avg_ms, double usage) {
        emag::AccountWindow w;
        w.account = "ro1";
        w.groups[0].group = emag::RouteGroup::orders;
        w.groups[0].requests = requests;
        w.groups[0].timed = requests;
        w.groups[0].error_rate = error_rate;
        w.groups[0].avg_ms = avg_ms;
        w.groups[0].usage = usage;
        w.groups[1].group = emag::RouteGroup::other;
        return w;
    };
    std::vector<emag::AccountWindow> windows;
    emag::AlertInputs in;
    in.window = [&](unsigned) -> const std::vector<emag::AccountWindow>& { return windows; };
    const auto verdict = [&](const std::string& rule_name, const std::string& subject) {
        for (const auto& o : emag::observe_alerts(c, in)) {
            if (o.rule == rule_name && o.subject == subject) {
                return std::optional<emag::Verdict>(o.verdict);
            }
        }
        return std::optional<emag::Verdict>();
    };
    using V = emag::Verdict;
    windows = {account(0.06, 100, 2500, 0.85)};
    BOOST_TEST((verdict("error_rate", "orders") == V::bad));
    BOOST_TEST((verdict("latency_ms", "orders") == V::bad));
    BOOST_TEST((verdict("rate_limit_usage", "orders") == V::bad));
    BOOST_TEST((verdict("error_rate", "other") == V::between)); // no requests: no verdict
    windows = {account(0.045, 100, 1800, 0.75)};
    BOOST_TEST((verdict("error_rate", "orders") == V::between));
    BOOST_TEST((verdict("latency_ms", "orders") == V::between));
    BOOST_TEST((verdict("rate_limit_usage", "orders") == V::between));
    windows = {account(0.04, 100, 1500, 0.7)};
    BOOST_TEST((verdict("error_rate", "orders") == V::good));
    windows = {account(1.0, 5, 9000, 0.1)}; // under min_requests: neither raised nor cleared
    BOOST_TEST((verdict("error_rate", "orders") == V::between));
    BOOST_TEST((verdict("latency_ms", "orders") == V::between));
    BOOST_TEST((verdict("auth_failures", "") == V::good)); // requests, none refused

    BOOST_TEST((verdict("sync_success", "") == V::between)); // no pass yet
    emag::AccountWindow w = account(0, 0, 0, 0);
    w.sync_runs = 10;
    w.sync_ok = 9;
    w.streams["incremental/fbs"].counts = {10, 9, 1, 100};
    w.auth_errors = 1;
    w.dead_letter_growth = 2;
    windows = {w};
    in.gauges["ro1"].cursor_lag_s = {{"incremental/fbs", 1000}, {"incremental/fbe", 700}};
    in.gauges["ro1"].dead_letter = 5;
    in.backup = emag::BackupOutcome{false, "disk full"};
    BOOST_TEST((verdict("sync_success", "") == V::bad));
    BOOST_TEST((verdict("auth_failures", "") == V::bad));
    BOOST_TEST((verdict("dead_letter", "") == V::bad));
    BOOST_TEST((verdict("cursor_lag_s", "incremental/fbs") == V::bad));
    BOOST_TEST((verdict("cursor_lag_s", "incremental/fbe") == V::between));
    BOOST_TEST((verdict("backup_failed", "") == V::bad));
    for (const auto& o : emag::observe_alerts(c, in)) {
        if (o.rule == "sync_success") {
            BOOST_TEST(o.message.find("1 of 10 sync passes failed over 1 h") != std::string::npos, o.message);
            BOOST_TEST(o.message.find("failing: incremental/fbs") != std::string::npos, o.message);
            BOOST_TEST(o.value == "90.0%");
        }
        if (o.rule == "cursor_lag_s" && o.subject == "incremental/fbs") {
            BOOST_TEST(o.value == "17 min");
        }
        if (o.rule == "backup_failed") {
            BOOST_TEST(o.account == "*");
            BOOST_TEST(o.message == "the eMAG backup failed: disk full");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(health_and_config)

BOOST_AUTO_TEST_CASE(the_health_score_follows_its_documented_formula) {
    emag::AccountWindow m5;
    m5.groups[0].requests = 200;
    m5.groups[0].errors = 10; // 5% -> 20 points
    m5.groups[0].timed = 200;
    m5.groups[0].avg_ms = 3000; // 2 s over 1 s -> 15 points
    emag::AccountWindow h1;
    h1.sync_runs = 10;
    h1.sync_ok = 9; // 10% failed -> 30 points
    emag::AccountGauges g;
    g.cursor_lag_s["incremental/fbs"] = 1800; // 15 min over -> 20 x 900 / 2700 = 6.7 -> 7
    g.dead_letter = 3;                        // 3 points
    g.quarantined_orders = 6;
    g.quarantined_offers = 2; // 8 -> at most 5
    emag::HealthInputs in;
    in.last_5m = &m5;
    in.last_1h = &h1;
    in.gauges = &g;
    const emag::HealthScore h = emag::score_account(in);
    BOOST_TEST(h.score == 100 - 20 - 15 - 30 - 7 - 3 - 5);
    BOOST_TEST(h.penalties.size() == 6u);
    BOOST_TEST(h.penalties[3].reason == "order cursor 30 min behind");
    BOOST_TEST(emag::duration_words(47) == "47 s");
    BOOST_TEST(emag::duration_words(6134700) == "71 days");
    BOOST_TEST(emag::duration_words(5 * 3600) == "5 h");
    BOOST_TEST(std::string(emag::health_status(h.score)) == "down");
    BOOST_TEST(std::string(emag::health_status(80)) == "ok");
    BOOST_TEST(std::string(emag::health_status(79)) == "degraded");

    emag::AccountWindow auth;
    auth.auth_errors = 2;
    emag::HealthInputs ai;
    ai.last_5m = &auth;
    BOOST_TEST(emag::score_account(ai).score == 50);
    emag::HealthInputs quiet;
    BOOST_TEST(emag::score_account(quiet).score == 100);
    BOOST_TEST(emag::overall_score({{"a", emag::HealthScore{90, {}}}, {"b", emag::HealthScore{60, {}}}},
                                   emag::BackupOutcome{false, "x"}) == 50);
}

BOOST_AUTO_TEST_CASE(the_monitor_section_has_defaults_overrides_and_clear_errors) {
    const auto c = emag::parse_plugin_config(R"({"monitor":{"sample_interval_ms":200,"clear_after":2,
        "webhook_url":"http://127.0.0.1:9/hook","alerts":{"error_rate":{"threshold":0.1,"clear":0.08,"window_s":60},
        "latency_ms":{"enabled":false}}},"backup":{"keep":3,"interval_s":0}})");
    BOOST_TEST(c.monitor.sample_interval_ms == 200u);
    BOOST_TEST(c.monitor.clear_after == 2u);
    BOOST_TEST(c.monitor.webhook_url == "http://127.0.0.1:9/hook");
    BOOST_TEST(c.monitor.rule("error_rate")->threshold == 0.1);
    BOOST_TEST(c.monitor.rule("error_rate")->window_s == 60u);
    BOOST_TEST(!c.monitor.rule("latency_ms")->enabled);
    BOOST_TEST(c.monitor.rule("sync_success")->threshold == 0.95); // untouched rules keep defaults
    BOOST_TEST(c.backup.keep == 3u);
    BOOST_TEST(c.backup.interval_s == 0u);

    const auto refused = [](const std::string& text, const std::string& where) {
        try {
            emag::parse_plugin_config(text);
        } catch (const emag::ConfigError& e) {
            BOOST_TEST(std::string(e.what()).find(where) == 0u, e.what());
            return;
        }
        BOOST_FAIL("accepted: " + text);
    };
    refused(R"({"monitor":{"alerts":{"error_rate":{"threshold":0.05,"clear":0.06}}}})",
            "monitor.alerts.error_rate.clear");
    refused(R"({"monitor":{"alerts":{"sync_success":{"threshold":0.95,"clear":0.9}}}})",
            "monitor.alerts.sync_success.clear");
    refused(R"({"monitor":{"alerts":{"errors":{}}}})", "monitor.alerts.errors");
    refused(R"({"monitor":{"webhook_url":"ftp://x"}})", "monitor.webhook_url");
    refused(R"({"monitor":{"sample_interval_ms":10}})", "monitor.sample_interval_ms");
    refused(R"({"backup":{"keep":0}})", "backup.keep");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

void store_round_trip(const std::string& url) {
    erp::test::migrate_emag_tables(url);
    emag::MonitorStore store(url);
    emag::AlertRow a;
    a.account = "ro1";
    a.rule = "error_rate";
    a.subject = "orders";
    a.severity = "critical";
    a.message = "ro1: 12.0% of the 100 requests failed";
    a.value = "12.0%";
    a.threshold = "5.0%";
    a.raised_at = "2026-11-30T08:00:00Z";
    const auto id1 = store.raise_alert(a);
    a.rule = "latency_ms";
    const auto id2 = store.raise_alert(a);
    BOOST_TEST(id2 == id1 + 1);
    store.touch_alert(id1, "9.0%", "2026-11-30T08:01:00Z");
    store.clear_alert(id1, "1.0%", "2026-11-30T08:02:00Z");
    emag::AlertFilter active;
    active.state = "active";
    const auto rows = store.alerts(active);
    BOOST_TEST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0].id == id2);
    emag::AlertFilter all;
    const auto both = store.alerts(all);
    BOOST_TEST_REQUIRE(both.size() == 2u);
    BOOST_TEST(both[1].id == id1); // newest first
    BOOST_TEST(both[1].state == "cleared");
    BOOST_TEST(both[1].cleared_at == "2026-11-30T08:02:00Z");
    BOOST_TEST(both[1].last_value == "1.0%");
    BOOST_TEST(both[1].value == "12.0%");
    emag::AlertFilter by_rule;
    by_rule.rule = "latency_ms";
    BOOST_TEST(store.alerts(by_rule).size() == 1u);
    emag::AlertFilter older;
    older.before_id = id2;
    BOOST_TEST(store.alerts(older).size() == 1u);

    store.save_snapshots(
        {{"ro1", "2026-11-30T07:00:00Z", 90, R"({"a":1})"}, {"ro1", "2026-11-30T08:00:00Z", 80, R"({"a":2})"}});
    store.save_snapshots({{"ro1", "2026-11-30T08:00:00Z", 70, R"({"a":3})"}}); // same second: replaced
    auto snaps = store.snapshots("ro1", "2026-11-30T00:00:00Z", 10);
    BOOST_TEST_REQUIRE(snaps.size() == 2u);
    BOOST_TEST(snaps[0].health == 70);
    BOOST_TEST(store.prune_snapshots("2026-11-30T07:30:00Z") == 1);
    BOOST_TEST(store.snapshots("ro1", "2026-11-30T00:00:00Z", 10).size() == 1u);
    BOOST_TEST(store.outbound_by_state().empty());
    {
        emag::OutboundStore outbound(url);
        const std::string stock = R"({"stock":[{"warehouse_id":1,"value":1}]})";
        outbound.enqueue("ro1", 5, "stock", stock, "test", "2026-11-30T08:00:00Z");
        const std::int64_t refused = outbound.enqueue("ro1", 6, "stock", stock, "test", "2026-11-30T08:00:00Z");
        outbound.fail({refused}, R"(["refused"])", "2026-11-30T08:00:01Z");
    }
    const auto by_state = store.outbound_by_state();
    BOOST_TEST(by_state.size() == 1u);
    BOOST_TEST(by_state.at("ro1").at("queued") == 1);
    BOOST_TEST(by_state.at("ro1").at("failed") == 1);
    BOOST_TEST(store.sync_states().empty());
}

struct ServiceWorld {
    erp::test::TempDir dir;
    std::string url = "sqlite3://db=" + (dir / "m.db").string();
    emag::AccountConfig account;
    std::vector<emag::ClientMetrics> clients;
    Steady::time_point t0 = Steady::now();
    Steady::time_point steady = t0;
    std::chrono::system_clock::time_point wall = std::chrono::sys_days{std::chrono::November / 30 / 2026} + 8h;
    std::vector<std::pair<std::string, json>> events;
    std::mutex mu;

    ServiceWorld() {
        erp::test::migrate_emag_tables(url);
        account.name = "ro1";
        account.platform = "ro";
        clients = {client("ro1", 0, 0, 100)};
    }

    std::unique_ptr<emag::MonitorService> service(emag::MonitorConfig c) {
        emag::MonitorDeps d;
        d.clients = [this] { return clients; };
        d.publish = [this](const std::string& topic, const std::string& text) {
            std::lock_guard lock(mu);
            events.emplace_back(topic, json::parse(text));
        };
        d.now = [this] { return wall; };
        d.steady = [this] { return steady; };
        return std::make_unique<emag::MonitorService>(std::move(c), emag::MonitorSchedule{},
                                                      std::vector<emag::AccountStatus>{{&account, true, std::nullopt}},
                                                      std::make_shared<emag::MonitorStore>(url), std::move(d), "0.1.0");
    }
    void step(std::chrono::seconds s, std::uint64_t requests, std::uint64_t errors, std::uint64_t auth_errors = 0) {
        steady += s;
        wall += s;
        clients = {client("ro1", requests, errors, 100, auth_errors)};
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(store_and_service)

BOOST_AUTO_TEST_CASE(monitor_store_on_sqlite) {
    erp::test::TempDir dir;
    store_round_trip("sqlite3://db=" + (dir / "m.db").string());
}

BOOST_AUTO_TEST_CASE(monitor_store_on_postgresql) {
    erp::test::TempPgDatabase db;
    store_round_trip(db.url());
}

BOOST_AUTO_TEST_CASE(an_error_burst_raises_stores_publishes_and_then_clears_once) {
    ServiceWorld w;
    emag::MonitorConfig c = emag::parse_plugin_config(
                                R"({"monitor":{"clear_after":2,"min_requests":5,"snapshot_interval_s":1,
                                   "alerts":{"error_rate":{"window_s":10},"rate_limit_usage":{"enabled":false}}}})")
                                .monitor;
    auto m = w.service(c);
    m->tick();           // t=0: nothing yet
    w.step(5s, 100, 20); // 20% failed
    m->tick();
    emag::AlertFilter active;
    active.state = "active";
    auto rows = m->store().alerts(active);
    BOOST_TEST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0].rule == "error_rate");
    BOOST_TEST(rows[0].subject == "orders");
    BOOST_TEST(rows[0].value == "20.0%");
    BOOST_TEST(rows[0].raised_at == "2026-11-30T08:00:05Z");
    BOOST_TEST_REQUIRE(w.events.size() == 1u);
    BOOST_TEST(w.events[0].first == "emag.alerts");
    BOOST_TEST(w.events[0].second["event"] == "raised");
    BOOST_TEST(w.events[0].second["id"] == rows[0].id);

    const json status = json::parse(m->status_json());
    BOOST_TEST(status["alerts_active"] == 1);
    BOOST_TEST(status["accounts"][0]["alerts"][0]["rule"] == "error_rate");
    BOOST_TEST(status["accounts"][0]["health"]["score"].get<int>() < 100);
    bool series = false;
    for (const auto& s : m->metric_series()) {
        series = series || (s["name"] == "emag_alert_active" && s["labels"]["rule"] == "error_rate");
    }
    BOOST_TEST(series);

    w.step(5s, 200, 20); // t=10: the window from t=0 still holds 10% failed
    m->tick();
    w.step(10s, 400, 20); // t=20: window from t=10: 200 requests, none failed
    m->tick();
    BOOST_TEST(w.events.size() == 1u); // one good evaluation is not enough
    w.step(5s, 500, 20);               // t=25: window from t=10: 300 requests, none failed
    m->tick();
    BOOST_TEST_REQUIRE(w.events.size() == 2u);
    BOOST_TEST(w.events[1].second["event"] == "cleared");
    BOOST_TEST(m->store().alerts(active).empty());
    emag::AlertFilter all;
    rows = m->store().alerts(all);
    BOOST_TEST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0].state == "cleared");
    BOOST_TEST(rows[0].cleared_at == "2026-11-30T08:00:25Z");
    BOOST_TEST(!m->store().snapshots("ro1", "2026-11-30T00:00:00Z", 100).empty());
}

// The status says "refused" for credentials eMAG answered 401 to over the
// last 5 minutes ("ok" means configured and not refused lately).
BOOST_AUTO_TEST_CASE(credentials_eMAG_refuses_read_refused_in_the_status) {
    ServiceWorld w;
    auto m = w.service(emag::parse_plugin_config("{}").monitor);
    m->tick();
    w.step(5s, 50, 0);
    m->tick();
    BOOST_TEST(json::parse(m->status_json())["accounts"][0]["credentials"] == "ok");
    w.step(5s, 60, 10, 10);
    m->tick();
    BOOST_TEST(json::parse(m->status_json())["accounts"][0]["credentials"] == "refused");
}

BOOST_AUTO_TEST_CASE(an_active_alert_survives_a_restart_without_being_raised_again) {
    ServiceWorld w;
    emag::MonitorConfig c = emag::parse_plugin_config(R"({"monitor":{"clear_after":1,"min_requests":5,
                                     "alerts":{"error_rate":{"window_s":10},"rate_limit_usage":{"enabled":false}}}})")
                                .monitor;
    {
        auto m = w.service(c);
        m->tick();
        w.step(5s, 100, 50);
        m->tick();
    }
    BOOST_TEST(w.events.size() == 1u);
    auto m = w.service(c);
    m->start(); // restores the active alert, takes a sample
    w.step(5s, 200, 100);
    m->tick();
    w.step(5s, 300, 150);
    m->tick();
    BOOST_TEST(w.events.size() == 1u); // still failing: not raised twice
    w.step(15s, 600, 150);             // recovered
    m->tick();
    m->stop();
    BOOST_TEST_REQUIRE(w.events.size() == 2u);
    BOOST_TEST(w.events[1].second["event"] == "cleared");
    BOOST_TEST(w.events[1].second["id"] == w.events[0].second["id"]);
}

BOOST_AUTO_TEST_CASE(the_health_document_and_series_names_follow_the_abi) {
    ServiceWorld w;
    auto m = w.service(emag::parse_plugin_config("{}").monitor);
    m->tick();
    w.step(60s, 120, 0);
    m->tick();
    const json health = json::parse(m->health_json());
    BOOST_TEST(health["status"] == "ok");
    BOOST_TEST(health["score"] == 100);
    const std::regex name("^emag_[a-z0-9_]+$");
    std::set<std::string> names;
    for (const auto& s : m->metric_series()) {
        const std::string n = s["name"].get<std::string>();
        BOOST_TEST(std::regex_match(n, name), n);
        BOOST_TEST((s["type"] == "gauge" || s["type"] == "counter"), n);
        BOOST_TEST(!s["help"].get<std::string>().empty(), n);
        BOOST_TEST(s["value"].is_number(), n);
        names.insert(n);
    }
    for (const char* n : {"emag_window_requests_per_minute", "emag_window_error_ratio",
                          "emag_window_latency_p95_seconds", "emag_window_rate_limit_usage_ratio",
                          "emag_quarantine_size", "emag_dead_letter_size", "emag_health_score", "emag_alerts_active"}) {
        BOOST_TEST(names.count(n) == 1u, n);
    }
    const json windows = json::parse(m->windows_json());
    BOOST_TEST(windows["accounts"][0]["windows"]["1m"]["orders"]["requests_per_minute"] == 120.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(webhook)

BOOST_AUTO_TEST_CASE(a_dead_webhook_never_blocks_the_poster_and_gives_up_after_its_retries) {
    // A port nobody listens on: every attempt fails at once.
    emag::WebhookOptions o;
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
        o.url = "http://user:secret@127.0.0.1:" + std::to_string(a.local_endpoint().port()) + "/hook?token=t";
    } // closed again
    o.timeout = 2s;
    o.retry_delays = {0ms, 0ms};
    o.max_queue = 3;
    std::vector<std::string> warnings;
    std::mutex mu;
    emag::WebhookSender w(o, [&](const std::string& m) {
        std::lock_guard lock(mu);
        warnings.push_back(m);
    });
    const auto t0 = Steady::now();
    for (int i = 0; i < 50; ++i) {
        w.post(R"({"event":"raised"})");
    }
    BOOST_TEST((Steady::now() - t0 < 100ms)); // post() only queues
    const auto until = Steady::now() + 30s;
    while (Steady::now() < until && w.stats().queued > 0) {
        std::this_thread::sleep_for(10ms);
    }
    const auto deadline = Steady::now() + 10s;
    emag::WebhookStats st = w.stats();
    while (Steady::now() < deadline && st.given_up + st.dropped < 50) {
        std::this_thread::sleep_for(10ms);
        st = w.stats();
    }
    BOOST_TEST(st.delivered == 0u);
    BOOST_TEST(st.given_up + st.dropped == 50u); // each event given up or dropped, none lost silently
    BOOST_TEST(st.dropped >= 40u);               // the queue holds 3
    BOOST_TEST(st.attempts_failed == 3 * st.given_up);
    std::lock_guard lock(mu);
    BOOST_TEST_REQUIRE(!warnings.empty());
    BOOST_TEST(warnings[0].find("gave up after 3 attempt(s)") != std::string::npos, warnings[0]);
    BOOST_TEST(warnings[0].find("secret") == std::string::npos, warnings[0]);
    BOOST_TEST(warnings[0].find("token") == std::string::npos, warnings[0]);
    BOOST_TEST(emag::redacted_url("https://u:p@h.example/x?y=1") == "https://h.example/x");
}

BOOST_AUTO_TEST_SUITE_END()
