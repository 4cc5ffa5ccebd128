#include "config/plugin_config.hpp"

#include "config/config_fields.hpp"
#include "config/monitor_config.hpp"
#include "config/platforms.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace erp::emag {
namespace {

using nlohmann::json;

// Lengths match the emag_accounts columns (store/schema.cpp).
constexpr std::size_t kMaxName = 64;
constexpr std::size_t kMaxText = 255;
constexpr std::size_t kMaxTimezone = 64;

void check_length(const std::string& value, std::size_t max, const std::string& path) {
    if (value.size() > max) {
        throw ConfigError(path, "is longer than " + std::to_string(max) + " characters");
    }
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool is_env_name(const std::string& s) {
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) {
        return false;
    }
    for (char c : s) {
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

// IANA zone names: "Europe/Bucharest", "UTC", "America/Argentina/Buenos_Aires",
// "Etc/GMT+2". Checked for shape only: GCC 12 has no tz database in
// std::chrono, and a zone is looked up when it is first used.
bool looks_like_timezone(const std::string& s) {
    if (s.empty() || s.front() == '/' || s.back() == '/' || s.find("..") != std::string::npos) {
        return false;
    }
    for (char c : s) {
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '+' || c == '/')) {
            return false;
        }
    }
    return true;
}

// http(s)://host[...]: eMAG is HTTPS-only, plain http is for the local
// sandbox in tests and demos.
void check_base_url(const std::string& url, const std::string& path) {
    std::string_view rest;
    if (url.rfind("https://", 0) == 0) {
        rest = std::string_view(url).substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        rest = std::string_view(url).substr(7);
    } else {
        throw ConfigError(path, "must start with https:// or http://, got " + json_quoted(url));
    }
    if (rest.empty() || rest.front() == '/' || rest.front() == ':') {
        throw ConfigError(path, "names no host: " + json_quoted(url));
    }
    for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == '\x7f') {
            throw ConfigError(path, "must not contain spaces or control characters");
        }
    }
    check_length(url, kMaxText, path);
}

AccountConfig parse_account(const json& a, const std::string& path) {
    if (!a.is_object()) {
        throw ConfigError(path, std::string("expected an object, got ") + type_name(a));
    }
    refuse_unknown_keys(a,
                        {"name", "platform", "base_url", "username", "password_env", "password_file", "timezone",
                         "callback_token_env", "callback_token_file"},
                        path);
    AccountConfig acc;
    acc.path = path;

    acc.name = required_string(a, "name", path);
    for (char c : acc.name) {
        if (!is_name_char(c)) {
            throw ConfigError(path + ".name", json_quoted(acc.name) + " may contain only a-z, 0-9, _ and -");
        }
    }
    check_length(acc.name, kMaxName, path + ".name");

    const std::string& platform_id = required_string(a, "platform", path);
    const Platform* platform = find_platform(platform_id);
    if (platform == nullptr) {
        throw ConfigError(path + ".platform",
                          "unknown platform " + json_quoted(platform_id) + " (expected " + platform_ids_text() + ")");
    }
    acc.platform = std::string(platform->id);
    acc.currency = std::string(platform->currency);
    acc.locale = std::string(platform->locale);

    if (const std::string* url = optional_string(a, "base_url", path)) {
        check_base_url(*url, path + ".base_url");
        acc.base_url = *url;
    } else {
        acc.base_url = std::string(platform->base_url);
    }

    acc.username = required_string(a, "username", path);
    check_length(acc.username, kMaxText, path + ".username");

    const std::string* env = optional_string(a, "password_env", path);
    const std::string* file = optional_string(a, "password_file", path);
    if ((env == nullptr) == (file == nullptr)) {
        throw ConfigError(path, std::string("exactly one of password_env or password_file is required (") +
                                    (env ? "both given" : "neither given") + ")");
    }
    if (env != nullptr) {
        if (!is_env_name(*env)) {
            throw ConfigError(path + ".password_env", json_quoted(*env) + " is not an environment variable name");
        }
        acc.password = SecretRef{SecretRef::Kind::env, *env};
    } else {
        // The plugin cannot know what a relative path was relative to (the
        // host's config file? its working directory?), so it asks for clarity.
        if (file->empty() || !std::filesystem::path(*file).is_absolute()) {
            throw ConfigError(path + ".password_file", "must be an absolute path, got " + json_quoted(*file));
        }
        acc.password = SecretRef{SecretRef::Kind::file, *file};
    }

    const std::string* token_env = optional_string(a, "callback_token_env", path);
    const std::string* token_file = optional_string(a, "callback_token_file", path);
    if (token_env != nullptr && token_file != nullptr) {
        throw ConfigError(path, "give callback_token_env or callback_token_file, not both");
    }
    if (token_env != nullptr) {
        if (!is_env_name(*token_env)) {
            throw ConfigError(path + ".callback_token_env",
                              json_quoted(*token_env) + " is not an environment variable name");
        }
        acc.callback_token = SecretRef{SecretRef::Kind::env, *token_env};
    } else if (token_file != nullptr) {
        if (token_file->empty() || !std::filesystem::path(*token_file).is_absolute()) {
            throw ConfigError(path + ".callback_token_file",
                              "must be an absolute path, got " + json_quoted(*token_file));
        }
        acc.callback_token = SecretRef{SecretRef::Kind::file, *token_file};
    }

    if (const std::string* tz = optional_string(a, "timezone", path)) {
        if (!looks_like_timezone(*tz)) {
            throw ConfigError(path + ".timezone", json_quoted(*tz) + " is not an IANA time zone name");
        }
        check_length(*tz, kMaxTimezone, path + ".timezone");
        acc.timezone = *tz;
    } else {
        acc.timezone = std::string(platform->default_timezone);
    }
    return acc;
}

// start_pause_ms not given: parse_plugin_config makes it one window.
constexpr long long kStartPauseUnset = -1;

ClientOptions parse_api(const json& a) {
    const std::string path = "api";
    if (!a.is_object()) {
        throw ConfigError(path, std::string("expected an object, got ") + type_name(a));
    }
    refuse_unknown_keys(a,
                        {"connect_timeout_ms", "request_timeout_ms", "retry_delays_ms", "retry_jitter",
                         "rate_margin_ms", "max_in_flight_orders", "max_in_flight_other", "body_encoding",
                         "request_log_days", "start_pause_ms"},
                        path);
    ClientOptions o;
    using ms = std::chrono::milliseconds;
    o.transport.connect_timeout =
        ms(bounded_integer(a, "connect_timeout_ms", 100, 120000, o.transport.connect_timeout.count(), path));
    o.transport.request_timeout =
        ms(bounded_integer(a, "request_timeout_ms", 100, 600000, o.transport.request_timeout.count(), path));
    if (const auto it = a.find("retry_delays_ms"); it != a.end()) {
        if (!it->is_array() || it->size() > 10) {
            throw ConfigError(path + ".retry_delays_ms", "expected an array of at most 10 delays in milliseconds");
        }
        o.retry.delays.clear();
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& d = (*it)[i];
            const std::string where = path + ".retry_delays_ms[" + std::to_string(i) + "]";
            if (!d.is_number_integer() || d.get<long long>() < 0 || d.get<long long>() > 600000) {
                throw ConfigError(where, "expected an integer between 0 and 600000");
            }
            o.retry.delays.emplace_back(d.get<long long>());
        }
    }
    if (const auto it = a.find("retry_jitter"); it != a.end()) {
        if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1) {
            throw ConfigError(path + ".retry_jitter", "expected a number between 0 and 1");
        }
        o.retry.jitter = it->get<double>();
    }
    o.rate_margin = ms(bounded_integer(a, "rate_margin_ms", 0, 1000, o.rate_margin.count(), path));
    o.start_pause = ms(bounded_integer(a, "start_pause_ms", 0, 60000, kStartPauseUnset, path));
    o.max_in_flight_orders =
        static_cast<unsigned>(bounded_integer(a, "max_in_flight_orders", 1, 256, o.max_in_flight_orders, path));
    o.max_in_flight_other =
        static_cast<unsigned>(bounded_integer(a, "max_in_flight_other", 1, 256, o.max_in_flight_other, path));
    if (const std::string* enc = optional_string(a, "body_encoding", path)) {
        if (*enc == "form") {
            o.body_encoding = BodyEncoding::form;
        } else if (*enc == "json") {
            o.body_encoding = BodyEncoding::json;
        } else {
            throw ConfigError(path + ".body_encoding", json_quoted(*enc) + " is not form or json");
        }
    }
    o.request_log_days =
        static_cast<unsigned>(bounded_integer(a, "request_log_days", 1, 3650, o.request_log_days, path));
    return o;
}

OrdersConfig parse_orders(const json& o) {
    const std::string path = "orders";
    if (!o.is_object()) {
        throw ConfigError(path, std::string("expected an object, got ") + type_name(o));
    }
    refuse_unknown_keys(o,
                        {"acknowledge_new", "overlap_s", "settle_s", "first_run_days", "backfill_days",
                         "page_concurrency", "sync_interval_s"},
                        path);
    OrdersConfig c;
    if (const auto it = o.find("acknowledge_new"); it != o.end()) {
        if (!it->is_boolean()) {
            throw ConfigError(path + ".acknowledge_new", std::string("expected true or false, got ") + type_name(*it));
        }
        c.acknowledge_new = it->get<bool>();
    }
    const auto u = [&](const char* key, long long min, long long max, unsigned fallback) {
        return static_cast<unsigned>(bounded_integer(o, key, min, max, fallback, path));
    };
    c.overlap_s = u("overlap_s", 0, 86400, c.overlap_s);
    c.settle_s = u("settle_s", 0, 3600, c.settle_s);
    c.first_run_days = u("first_run_days", 1, 3650, c.first_run_days);
    c.backfill_days = u("backfill_days", 1, 3650, c.backfill_days);
    c.page_concurrency = u("page_concurrency", 1, 64, c.page_concurrency);
    c.sync_interval_s = u("sync_interval_s", 0, 86400, c.sync_interval_s);
    return c;
}

OffersConfig parse_offers(const json& o) {
    const std::string path = "offers";
    if (!o.is_object()) {
        throw ConfigError(path, std::string("expected an object, got ") + type_name(o));
    }
    refuse_unknown_keys(o,
                        {"sync_interval_s", "page_concurrency", "push_interval_s", "batch_size", "push_in_flight",
                         "max_attempts", "retry_delays_s"},
                        path);
    OffersConfig c;
    const auto u = [&](const char* key, long long min, long long max, unsigned fallback) {
        return static_cast<unsigned>(bounded_integer(o, key, min, max, fallback, path));
    };
    c.sync_interval_s = u("sync_interval_s", 0, 7 * 86400, c.sync_interval_s);
    c.page_concurrency = u("page_concurrency", 1, 16, c.page_concurrency);
    c.push_interval_s = u("push_interval_s", 1, 3600, c.push_interval_s);
    c.batch_size = u("batch_size", 1, 50, c.batch_size);
    c.push_in_flight = u("push_in_flight", 1, 16, c.push_in_flight);
    c.max_attempts = u("max_attempts", 1, 100, c.max_attempts);
    if (const auto it = o.find("retry_delays_s"); it != o.end()) {
        const std::string at = path + ".retry_delays_s";
        if (!it->is_array() || it->empty()) {
            throw ConfigError(at, std::string("expected a non-empty list of seconds, got ") + type_name(*it));
        }
        c.retry_delays_s.clear();
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& v = (*it)[i];
            if (!v.is_number_unsigned() || v.get<unsigned long long>() > 86400) {
                throw ConfigError(at + "[" + std::to_string(i) + "]", "expected a whole number of seconds 0..86400");
            }
            c.retry_delays_s.push_back(v.get<unsigned>());
        }
    }
    return c;
}

std::string trim_one_newline(std::string s) {
    if (!s.empty() && s.back() == '\n') {
        s.pop_back();
        if (!s.empty() && s.back() == '\r') {
            s.pop_back();
        }
    }
    return s;
}

std::string account_label(const AccountConfig& a) {
    return a.path + " (" + a.name + ")";
}

} // namespace

PluginConfig parse_plugin_config(std::string_view text) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        // nlohmann's message quotes bytes near the error, which may be part
        // of a secret someone pasted: keep only the position.
        throw ConfigError("config", "invalid JSON near byte " + std::to_string(e.byte));
    }
    if (root.is_null()) {
        root = json::object(); // an absent section
    }
    if (!root.is_object()) {
        throw ConfigError("config", std::string("expected an object, got ") + type_name(root));
    }
    refuse_unknown_keys(root, {"accounts", "api", "orders", "offers", "monitor", "backup"}, "");

    PluginConfig cfg;
    const auto api = root.find("api");
    if (api != root.end()) {
        cfg.api = parse_api(*api);
    }
    if (api == root.end() || cfg.api.start_pause.count() == kStartPauseUnset) {
        cfg.api.start_pause = std::chrono::milliseconds(1000) + cfg.api.rate_margin; // one window
    }
    if (const auto orders = root.find("orders"); orders != root.end()) {
        cfg.orders = parse_orders(*orders);
    }
    if (const auto offers = root.find("offers"); offers != root.end()) {
        cfg.offers = parse_offers(*offers);
    }
    cfg.monitor.rules = default_alert_rules();
    if (const auto monitor = root.find("monitor"); monitor != root.end()) {
        cfg.monitor = parse_monitor_config(*monitor);
    }
    if (const auto backup = root.find("backup"); backup != root.end()) {
        cfg.backup = parse_backup_config(*backup);
    }
    const auto it = root.find("accounts");
    if (it == root.end()) {
        return cfg;
    }
    if (!it->is_array()) {
        throw ConfigError("accounts", std::string("expected an array, got ") + type_name(*it));
    }
    std::map<std::string, std::string> seen; // name -> path
    for (std::size_t i = 0; i < it->size(); ++i) {
        const std::string path = "accounts[" + std::to_string(i) + "]";
        AccountConfig acc = parse_account((*it)[i], path);
        const auto [pos, inserted] = seen.emplace(acc.name, path);
        if (!inserted) {
            throw ConfigError(path + ".name",
                              "duplicate account name " + json_quoted(acc.name) + " (also " + pos->second + ")");
        }
        cfg.accounts.push_back(std::move(acc));
    }
    return cfg;
}

namespace {

// Reads a secret from its environment variable or file; `what` names it in
// messages ("password", "callback token"), which never contain the value.
Secret read_secret(const SecretRef& ref, const std::string& who, const std::string& what) {
    // "environment variable X is not set" for the password (the common
    // case), "... X (callback token) ..." for the others.
    const std::string which = what == "password" ? std::string() : " (" + what + ")";
    if (ref.kind == SecretRef::Kind::env) {
        const char* value = std::getenv(ref.name.c_str());
        if (value == nullptr) {
            throw ConfigError(who, "environment variable " + ref.name + which + " is not set");
        }
        std::string v = trim_one_newline(value);
        if (v.empty()) {
            throw ConfigError(who, "environment variable " + ref.name + which + " is empty");
        }
        return Secret(std::move(v));
    }
    std::ifstream in(ref.name, std::ios::binary);
    if (!in) {
        throw ConfigError(who, what + " file " + ref.name + " cannot be read");
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        throw ConfigError(who, what + " file " + ref.name + " cannot be read");
    }
    Secret secret(trim_one_newline(std::move(content)));
    if (secret.empty()) {
        throw ConfigError(who, what + " file " + ref.name + " is empty");
    }
    return secret;
}

} // namespace

Secret resolve_password(const AccountConfig& account) {
    return read_secret(account.password, account_label(account), "password");
}

std::vector<ResolvedAccount> resolve_accounts(const PluginConfig& config) {
    std::vector<ResolvedAccount> out;
    out.reserve(config.accounts.size());
    for (const AccountConfig& a : config.accounts) {
        Secret token;
        if (a.callback_token) {
            token = read_secret(*a.callback_token, account_label(a), "callback token");
        }
        out.push_back(ResolvedAccount{a, resolve_password(a), std::move(token)});
    }
    return out;
}

} // namespace erp::emag
