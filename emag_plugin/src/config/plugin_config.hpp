// The eMAG plugin's configuration: the host hands over the [plugins.emag]
// section of its TOML config as JSON. Parsing validates everything and says
// where a problem is ("accounts[1].platform: ..."); resolving the secrets it
// names (environment variable or file) is a separate step, because secrets
// never sit in the config itself.
#pragma once

#include "api/client_options.hpp"
#include "config/monitor_config.hpp"
#include "config/secret.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace erp::emag {

// A configuration problem. what() is "<path>: <reason>", e.g.
// `accounts[1].platform: unknown platform "pl" (expected ro, bg, hu, fd-ro, fd-bg)`.
// Never contains a secret.
class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string path, const std::string& reason)
        : std::runtime_error(path + ": " + reason), path_(std::move(path)) {}
    const std::string& path() const noexcept { return path_; }

  private:
    std::string path_;
};

// Where an account's password comes from: the config names it, never holds it.
struct SecretRef {
    enum class Kind { env, file };
    Kind kind = Kind::env;
    std::string name; // variable name, or absolute file path
};

// One account, validated, with the platform's defaults already applied.
struct AccountConfig {
    std::string name;     // [a-z0-9_-]{1,64}, unique
    std::string platform; // Platform::id
    std::string base_url; // the override, else the platform's URL
    std::string username;
    SecretRef password;
    // The new-order callback's token (callback_token_env / _file); absent:
    // the callback route refuses this account's calls.
    std::optional<SecretRef> callback_token;
    std::string timezone; // the override, else the platform's default zone
    std::string currency; // from the platform
    std::string locale;   // from the platform
    std::string path;     // "accounts[0]": for messages about this account
};

// The `orders` section: how orders are synchronized (orders/order_sync.hpp).
struct OrdersConfig {
    bool acknowledge_new = true;    // acknowledge new FBS orders once stored
    unsigned overlap_s = 300;       // each pass re-reads this much before its cursor
    unsigned settle_s = 30;         // a pass ends this long before now (clock skew with eMAG)
    unsigned first_run_days = 30;   // how far back a stream's first pass reaches
    unsigned backfill_days = 90;    // how far back emag.orders.backfill reaches by default
    unsigned page_concurrency = 12; // pages requested at once
    unsigned sync_interval_s = 60;  // emag.orders.sync's schedule
};

// The `offers` section: offer sync and the outbound queue (offers/).
struct OffersConfig {
    unsigned sync_interval_s = 3600;                          // emag.offers.sync's schedule (0 = only when run)
    unsigned page_concurrency = 3;                            // product_offer pages requested at once
    unsigned push_interval_s = 5;                             // the background pusher's wake-up for retries
    unsigned batch_size = 50;                                 // offers per offer/save (eMAG's maximum)
    unsigned push_in_flight = 3;                              // offer/save calls at once
    unsigned max_attempts = 8;                                // then a change is failed (dead letter)
    std::vector<unsigned> retry_delays_s = {5, 30, 120, 600}; // after the 1st, 2nd, ... failed attempt
};

struct PluginConfig {
    std::vector<AccountConfig> accounts; // may be empty: the plugin then idles
    // The `api` section: timeouts, retries, rate-limit margin, concurrency,
    // body encoding, request-log retention (all optional).
    ClientOptions api;
    OrdersConfig orders;
    OffersConfig offers;
    MonitorConfig monitor;
    BackupConfig backup;
};

// Parses and validates the config JSON. Throws ConfigError.
PluginConfig parse_plugin_config(std::string_view json);

// Reads the account's password from its environment variable or file (one
// trailing newline, LF or CRLF, is trimmed: files written by `echo` end in
// one). Throws ConfigError naming the account and the variable/file when it
// is missing, unreadable or empty; the message never contains the value.
Secret resolve_password(const AccountConfig& account);

// An account ready to use: its config, its password and its callback token
// (empty when none is configured).
struct ResolvedAccount {
    AccountConfig config;
    Secret password;
    Secret callback_token;
};

// resolve_password for every account, in order. Throws ConfigError.
std::vector<ResolvedAccount> resolve_accounts(const PluginConfig& config);

} // namespace erp::emag
