#include "monitor/monitor_service.hpp"

#include "monitor/webhook.hpp"
#include "orders/order_sync.hpp"
#include "store/monitor_store.hpp"
#include "store/timestamp.hpp"

#include <algorithm>
#include <cmath>

namespace erp::emag {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<unsigned, const char*>, 3> kWindows{{{60, "1m"}, {300, "5m"}, {3600, "1h"}}};
constexpr ErrorKind kKinds[] = {ErrorKind::auth, ErrorKind::rate_limited, ErrorKind::validation, ErrorKind::transient,
                                ErrorKind::protocol};

double rounded(double v, double scale = 10000) {
    return std::round(v * scale) / scale;
}

std::string iso(std::chrono::system_clock::time_point t) {
    return iso8601_utc(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

// `last` + `interval_s`, or null when either is unknown.
json next_run(const std::string& last, unsigned interval_s) {
    const auto t = parse_iso8601_utc(last);
    if (!t || interval_s == 0) {
        return nullptr;
    }
    return iso8601_utc(std::chrono::duration_cast<std::chrono::milliseconds>(
                           (*t + std::chrono::seconds(interval_s)).time_since_epoch())
                           .count());
}

json group_json(const GroupWindow& g) {
    json errors = json::object();
    for (ErrorKind k : kKinds) {
        errors[error_kind_name(k)] = g.errors_by_kind[static_cast<std::size_t>(k)];
    }
    return {{"requests", g.requests},
            {"requests_per_minute", rounded(g.requests_per_minute, 100)},
            {"errors", g.errors},
            {"error_rate", rounded(g.error_rate)},
            {"errors_by_kind", errors},
            {"avg_ms", rounded(g.avg_ms, 10)},
            {"p95_ms", rounded(g.p95_ms, 10)},
            {"usage", rounded(g.usage)}};
}

json window_json(const AccountWindow& w) {
    json streams = json::object();
    for (const auto& [name, s] : w.streams) {
        streams[name] = {
            {"runs", s.counts.runs}, {"ok", s.counts.ok}, {"failed", s.counts.failed}, {"items", s.counts.items}};
    }
    const auto success = w.sync_success();
    return {{"covered_s", rounded(w.covered_s, 10)},
            {"orders", group_json(w.groups[0])},
            {"other", group_json(w.groups[1])},
            {"sync",
             {{"runs", w.sync_runs},
              {"ok", w.sync_ok},
              {"success_rate", success ? json(rounded(*success)) : json(nullptr)},
              {"orders_synced", w.orders_synced},
              {"offers_synced", w.offers_synced},
              {"streams", streams}}}};
}

json health_object(const HealthScore& h) {
    json penalties = json::array();
    for (const auto& p : h.penalties) {
        penalties.push_back({{"reason", p.reason}, {"points", p.points}});
    }
    return {{"score", h.score}, {"status", health_status(h.score)}, {"penalties", penalties}};
}

void add_series(json& out, const char* name, const char* type, const char* help, json labels, double value) {
    out.push_back({{"name", name}, {"type", type}, {"help", help}, {"labels", std::move(labels)}, {"value", value}});
}

const AccountWindow* find_window(const std::vector<AccountWindow>& ws, const std::string& account) {
    for (const auto& w : ws) {
        if (w.account == account) {
            return &w;
        }
    }
    return nullptr;
}

ClientMetrics empty_client(const std::string& account) {
    ClientMetrics m;
    m.account = account;
    m.groups[0].group = RouteGroup::orders;
    m.groups[1].group = RouteGroup::other;
    return m;
}

} // namespace

json alert_json(const AlertRow& a) {
    return {{"id", a.id},
            {"account", a.account},
            {"rule", a.rule},
            {"subject", a.subject},
            {"severity", a.severity},
            {"state", a.state},
            {"message", a.message},
            {"value", a.value},
            {"threshold", a.threshold},
            {"raised_at", a.raised_at},
            {"cleared_at", a.cleared_at.empty() ? json(nullptr) : json(a.cleared_at)},
            {"last_value", a.last_value},
            {"updated_at", a.updated_at}};
}

MonitorService::MonitorService(MonitorConfig config, MonitorSchedule schedule, std::vector<AccountStatus> accounts,
                               std::shared_ptr<MonitorStore> store, MonitorDeps deps, std::string version)
    : config_(std::move(config)), schedule_(schedule), accounts_(std::move(accounts)), store_(std::move(store)),
      deps_(std::move(deps)), version_(std::move(version)), engine_(config_.raise_after, config_.clear_after) {
    if (!config_.webhook_url.empty()) {
        WebhookOptions o;
        o.url = config_.webhook_url;
        o.timeout = std::chrono::milliseconds(config_.webhook_timeout_ms);
        o.retry_delays.clear();
        for (unsigned d : config_.webhook_retry_delays_s) {
            o.retry_delays.push_back(std::chrono::seconds(d));
        }
        webhook_ = std::make_unique<WebhookSender>(std::move(o), deps_.warn);
    }
}

MonitorService::~MonitorService() {
    stop();
}

void MonitorService::start() {
    try {
        AlertFilter f;
        f.state = "active";
        f.limit = 10000;
        std::lock_guard lock(tick_mu_);
        for (const AlertRow& a : store_->alerts(f)) {
            engine_.restore_active(a.account, a.rule, a.subject, a.id);
        }
    } catch (const std::exception& e) {
        if (deps_.warn) {
            deps_.warn(std::string("emag monitor: reading the active alerts failed: ") + e.what());
        }
    }
    tick();
    std::lock_guard lock(thread_mu_);
    if (!thread_.joinable()) {
        stopping_ = false;
        thread_ = std::thread([this] { run(); });
    }
}

void MonitorService::stop() {
    {
        std::lock_guard lock(thread_mu_);
        stopping_ = true;
    }
    thread_cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void MonitorService::run() {
    std::unique_lock lock(thread_mu_);
    for (;;) {
        if (thread_cv_.wait_for(lock, std::chrono::milliseconds(config_.sample_interval_ms),
                                [&] { return stopping_; })) {
            return;
        }
        lock.unlock();
        try {
            tick();
        } catch (const std::exception& e) {
            if (deps_.warn) {
                deps_.warn(std::string("emag monitor: sampling failed: ") + e.what());
            }
        }
        lock.lock();
    }
}

void MonitorService::record_sync(const std::vector<StreamOutcome>& outcomes) {
    const std::string now = iso(deps_.now());
    std::lock_guard lock(mu_);
    for (const StreamOutcome& o : outcomes) {
        StreamRun& r = runs_[o.account][o.stream];
        ++r.counters.runs;
        ++(o.ok ? r.counters.ok : r.counters.failed);
        r.counters.items += o.items;
        r.last_run_at = now;
        r.last_ok = o.ok;
        if (o.ok) {
            r.last_ok_at = now;
        }
    }
}

void MonitorService::record_backup(bool ok, const std::string& message) {
    std::lock_guard lock(mu_);
    backup_ = BackupOutcome{ok, message};
    last_backup_at_ = iso(deps_.now());
}

std::map<std::string, AccountGauges> MonitorService::read_gauges(std::chrono::system_clock::time_point now,
                                                                 std::vector<SyncStateInfo>& states) {
    std::map<std::string, AccountGauges> g;
    states = store_->sync_states();
    for (const auto& [account, n] : store_->quarantined_orders()) {
        g[account].quarantined_orders = n;
    }
    for (const auto& [account, n] : store_->quarantined_offers()) {
        g[account].quarantined_offers = n;
    }
    for (const auto& [account, n] : store_->dead_letter()) {
        g[account].dead_letter = n;
    }
    for (const SyncStateInfo& s : states) {
        if (s.stream != "incremental") {
            continue; // a backfill's cursor is history, not lag
        }
        if (const auto cursor = parse_iso8601_utc(s.cursor_utc)) {
            const auto lag = std::chrono::duration_cast<std::chrono::seconds>(now - *cursor).count();
            g[s.account].cursor_lag_s[OrderSync::stream_name("incremental", s.order_type)] =
                std::max<long long>(0, lag);
        }
    }
    return g;
}

void MonitorService::handle(const std::vector<AlertTransition>& transitions, const std::string& now_iso) {
    for (const AlertTransition& t : transitions) {
        const Observation& o = t.observation;
        const bool raised = t.kind == AlertTransition::Kind::raised;
        std::int64_t id = t.alert_id;
        try {
            if (raised) {
                AlertRow row;
                row.account = o.account;
                row.rule = o.rule;
                row.subject = o.subject;
                row.severity = o.severity;
                row.message = o.message;
                row.value = o.value;
                row.threshold = o.threshold;
                row.raised_at = now_iso;
                id = store_->raise_alert(row);
                engine_.set_id(o.account, o.rule, o.subject, id);
            } else if (id != 0) {
                store_->clear_alert(id, o.value, now_iso);
            }
        } catch (const std::exception& e) {
            if (deps_.warn) {
                deps_.warn(std::string("emag monitor: storing an alert in emag_alerts failed: ") + e.what());
            }
        }
        const json event = {{"event", raised ? "raised" : "cleared"},
                            {"id", id},
                            {"account", o.account},
                            {"rule", o.rule},
                            {"subject", o.subject},
                            {"severity", o.severity},
                            {"message", o.message},
                            {"value", o.value},
                            {"threshold", o.threshold},
                            {"at", now_iso}};
        const std::string text = event.dump(-1, ' ', false, json::error_handler_t::replace);
        if (deps_.publish) {
            deps_.publish("emag.alerts", text);
        }
        if (raised && deps_.warn) {
            deps_.warn("emag alert raised (" + o.rule + "): " + o.message);
        } else if (!raised && deps_.info) {
            deps_.info("emag alert cleared (" + o.rule + (o.subject.empty() ? "" : " " + o.subject) + ", " + o.account +
                       "): now " + o.value);
        }
        if (webhook_) {
            webhook_->post(text);
        }
    }
}

void MonitorService::tick() {
    std::lock_guard tick_lock(tick_mu_);
    const auto now = deps_.now();
    const std::string now_iso = iso(now);

    std::vector<SyncStateInfo> states;
    try {
        last_gauges_ = read_gauges(now, states);
        if (gauges_failed_ && deps_.info) {
            deps_.info("emag monitor: reading the database works again");
        }
        gauges_failed_ = false;
    } catch (const std::exception& e) {
        if (!gauges_failed_ && deps_.warn) {
            deps_.warn(std::string("emag monitor: reading the database failed (figures kept from before): ") +
                       e.what());
        }
        gauges_failed_ = true;
    }

    const std::vector<ClientMetrics> clients = deps_.clients ? deps_.clients() : std::vector<ClientMetrics>{};
    std::map<std::string, std::map<std::string, StreamRun>> runs;
    std::optional<BackupOutcome> backup;
    std::string last_backup_at;
    {
        std::lock_guard lock(mu_);
        runs = runs_;
        backup = backup_;
        last_backup_at = last_backup_at_;
    }

    Sample sample;
    sample.at = deps_.steady ? deps_.steady() : std::chrono::steady_clock::now();
    for (const AccountStatus& a : accounts_) {
        AccountSample s;
        s.account = a.account->name;
        s.api = empty_client(s.account);
        for (const ClientMetrics& c : clients) {
            if (c.account == s.account) {
                s.api = c;
            }
        }
        for (const auto& [stream, r] : runs[s.account]) {
            s.sync[stream] = r.counters;
        }
        s.gauges = last_gauges_[s.account];
        sample.accounts.push_back(std::move(s));
    }
    history_.add(std::move(sample));

    std::map<unsigned, std::vector<AccountWindow>> windows;
    const auto window = [&](unsigned seconds) -> const std::vector<AccountWindow>& {
        auto it = windows.find(seconds);
        if (it == windows.end()) {
            it = windows.emplace(seconds, history_.window(std::chrono::seconds(seconds))).first;
        }
        return it->second;
    };

    AlertInputs inputs{window, last_gauges_, backup};
    handle(engine_.evaluate(observe_alerts(config_, inputs)), now_iso);

    // Active alerts with their stored rows, for the status and /metrics.
    std::vector<AlertRow> active;
    try {
        AlertFilter f;
        f.state = "active";
        f.limit = 1000;
        active = store_->alerts(f);
    } catch (const std::exception&) {
        for (const auto& a : engine_.active()) {
            AlertRow r;
            r.id = a.id;
            r.account = a.account;
            r.rule = a.rule;
            r.subject = a.subject;
            r.state = "active";
            r.value = a.value;
            active.push_back(r);
        }
    }

    std::vector<std::pair<std::string, HealthScore>> scores;
    json series = json::array();
    json status_accounts = json::array();
    json window_accounts = json::array();
    std::vector<MetricSnapshot> snapshots;
    for (const AccountStatus& a : accounts_) {
        const std::string& name = a.account->name;
        const AccountGauges& g = last_gauges_[name];
        HealthInputs hi;
        hi.credentials_ok = a.credentials_ok;
        hi.last_5m = find_window(window(300), name);
        hi.last_1h = find_window(window(3600), name);
        hi.gauges = &g;
        hi.min_requests = config_.min_requests;
        const HealthScore h = score_account(hi);
        scores.emplace_back(name, h);

        json rates = json::object();
        for (const auto& [seconds, label] : kWindows) {
            const AccountWindow* w = find_window(window(seconds), name);
            if (!w) {
                continue;
            }
            rates[label] = window_json(*w);
            for (const GroupWindow& gw : w->groups) {
                const json l = {{"account", name}, {"group", group_name(gw.group)}, {"window", label}};
                add_series(series, "emag_window_requests_per_minute", "gauge",
                           "HTTP requests to eMAG per minute over the window", l, rounded(gw.requests_per_minute, 100));
                add_series(series, "emag_window_error_ratio", "gauge",
                           "Share of eMAG requests that failed over the window", l, rounded(gw.error_rate));
                for (ErrorKind k : kKinds) {
                    json lk = l;
                    lk["kind"] = error_kind_name(k);
                    add_series(series, "emag_window_errors", "gauge", "Failed eMAG requests over the window by kind",
                               lk, static_cast<double>(gw.errors_by_kind[static_cast<std::size_t>(k)]));
                }
                add_series(series, "emag_window_latency_avg_seconds", "gauge",
                           "Average eMAG response time over the window", l, rounded(gw.avg_ms / 1000, 100000));
                add_series(series, "emag_window_latency_p95_seconds", "gauge",
                           "95th percentile of eMAG response time over the window (histogram bucket bound)", l,
                           rounded(gw.p95_ms / 1000, 100000));
                add_series(series, "emag_window_rate_limit_usage_ratio", "gauge",
                           "Share of the route group's eMAG rate limit used over the window", l, rounded(gw.usage));
            }
            for (const auto& [stream, s] : w->streams) {
                const json l = {{"account", name}, {"stream", stream}, {"window", label}};
                add_series(series, "emag_window_sync_runs", "gauge", "Sync passes over the window", l,
                           static_cast<double>(s.counts.runs));
                if (s.success_rate) {
                    add_series(series, "emag_window_sync_success_ratio", "gauge",
                               "Share of sync passes that succeeded over the window", l, rounded(*s.success_rate));
                }
                add_series(series, "emag_window_synced_items", "gauge",
                           "Orders or offers stored by sync passes over the window", l,
                           static_cast<double>(s.counts.items));
            }
        }
        add_series(series, "emag_quarantine_size", "gauge", "Records held in quarantine (invalid as eMAG sent them)",
                   {{"account", name}, {"kind", "orders"}}, static_cast<double>(g.quarantined_orders));
        add_series(series, "emag_quarantine_size", "gauge", "Records held in quarantine (invalid as eMAG sent them)",
                   {{"account", name}, {"kind", "offers"}}, static_cast<double>(g.quarantined_offers));
        add_series(series, "emag_dead_letter_size", "gauge", "Offer changes refused by eMAG (dead letter)",
                   {{"account", name}}, static_cast<double>(g.dead_letter));
        for (const auto& [stream, lag] : g.cursor_lag_s) {
            add_series(series, "emag_cursor_lag_seconds", "gauge", "How far an order stream's cursor is behind now",
                       {{"account", name}, {"stream", stream}}, static_cast<double>(lag));
        }
        add_series(series, "emag_health_score", "gauge", "Health score 0-100 (docs/monitoring.md)", {{"account", name}},
                   h.score);

        // The account's sync streams: the stored state plus this process's runs.
        json streams = json::array();
        std::map<std::string, StreamRun>& account_runs = runs[name];
        for (const SyncStateInfo& s : states) {
            if (s.account != name) {
                continue;
            }
            const std::string stream = OrderSync::stream_name(s.stream.c_str(), s.order_type);
            json st = {{"stream", stream},
                       {"order_type", s.order_type},
                       {"cursor_utc", s.cursor_utc},
                       {"last_run_at", s.last_run_at},
                       {"last_outcome", s.last_outcome},
                       {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
                       {"processed", s.processed},
                       {"next_run_at", s.stream == "incremental" ? next_run(s.last_run_at, schedule_.orders_interval_s)
                                                                 : json(nullptr)}};
            if (const auto it = g.cursor_lag_s.find(stream); it != g.cursor_lag_s.end()) {
                st["lag_s"] = it->second;
            }
            if (const auto it = account_runs.find(stream); it != account_runs.end()) {
                st["runs"] = it->second.counters.runs;
                st["failed"] = it->second.counters.failed;
            }
            streams.push_back(std::move(st));
        }
        if (const auto it = account_runs.find("offers"); it != account_runs.end()) {
            streams.push_back({{"stream", "offers"},
                               {"last_run_at", it->second.last_run_at},
                               {"last_outcome", it->second.last_ok ? "ok" : "failed"},
                               {"runs", it->second.counters.runs},
                               {"failed", it->second.counters.failed},
                               {"next_run_at", next_run(it->second.last_run_at, schedule_.offers_interval_s)}});
        }
        json alerts = json::array();
        for (const AlertRow& r : active) {
            if (r.account == name) {
                alerts.push_back(alert_json(r));
            }
        }
        AccountStatus with_api = a;
        for (const ClientMetrics& c : clients) {
            if (c.account == name) {
                with_api.api = c;
            }
        }
        json entry = account_status_json(with_api);
        entry["health"] = health_object(h);
        entry["streams"] = std::move(streams);
        entry["rates"] = rates;
        entry["alerts"] = std::move(alerts);
        entry["quarantine"] = {{"orders", g.quarantined_orders}, {"offers", g.quarantined_offers}};
        entry["dead_letter"] = g.dead_letter;
        status_accounts.push_back(std::move(entry));
        window_accounts.push_back({{"account", name}, {"health", h.score}, {"windows", rates}});
        snapshots.push_back({name, now_iso, h.score,
                             json{{"windows", rates},
                                  {"quarantine", {{"orders", g.quarantined_orders}, {"offers", g.quarantined_offers}}},
                                  {"dead_letter", g.dead_letter},
                                  {"cursor_lag_s", g.cursor_lag_s}}
                                 .dump()});
    }
    for (const AlertRow& r : active) {
        add_series(series, "emag_alert_active", "gauge", "One series per active alert; the value is always 1",
                   {{"account", r.account}, {"rule", r.rule}, {"subject", r.subject}, {"severity", r.severity}}, 1);
    }
    add_series(series, "emag_alerts_active", "gauge", "Active alerts", json::object(),
               static_cast<double>(active.size()));
    const int overall = overall_score(scores, backup);
    add_series(series, "emag_health_score", "gauge", "Health score 0-100 (docs/monitoring.md)", json::object(),
               overall);
    if (webhook_) {
        const WebhookStats w = webhook_->stats();
        for (const auto& [outcome, n] : {std::pair<const char*, std::uint64_t>{"delivered", w.delivered},
                                         {"attempt_failed", w.attempts_failed},
                                         {"given_up", w.given_up},
                                         {"dropped", w.dropped}}) {
            add_series(series, "emag_webhook_deliveries_total", "counter", "Alert webhook deliveries by outcome",
                       {{"outcome", outcome}}, static_cast<double>(n));
        }
    }

    json backup_json = nullptr;
    if (backup) {
        backup_json = {{"ok", backup->ok},
                       {"at", last_backup_at},
                       {"message", backup->message},
                       {"next_run_at", next_run(last_backup_at, schedule_.backup_interval_s)}};
    }
    json all_alerts = json::array();
    for (const AlertRow& r : active) {
        if (r.account == "*") {
            all_alerts.push_back(alert_json(r));
        }
    }
    const json status = {{"plugin", "emag"},
                         {"version", version_},
                         {"generated_at", now_iso},
                         {"health", {{"score", overall}, {"status", health_status(overall)}}},
                         {"alerts_active", active.size()},
                         {"plugin_alerts", all_alerts},
                         {"backup", backup_json},
                         {"accounts", status_accounts}};
    auto health_doc = std::make_shared<const std::string>(emag::health_json(scores, backup));
    auto status_doc = std::make_shared<const std::string>(status.dump(-1, ' ', false, json::error_handler_t::replace));
    auto windows_doc =
        std::make_shared<const std::string>(json{{"generated_at", now_iso}, {"accounts", window_accounts}}.dump(
            -1, ' ', false, json::error_handler_t::replace));
    auto series_doc = std::make_shared<const json>(std::move(series));
    {
        std::lock_guard lock(mu_);
        health_ = std::move(health_doc);
        status_ = std::move(status_doc);
        windows_ = std::move(windows_doc);
        series_ = std::move(series_doc);
        ++ticks_;
    }

    if (now - last_snapshot_ >= std::chrono::seconds(config_.snapshot_interval_s)) {
        last_snapshot_ = now;
        try {
            store_->save_snapshots(snapshots);
            store_->prune_snapshots(iso(now - std::chrono::hours(config_.retention_h)));
            for (const auto& a : engine_.active()) {
                if (a.id != 0) {
                    store_->touch_alert(a.id, a.value, now_iso);
                }
            }
        } catch (const std::exception& e) {
            if (deps_.warn) {
                deps_.warn(std::string("emag monitor: writing emag_metrics failed: ") + e.what());
            }
        }
    }
}

std::string MonitorService::health_json() const {
    std::lock_guard lock(mu_);
    return health_ ? *health_ : std::string(R"({"status":"ok","score":100,"detail":{"accounts":{}}})");
}

json MonitorService::metric_series() const {
    std::lock_guard lock(mu_);
    return series_ ? *series_ : json::array();
}

std::string MonitorService::status_json() const {
    std::lock_guard lock(mu_);
    return status_ ? *status_ : std::string();
}

std::string MonitorService::windows_json() const {
    std::lock_guard lock(mu_);
    return windows_ ? *windows_ : std::string(R"({"accounts":[]})");
}

std::uint64_t MonitorService::ticks() const {
    std::lock_guard lock(mu_);
    return ticks_;
}

} // namespace erp::emag
