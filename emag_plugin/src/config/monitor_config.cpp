#include "config/monitor_config.hpp"

#include "config/config_fields.hpp"
#include "config/plugin_config.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace erp::emag {

using nlohmann::json;

std::vector<AlertRuleConfig> default_alert_rules() {
    return {
        {"error_rate", true, 0.05, 0.04, 300},       // share of failed requests
        {"latency_ms", true, 2000, 1500, 300},       // average response time
        {"rate_limit_usage", true, 0.80, 0.70, 300}, // share of the group's budget used
        {"sync_success", true, 0.95, 0.97, 3600},    // share of sync passes that succeeded
        {"cursor_lag_s", true, 900, 600, 0},         // how far the order cursor is behind now
        {"dead_letter", true, 0, 0, 3600},           // refused offer changes (growth)
        {"auth_failures", true, 0, 0, 300},          // 401s: credentials or IP whitelist
        {"backup_failed", true, 0, 0, 0},            // the last emag.backup failed
    };
}

const AlertRuleConfig* MonitorConfig::rule(const std::string& name) const {
    for (const auto& r : rules) {
        if (r.name == name) {
            return &r;
        }
    }
    return nullptr;
}

MonitorConfig parse_monitor_config(const json& m) {
    const std::string path = "monitor";
    require_object(m, path);
    refuse_unknown_keys(m,
                        {"sample_interval_ms", "snapshot_interval_s", "retention_h", "raise_after", "clear_after",
                         "min_requests", "alerts", "webhook_url", "webhook_timeout_ms", "webhook_retry_delays_s"},
                        path);
    MonitorConfig c;
    const auto u = [&](const char* key, long long min, long long max, unsigned fallback) {
        return static_cast<unsigned>(bounded_integer(m, key, min, max, fallback, path));
    };
    c.sample_interval_ms = u("sample_interval_ms", 50, 60000, c.sample_interval_ms);
    c.snapshot_interval_s = u("snapshot_interval_s", 1, 86400, c.snapshot_interval_s);
    c.retention_h = u("retention_h", 1, 24 * 366, c.retention_h);
    c.raise_after = u("raise_after", 1, 100, c.raise_after);
    c.clear_after = u("clear_after", 1, 100, c.clear_after);
    c.min_requests = u("min_requests", 1, 1000000, c.min_requests);
    c.webhook_timeout_ms = u("webhook_timeout_ms", 100, 120000, c.webhook_timeout_ms);
    if (const std::string* url = optional_string(m, "webhook_url", path)) {
        if (!url->empty() && url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
            throw ConfigError(path + ".webhook_url", "expected an http:// or https:// URL");
        }
        c.webhook_url = *url;
    }
    if (const auto it = m.find("webhook_retry_delays_s"); it != m.end()) {
        const std::string at = path + ".webhook_retry_delays_s";
        if (!it->is_array() || it->size() > 10) {
            throw ConfigError(at, "expected a list of at most 10 delays in seconds");
        }
        c.webhook_retry_delays_s.clear();
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& v = (*it)[i];
            if (!v.is_number_unsigned() || v.get<unsigned long long>() > 3600) {
                throw ConfigError(at + "[" + std::to_string(i) + "]", "expected a whole number of seconds 0..3600");
            }
            c.webhook_retry_delays_s.push_back(v.get<unsigned>());
        }
    }
    c.rules = default_alert_rules();
    if (const auto it = m.find("alerts"); it != m.end()) {
        const std::string at = path + ".alerts";
        require_object(*it, at);
        std::set<std::string> names;
        for (const auto& r : c.rules) {
            names.insert(r.name);
        }
        refuse_unknown_keys(*it, names, at);
        for (auto& r : c.rules) {
            const auto rit = it->find(r.name);
            if (rit == it->end()) {
                continue;
            }
            const std::string rp = at + "." + r.name;
            require_object(*rit, rp);
            refuse_unknown_keys(*rit, {"enabled", "threshold", "clear", "window_s"}, rp);
            r.enabled = optional_bool(*rit, "enabled", r.enabled, rp);
            r.threshold = bounded_number(*rit, "threshold", 0, 1e9, r.threshold, rp);
            r.clear = bounded_number(*rit, "clear", 0, 1e9, r.clear, rp);
            r.window_s = static_cast<unsigned>(bounded_integer(*rit, "window_s", 0, 7 * 86400, r.window_s, rp));
            const bool below_is_bad = r.name == "sync_success";
            if (below_is_bad ? r.clear < r.threshold : r.clear > r.threshold) {
                throw ConfigError(rp + ".clear", below_is_bad
                                                     ? "must be at or above threshold (it is where the alert clears)"
                                                     : "must be at or below threshold (it is where the alert clears)");
            }
        }
    }
    return c;
}

BackupConfig parse_backup_config(const json& b) {
    const std::string path = "backup";
    require_object(b, path);
    refuse_unknown_keys(b, {"interval_s", "keep", "dir"}, path);
    BackupConfig c;
    c.interval_s = static_cast<unsigned>(bounded_integer(b, "interval_s", 0, 30 * 86400, c.interval_s, path));
    c.keep = static_cast<unsigned>(bounded_integer(b, "keep", 1, 1000, c.keep, path));
    if (const std::string* dir = optional_string(b, "dir", path)) {
        c.dir = *dir;
    }
    return c;
}

} // namespace erp::emag
