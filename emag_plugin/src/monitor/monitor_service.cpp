#include "monitor/monitor_service.hpp"

#include "monitor/monitor_documents.hpp"
#include "monitor/webhook.hpp"
#include "orders/order_sync.hpp"
#include "store/monitor_store.hpp"
#include "store/timestamp.hpp"

#include <algorithm>
#include <cmath>

namespace erp::emag {

using nlohmann::json;

namespace {

std::string iso(std::chrono::system_clock::time_point t) {
    return iso8601_utc(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
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
        StreamRunInfo& r = runs_[o.account][o.stream];
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
    for (auto& [account, states] : store_->outbound_by_state()) {
        const auto failed = states.find("failed");
        g[account].dead_letter = failed == states.end() ? 0 : failed->second;
        g[account].outbound = std::move(states);
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

std::vector<MonitorService::Announcement> MonitorService::record(const std::vector<AlertTransition>& transitions,
                                                                 const std::string& now_iso) {
    std::vector<Announcement> out;
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
        std::string log = raised ? "emag alert raised (" + o.rule + "): " + o.message
                                 : "emag alert cleared (" + o.rule + (o.subject.empty() ? "" : " " + o.subject) + ", " +
                                       o.account + "): now " + o.value;
        out.push_back({raised, event.dump(-1, ' ', false, json::error_handler_t::replace), std::move(log)});
    }
    return out;
}

void MonitorService::announce(const std::vector<Announcement>& announcements) {
    for (const Announcement& a : announcements) {
        if (deps_.publish) {
            deps_.publish("emag.alerts", a.event);
        }
        if (a.raised && deps_.warn) {
            deps_.warn(a.log);
        } else if (!a.raised && deps_.info) {
            deps_.info(a.log);
        }
        if (webhook_) {
            webhook_->post(a.event);
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
    std::map<std::string, std::map<std::string, StreamRunInfo>> runs;
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
    // Stored now, announced once the documents below are cached: whoever
    // reacts to an event then reads a status and /health that include it.
    const std::vector<Announcement> announcements = record(engine_.evaluate(observe_alerts(config_, inputs)), now_iso);

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

    DocumentInputs in{version_,
                      now_iso,
                      accounts_,
                      clients,
                      window,
                      last_gauges_,
                      states,
                      runs,
                      active,
                      backup,
                      last_backup_at,
                      schedule_,
                      config_.min_requests,
                      webhook_ ? std::optional<WebhookStats>(webhook_->stats()) : std::nullopt};
    MonitorDocuments docs = build_documents(in);
    auto health_doc = std::make_shared<const std::string>(std::move(docs.health));
    auto status_doc = std::make_shared<const std::string>(std::move(docs.status));
    auto windows_doc = std::make_shared<const std::string>(std::move(docs.windows));
    auto series_doc = std::make_shared<const json>(std::move(docs.series));
    OutboundCounts outbound;
    for (const auto& [account, g] : last_gauges_) {
        if (!g.outbound.empty()) {
            outbound[account] = g.outbound;
        }
    }
    {
        std::lock_guard lock(mu_);
        outbound_ = std::move(outbound);
        health_ = std::move(health_doc);
        status_ = std::move(status_doc);
        windows_ = std::move(windows_doc);
        series_ = std::move(series_doc);
        ++ticks_;
    }
    announce(announcements);

    if (now - last_snapshot_ >= std::chrono::seconds(config_.snapshot_interval_s)) {
        last_snapshot_ = now;
        try {
            store_->save_snapshots(docs.snapshots);
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

OutboundCounts MonitorService::outbound_counts() const {
    std::lock_guard lock(mu_);
    return outbound_;
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
