#include "monitor/metric_windows.hpp"

#include <algorithm>

namespace erp::emag {

std::optional<double> AccountWindow::sync_success() const {
    if (sync_runs == 0) {
        return std::nullopt;
    }
    return static_cast<double>(sync_ok) / static_cast<double>(sync_runs);
}

GroupMetrics minus(const GroupMetrics& now, const GroupMetrics& then) {
    // A client restarted between the samples (counters went down): the new
    // counters alone are the best figure.
    if (now.attempts < then.attempts || now.calls < then.calls) {
        return now;
    }
    GroupMetrics d = now;
    d.calls = now.calls - then.calls;
    d.calls_ok = now.calls_ok - then.calls_ok;
    d.calls_failed = now.calls_failed - then.calls_failed;
    d.attempts = now.attempts - then.attempts;
    d.retries = now.retries - then.retries;
    for (std::size_t i = 0; i < d.errors.size(); ++i) {
        d.errors[i] = now.errors[i] - then.errors[i];
    }
    d.latency_count = now.latency_count - then.latency_count;
    d.latency_ms_sum = now.latency_ms_sum - then.latency_ms_sum;
    for (std::size_t i = 0; i < d.latency_buckets.size(); ++i) {
        d.latency_buckets[i] = now.latency_buckets[i] - then.latency_buckets[i];
    }
    d.rate_waits = now.rate_waits - then.rate_waits;
    d.rate_wait_ms_sum = now.rate_wait_ms_sum - then.rate_wait_ms_sum;
    d.bytes_out = now.bytes_out - then.bytes_out;
    d.bytes_in = now.bytes_in - then.bytes_in;
    return d;
}

GroupWindow group_window(const GroupMetrics& now, const GroupMetrics* then, double covered_s) {
    const GroupMetrics d = then ? minus(now, *then) : now;
    GroupWindow w;
    w.group = now.group;
    w.requests = d.attempts;
    for (std::size_t i = 0; i < d.errors.size(); ++i) {
        w.errors_by_kind[i] = d.errors[i];
        w.errors += d.errors[i];
    }
    w.timed = d.latency_count;
    if (covered_s > 0) {
        w.requests_per_minute = static_cast<double>(d.attempts) * 60.0 / covered_s;
        if (now.limits.per_second > 0) {
            w.usage = static_cast<double>(d.attempts) / (now.limits.per_second * covered_s);
        }
    }
    w.error_rate = d.attempts == 0 ? 0.0 : static_cast<double>(w.errors) / static_cast<double>(d.attempts);
    w.avg_ms = d.latency_count == 0 ? 0.0 : d.latency_ms_sum / static_cast<double>(d.latency_count);
    w.p95_ms = d.latency_quantile_ms(0.95);
    return w;
}

MetricHistory::MetricHistory(std::chrono::seconds keep, std::size_t max_samples)
    : keep_(keep), max_samples_(std::max<std::size_t>(max_samples, 2)) {}

void MetricHistory::add(Sample s) {
    samples_.push_back(std::move(s));
    const auto newest = samples_.back().at;
    while (samples_.size() > 2 && newest - samples_.front().at > keep_) {
        samples_.pop_front();
    }
    while (samples_.size() > max_samples_) {
        samples_.pop_front();
    }
}

namespace {

const AccountSample* find_account(const Sample& s, const std::string& account) {
    for (const auto& a : s.accounts) {
        if (a.account == account) {
            return &a;
        }
    }
    return nullptr;
}

SyncCounters minus(const SyncCounters& now, const SyncCounters* then) {
    if (!then || now.runs < then->runs) {
        return now;
    }
    return {now.runs - then->runs, now.ok - then->ok, now.failed - then->failed, now.items - then->items};
}

} // namespace

std::vector<AccountWindow> MetricHistory::window(std::chrono::seconds window) const {
    std::vector<AccountWindow> out;
    if (samples_.empty()) {
        return out;
    }
    const Sample& now = samples_.back();
    // The newest sample at least `window` old, else the oldest one.
    const Sample* base = &samples_.front();
    for (auto it = samples_.rbegin(); it != samples_.rend(); ++it) {
        if (now.at - it->at >= window) {
            base = &*it;
            break;
        }
    }
    const double covered_s = std::chrono::duration<double>(now.at - base->at).count();
    const bool same = base == &now;
    for (const AccountSample& a : now.accounts) {
        const AccountSample* then = same ? nullptr : find_account(*base, a.account);
        AccountWindow w;
        w.account = a.account;
        w.covered_s = covered_s;
        for (std::size_t g = 0; g < a.api.groups.size(); ++g) {
            if (same) {
                w.groups[g].group = a.api.groups[g].group;
                continue; // one sample: nothing happened yet in any window
            }
            w.groups[g] = group_window(a.api.groups[g], then ? &then->api.groups[g] : nullptr, covered_s);
            w.auth_errors += w.groups[g].errors_by_kind[static_cast<std::size_t>(ErrorKind::auth)];
        }
        for (const auto& [stream, counters] : a.sync) {
            const SyncCounters* before = nullptr;
            if (then) {
                const auto it = then->sync.find(stream);
                before = it == then->sync.end() ? nullptr : &it->second;
            }
            StreamWindow s;
            s.counts = same ? SyncCounters{} : minus(counters, before);
            if (s.counts.runs > 0) {
                s.success_rate = static_cast<double>(s.counts.ok) / static_cast<double>(s.counts.runs);
            }
            w.sync_runs += s.counts.runs;
            w.sync_ok += s.counts.ok;
            (stream == "offers" ? w.offers_synced : w.orders_synced) += s.counts.items;
            w.streams.emplace(stream, s);
        }
        if (then) {
            w.dead_letter_growth = a.gauges.dead_letter - then->gauges.dead_letter;
        }
        out.push_back(std::move(w));
    }
    return out;
}

} // namespace erp::emag
