#include "monitor/alert_rules.hpp"

#include <fmt/format.h>

namespace erp::emag {

namespace {

std::string percent(double v) {
    return fmt::format("{:.1f}%", v * 100);
}

std::string seconds_text(double ms) {
    return fmt::format("{:.2f} s", ms / 1000);
}

Observation observation(std::string account, std::string rule, std::string subject) {
    Observation o;
    o.account = std::move(account);
    o.rule = std::move(rule);
    o.subject = std::move(subject);
    return o;
}

// Above-threshold rules: bad past `threshold`, good at or below `clear`.
Verdict above(double v, const AlertRuleConfig& r) {
    return v > r.threshold ? Verdict::bad : v <= r.clear ? Verdict::good : Verdict::between;
}

} // namespace

std::string duration_words(double s) {
    if (s >= 2 * 86400) {
        return fmt::format("{:.0f} days", s / 86400);
    }
    if (s >= 2 * 3600) {
        return fmt::format("{:.0f} h", s / 3600);
    }
    return s >= 120 ? fmt::format("{:.0f} min", s / 60) : fmt::format("{:.0f} s", s);
}

std::string window_words(unsigned seconds) {
    if (seconds >= 3600 && seconds % 3600 == 0) {
        return fmt::format("{} h", seconds / 3600);
    }
    if (seconds >= 60 && seconds % 60 == 0) {
        return fmt::format("{} min", seconds / 60);
    }
    return fmt::format("{} s", seconds);
}

std::vector<Observation> observe_alerts(const MonitorConfig& config, const AlertInputs& in) {
    std::vector<Observation> out;
    for (const AlertRuleConfig& r : config.rules) {
        if (!r.enabled) {
            continue;
        }
        const std::string over = "over " + window_words(r.window_s);
        if (r.name == "error_rate" || r.name == "latency_ms" || r.name == "rate_limit_usage") {
            for (const AccountWindow& w : in.window(r.window_s)) {
                for (const GroupWindow& g : w.groups) {
                    Observation o = observation(w.account, r.name, group_name(g.group));
                    if (r.name == "error_rate") {
                        o.severity = "critical";
                        o.value = percent(g.error_rate);
                        o.threshold = percent(r.threshold);
                        o.verdict = g.requests < config.min_requests ? Verdict::between : above(g.error_rate, r);
                        o.message = fmt::format("{}: {} of the {} requests to eMAG's {} routes failed {} "
                                                "(threshold {})",
                                                w.account, o.value, g.requests, o.subject, over, o.threshold);
                    } else if (r.name == "latency_ms") {
                        o.severity = "warning";
                        o.value = seconds_text(g.avg_ms);
                        o.threshold = seconds_text(r.threshold);
                        o.verdict = g.timed < config.min_requests ? Verdict::between : above(g.avg_ms, r);
                        o.message = fmt::format("{}: eMAG answered the {} routes in {} on average {} (threshold {})",
                                                w.account, o.subject, o.value, over, o.threshold);
                    } else {
                        o.severity = "warning";
                        o.value = percent(g.usage);
                        o.threshold = percent(r.threshold);
                        o.verdict = above(g.usage, r);
                        o.message = fmt::format("{}: {} of the {} routes' rate limit used {} (threshold {}); "
                                                "syncs may fall behind",
                                                w.account, o.value, o.subject, over, o.threshold);
                    }
                    out.push_back(std::move(o));
                }
            }
        } else if (r.name == "sync_success") {
            for (const AccountWindow& w : in.window(r.window_s)) {
                Observation o = observation(w.account, r.name, "");
                o.severity = "critical";
                o.threshold = percent(r.threshold);
                const auto rate = w.sync_success();
                o.value = rate ? percent(*rate) : "no passes";
                o.verdict = !rate                 ? Verdict::between
                            : *rate < r.threshold ? Verdict::bad
                            : *rate >= r.clear    ? Verdict::good
                                                  : Verdict::between;
                std::string failing;
                for (const auto& [stream, s] : w.streams) {
                    if (s.counts.failed > 0) {
                        failing += (failing.empty() ? "" : ", ") + stream;
                    }
                }
                o.message = fmt::format("{}: {} of {} sync passes failed {} (success {}, threshold {}){}", w.account,
                                        w.sync_runs - w.sync_ok, w.sync_runs, over, o.value, o.threshold,
                                        failing.empty() ? "" : "; failing: " + failing);
                out.push_back(std::move(o));
            }
        } else if (r.name == "cursor_lag_s") {
            for (const auto& [account, g] : in.gauges) {
                for (const auto& [stream, lag] : g.cursor_lag_s) {
                    Observation o = observation(account, r.name, stream);
                    o.severity = "warning";
                    o.value = duration_words(static_cast<double>(lag));
                    o.threshold = duration_words(r.threshold);
                    o.verdict = above(static_cast<double>(lag), r);
                    o.message = fmt::format("{}: the {} order cursor is {} behind now (threshold {})", account, stream,
                                            o.value, o.threshold);
                    out.push_back(std::move(o));
                }
            }
        } else if (r.name == "dead_letter") {
            for (const AccountWindow& w : in.window(r.window_s)) {
                const auto g = in.gauges.find(w.account);
                const std::int64_t total = g == in.gauges.end() ? 0 : g->second.dead_letter;
                Observation o = observation(w.account, r.name, "");
                o.severity = "warning";
                o.value = std::to_string(total);
                o.threshold = "growth";
                o.verdict =
                    w.dead_letter_growth > static_cast<std::int64_t>(r.threshold) ? Verdict::bad : Verdict::good;
                o.message = fmt::format("{}: {} offer change(s) refused by eMAG moved to dead letter {} ({} in total)",
                                        w.account, w.dead_letter_growth, over, total);
                out.push_back(std::move(o));
            }
        } else if (r.name == "auth_failures") {
            for (const AccountWindow& w : in.window(r.window_s)) {
                Observation o = observation(w.account, r.name, "");
                o.severity = "critical";
                o.value = std::to_string(w.auth_errors);
                o.threshold = "any";
                std::uint64_t requests = 0;
                for (const GroupWindow& g : w.groups) {
                    requests += g.requests;
                }
                // Cleared only by requests that eMAG accepted, not by silence.
                o.verdict = w.auth_errors > static_cast<std::uint64_t>(r.threshold) ? Verdict::bad
                            : requests > 0                                          ? Verdict::good
                                                                                    : Verdict::between;
                o.message = fmt::format("{}: eMAG refused the credentials {} time(s) {} (wrong username or password, "
                                        "or this server's IP is not whitelisted)",
                                        w.account, w.auth_errors, over);
                out.push_back(std::move(o));
            }
        } else if (r.name == "backup_failed" && in.backup) {
            Observation o = observation("*", r.name, "");
            o.severity = "critical";
            o.value = in.backup->ok ? "ok" : "failed";
            o.threshold = "failure";
            o.verdict = in.backup->ok ? Verdict::good : Verdict::bad;
            o.message = "the eMAG backup failed: " + in.backup->message;
            out.push_back(std::move(o));
        }
    }
    return out;
}

} // namespace erp::emag
