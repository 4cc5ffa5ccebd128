#define BOOST_TEST_MODULE emag_config
#include <boost/test/unit_test.hpp>

// emag_core's configuration, secrets, schema, account store and monitoring
// documents. The store runs on a real SQLite file whose tables are created by
// the host's own migration code from the plugin's DB mapping, as in
// production.

#include "config/platforms.hpp"
#include "config/plugin_config.hpp"
#include "config/secret.hpp"
#include "emag_migrate.hpp"
#include "monitor/health.hpp"
#include "monitor/status.hpp"
#include "store/account_store.hpp"
#include "store/schema.hpp"
#include "store/timestamp.hpp"
#include "test_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>

using erp::emag::ConfigError;
using erp::emag::parse_plugin_config;
using json = nlohmann::json;

namespace {

// Parses `config` expecting a ConfigError and returns its message.
std::string config_error(const std::string& config) {
    try {
        parse_plugin_config(config);
    } catch (const ConfigError& e) {
        return e.what();
    }
    BOOST_FAIL("no ConfigError for: " << config);
    return {};
}

// A one-account config with `extra` members spliced into the account.
std::string one_account(const std::string& extra,
                        const std::string& base = R"("name":"ro1","platform":"ro","username":"seller@example.ro")") {
    return R"({"accounts":[{)" + base + (extra.empty() ? "" : "," + extra) + "}]}";
}

// Sets an environment variable for one test and removes it afterwards.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
    ~ScopedEnv() { ::unsetenv(name_.c_str()); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    std::string name_;
};

std::string resolve_error(const erp::emag::AccountConfig& account) {
    try {
        erp::emag::resolve_password(account);
    } catch (const ConfigError& e) {
        return e.what();
    }
    BOOST_FAIL("no ConfigError resolving " << account.name);
    return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

} // namespace

// ============================================================================

BOOST_AUTO_TEST_SUITE(platforms)

BOOST_AUTO_TEST_CASE(table_matches_the_api_reference) {
    struct Expected {
        const char *id, *url, *locale, *currency, *tz;
    };
    const Expected expected[] = {
        {"ro", "https://marketplace-api.emag.ro/api-3", "ro_RO", "RON", "Europe/Bucharest"},
        {"bg", "https://marketplace-api.emag.bg/api-3", "bg_BG", "BGN", "Europe/Sofia"},
        {"hu", "https://marketplace-api.emag.hu/api-3", "hu_HU", "HUF", "Europe/Budapest"},
        {"fd-ro", "https://marketplace-ro-api.fashiondays.com/api-3", "ro_RO", "RON", "Europe/Bucharest"},
        {"fd-bg", "https://marketplace-bg-api.fashiondays.com/api-3", "bg_BG", "BGN", "Europe/Sofia"},
    };
    BOOST_TEST(erp::emag::all_platforms().size() == std::size(expected));
    for (const Expected& e : expected) {
        BOOST_TEST_CONTEXT("platform " << e.id) {
            const erp::emag::Platform* p = erp::emag::find_platform(e.id);
            BOOST_TEST_REQUIRE(p != nullptr);
            BOOST_TEST(p->base_url == e.url);
            BOOST_TEST(p->locale == e.locale);
            BOOST_TEST(p->currency == e.currency);
            BOOST_TEST(p->default_timezone == e.tz);
        }
    }
    BOOST_TEST(erp::emag::find_platform("pl") == nullptr);
    BOOST_TEST(erp::emag::find_platform("RO") == nullptr); // ids are exact
    BOOST_TEST(erp::emag::platform_ids_text() == "ro, bg, hu, fd-ro, fd-bg");
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(config_parsing)

BOOST_AUTO_TEST_CASE(valid_config_applies_platform_defaults_and_overrides) {
    const auto cfg = parse_plugin_config(R"({"accounts":[
        {"name":"ro1","platform":"ro","username":"seller@example.ro","password_env":"EMAG_RO1_PASSWORD"},
        {"name":"fd_bg-2","platform":"fd-bg","username":"u2","password_file":"/run/secrets/emag_bg",
         "base_url":"http://127.0.0.1:8089/api-3","timezone":"UTC"}]})");
    BOOST_TEST_REQUIRE(cfg.accounts.size() == 2u);
    const auto& ro = cfg.accounts[0];
    BOOST_TEST(ro.name == "ro1");
    BOOST_TEST(ro.platform == "ro");
    BOOST_TEST(ro.base_url == "https://marketplace-api.emag.ro/api-3");
    BOOST_TEST(ro.currency == "RON");
    BOOST_TEST(ro.locale == "ro_RO");
    BOOST_TEST(ro.timezone == "Europe/Bucharest");
    BOOST_TEST(ro.username == "seller@example.ro");
    BOOST_TEST((ro.password.kind == erp::emag::SecretRef::Kind::env));
    BOOST_TEST(ro.password.name == "EMAG_RO1_PASSWORD");
    const auto& bg = cfg.accounts[1];
    BOOST_TEST(bg.base_url == "http://127.0.0.1:8089/api-3");
    BOOST_TEST(bg.timezone == "UTC");
    BOOST_TEST(bg.currency == "BGN");
    BOOST_TEST((bg.password.kind == erp::emag::SecretRef::Kind::file));
    BOOST_TEST(bg.password.name == "/run/secrets/emag_bg");
}

BOOST_AUTO_TEST_CASE(an_empty_or_absent_section_means_no_accounts) {
    BOOST_TEST(parse_plugin_config("{}").accounts.empty());
    BOOST_TEST(parse_plugin_config("null").accounts.empty());
    BOOST_TEST(parse_plugin_config(R"({"accounts":[]})").accounts.empty());
}

BOOST_AUTO_TEST_CASE(inline_password_is_refused_without_echoing_it) {
    const std::string msg = config_error(one_account(R"("password":"hunter2")"));
    BOOST_TEST(msg == "accounts[0].password: inline secrets are not allowed; use password_env or password_file");
    BOOST_TEST(!contains(msg, "hunter2"));
}

BOOST_AUTO_TEST_CASE(unknown_platform_names_the_path_and_the_choices) {
    const std::string two = R"({"accounts":[
        {"name":"ro1","platform":"ro","username":"u","password_env":"A"},
        {"name":"pl1","platform":"pl","username":"u","password_env":"B"}]})";
    BOOST_TEST(config_error(two) ==
               R"(accounts[1].platform: unknown platform "pl" (expected ro, bg, hu, fd-ro, fd-bg))");
}

BOOST_AUTO_TEST_CASE(duplicate_names_are_refused) {
    const std::string msg = config_error(R"({"accounts":[
        {"name":"ro1","platform":"ro","username":"u","password_env":"A"},
        {"name":"ro1","platform":"bg","username":"u","password_env":"B"}]})");
    BOOST_TEST(msg == R"(accounts[1].name: duplicate account name "ro1" (also accounts[0]))");
}

BOOST_AUTO_TEST_CASE(exactly_one_password_source) {
    BOOST_TEST(config_error(one_account(R"("password_env":"A","password_file":"/x")")) ==
               "accounts[0]: exactly one of password_env or password_file is required (both given)");
    BOOST_TEST(config_error(one_account("")) ==
               "accounts[0]: exactly one of password_env or password_file is required (neither given)");
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_refused_at_every_level) {
    BOOST_TEST(
        contains(config_error(one_account(R"("password_env":"A","usernme":"x")")), "accounts[0].usernme: unknown key"));
    BOOST_TEST(contains(config_error(R"({"acounts":[]})"), "acounts: unknown key"));
}

// A restarted host waits one rate window before its first request; the
// offers section has defaults, bounds and path-named errors like the rest.
BOOST_AUTO_TEST_CASE(start_pause_and_offers_section) {
    BOOST_TEST(parse_plugin_config("{}").api.start_pause.count() == 1030);
    BOOST_TEST(parse_plugin_config(R"({"api":{"rate_margin_ms":100}})").api.start_pause.count() == 1100);
    BOOST_TEST(parse_plugin_config(R"({"api":{"start_pause_ms":0}})").api.start_pause.count() == 0);
    BOOST_TEST(contains(config_error(R"({"api":{"start_pause_ms":-5}})"), "api.start_pause_ms"));
    const auto d = parse_plugin_config("{}");
    BOOST_TEST(d.offers.batch_size == 50u);
    BOOST_TEST(d.offers.retry_delays_s.size() == 4u);
    const auto c = parse_plugin_config(R"({"offers":{"batch_size":10,"push_in_flight":2,"retry_delays_s":[1,2]}})");
    BOOST_TEST(c.offers.batch_size == 10u);
    BOOST_TEST(c.offers.push_in_flight == 2u);
    BOOST_TEST((c.offers.retry_delays_s == std::vector<unsigned>{1, 2}));
    BOOST_TEST(contains(config_error(R"({"offers":{"batch_size":51}})"), "offers.batch_size"));
    BOOST_TEST(contains(config_error(R"({"offers":{"retry_delays_s":[]}})"), "offers.retry_delays_s"));
    BOOST_TEST(contains(config_error(R"({"offers":{"retry_delays_s":[1,"x"]}})"), "offers.retry_delays_s[1]"));
    BOOST_TEST(contains(config_error(R"({"offers":{"push_every":1}})"), "offers.push_every: unknown key"));
}

BOOST_AUTO_TEST_CASE(malformed_types_and_values_say_where) {
    BOOST_TEST(config_error(R"({"accounts":{}})") == "accounts: expected an array, got object");
    BOOST_TEST(config_error(R"({"accounts":["ro1"]})") == "accounts[0]: expected an object, got string");
    BOOST_TEST(config_error(R"([1])") == "config: expected an object, got array");
    BOOST_TEST(config_error(one_account(R"("password_env":"A")", R"("name":"ro1","platform":"ro","username":42)")) ==
               "accounts[0].username: expected a string, got number");
    BOOST_TEST(config_error(one_account(R"("password_env":"A")", R"("name":"ro1","platform":"ro")")) ==
               "accounts[0].username: is required");
    BOOST_TEST(
        contains(config_error(one_account(R"("password_env":"A")", R"("name":"Ro 1","platform":"ro","username":"u")")),
                 "accounts[0].name: \"Ro 1\" may contain only"));
    BOOST_TEST(contains(config_error(one_account(R"("password_env":"A","base_url":"ftp://x")")),
                        "accounts[0].base_url: must start with https:// or http://"));
    BOOST_TEST(contains(config_error(one_account(R"("password_env":"A","base_url":"https://")")),
                        "accounts[0].base_url: names no host"));
    BOOST_TEST(contains(config_error(one_account(R"("password_file":"secrets/pw")")),
                        "accounts[0].password_file: must be an absolute path"));
    BOOST_TEST(contains(config_error(one_account(R"("password_env":"1BAD")")), "accounts[0].password_env:"));
    BOOST_TEST(contains(config_error(one_account(R"("password_env":"A","timezone":"../etc/passwd")")),
                        "accounts[0].timezone:"));
    BOOST_TEST(contains(config_error(one_account(R"("password_env":"A","timezone":7)")),
                        "accounts[0].timezone: expected a string, got number"));
}

BOOST_AUTO_TEST_CASE(invalid_json_reports_a_position_not_the_text) {
    const std::string msg = config_error(R"({"accounts":[{"password":"hunter2")");
    BOOST_TEST(contains(msg, "config: invalid JSON near byte"));
    BOOST_TEST(!contains(msg, "hunter2"));
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(secrets)

BOOST_AUTO_TEST_CASE(password_from_an_environment_variable) {
    const ScopedEnv env("EMAG_TEST_PW_ENV", "s3cr3t-env\n");
    const auto cfg = parse_plugin_config(one_account(R"("password_env":"EMAG_TEST_PW_ENV")"));
    BOOST_TEST(erp::emag::resolve_password(cfg.accounts[0]).reveal() == "s3cr3t-env");
}

BOOST_AUTO_TEST_CASE(password_from_a_file_with_one_trailing_newline_trimmed) {
    erp::test::TempDir dir;
    erp::test::write_file(dir / "crlf", "s3cr3t-file\r\n");
    erp::test::write_file(dir / "two", "two-newlines\n\n");
    erp::test::write_file(dir / "plain", "  spaces kept  ");
    const auto cfg = parse_plugin_config(R"({"accounts":[
        {"name":"a","platform":"ro","username":"u","password_file":")" +
                                         (dir / "crlf").string() + R"("},
        {"name":"b","platform":"bg","username":"u","password_file":")" +
                                         (dir / "two").string() + R"("},
        {"name":"c","platform":"hu","username":"u","password_file":")" +
                                         (dir / "plain").string() + R"("}]})");
    const auto resolved = erp::emag::resolve_accounts(cfg);
    BOOST_TEST_REQUIRE(resolved.size() == 3u);
    BOOST_TEST(resolved[0].password.reveal() == "s3cr3t-file");
    BOOST_TEST(resolved[1].password.reveal() == "two-newlines\n");
    BOOST_TEST(resolved[2].password.reveal() == "  spaces kept  ");
    BOOST_TEST(resolved[2].config.name == "c");
}

BOOST_AUTO_TEST_CASE(missing_secrets_name_the_account_and_source_but_never_a_value) {
    ::unsetenv("EMAG_TEST_PW_UNSET");
    const auto unset = parse_plugin_config(one_account(R"("password_env":"EMAG_TEST_PW_UNSET")"));
    const std::string msg_unset = resolve_error(unset.accounts[0]);
    BOOST_TEST(msg_unset == "accounts[0] (ro1): environment variable EMAG_TEST_PW_UNSET is not set");

    const ScopedEnv empty("EMAG_TEST_PW_EMPTY", "\n");
    const auto empty_cfg = parse_plugin_config(one_account(R"("password_env":"EMAG_TEST_PW_EMPTY")"));
    BOOST_TEST(resolve_error(empty_cfg.accounts[0]) ==
               "accounts[0] (ro1): environment variable EMAG_TEST_PW_EMPTY is empty");

    erp::test::TempDir dir;
    const std::string missing = (dir / "nope").string();
    const auto file_cfg = parse_plugin_config(one_account(R"("password_file":")" + missing + R"(")"));
    BOOST_TEST(resolve_error(file_cfg.accounts[0]) ==
               "accounts[0] (ro1): password file " + missing + " cannot be read");

    // A second account's secret is present; the first one's is not: the
    // error names the failing account and contains none of the values.
    const ScopedEnv good("EMAG_TEST_PW_GOOD", "value-that-must-not-leak");
    const auto two = parse_plugin_config(R"({"accounts":[
        {"name":"ok","platform":"ro","username":"u","password_env":"EMAG_TEST_PW_GOOD"},
        {"name":"bad","platform":"bg","username":"u","password_env":"EMAG_TEST_PW_UNSET"}]})");
    try {
        erp::emag::resolve_accounts(two);
        BOOST_FAIL("resolve_accounts accepted a missing secret");
    } catch (const ConfigError& e) {
        const std::string msg = e.what();
        BOOST_TEST(contains(msg, "accounts[1] (bad)"));
        BOOST_TEST(contains(msg, "EMAG_TEST_PW_UNSET"));
        BOOST_TEST(!contains(msg, "value-that-must-not-leak"));
    }
}

BOOST_AUTO_TEST_CASE(formatting_a_secret_never_prints_it) {
    const erp::emag::Secret secret("hunter2-the-password");
    std::ostringstream os;
    os << secret;
    BOOST_TEST(os.str() == "<redacted>");
    BOOST_TEST(fmt::format("pw={}", secret) == "pw=<redacted>");
    BOOST_TEST(fmt::format("{:>12}", secret) == "  <redacted>");

    // spdlog formats with fmt: a careless log line stays clean too.
    std::ostringstream log_out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_out);
    spdlog::logger logger("secret_test", sink);
    logger.info("connecting with {}", secret);
    logger.flush();
    BOOST_TEST(contains(log_out.str(), "connecting with <redacted>"));
    BOOST_TEST(!contains(log_out.str(), "hunter2"));

    BOOST_TEST(secret.reveal() == "hunter2-the-password"); // still usable on purpose
    erp::emag::Secret moved_to(std::move(const_cast<erp::emag::Secret&>(secret)));
    BOOST_TEST(moved_to.reveal() == "hunter2-the-password");
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(schema)

BOOST_AUTO_TEST_CASE(v1_declares_emag_accounts_without_any_password_column) {
    const auto versions = erp::emag::schema_versions();
    BOOST_TEST_REQUIRE(versions.size() >= 1u);
    BOOST_TEST(versions[0].version == 1u);
    const json decl = json::parse(versions[0].declaration_json);
    const json& tables = decl.at("create_tables");
    BOOST_TEST_REQUIRE(tables.size() == 1u);
    const json& t = tables[0];
    BOOST_TEST(t.at("name") == "emag_accounts");
    BOOST_TEST(t.at("primary_key") == json::array({"name"}));
    std::set<std::string> names;
    for (const json& c : t.at("columns")) {
        const std::string name = c.at("name");
        names.insert(name);
        BOOST_TEST(!contains(name, "pass"), "column " << name);
        BOOST_TEST(!contains(name, "secret"), "column " << name);
    }
    const std::set<std::string> expected{"name",   "platform", "base_url",   "username",  "currency",
                                         "locale", "timezone", "created_at", "updated_at"};
    BOOST_TEST(names == expected, boost::test_tools::per_element());
    const json& name_col = t.at("columns")[0];
    BOOST_TEST(name_col.at("type") == "string");
    BOOST_TEST(name_col.at("size") == 64);
    BOOST_TEST(name_col.at("nullable") == false);
}

BOOST_AUTO_TEST_CASE(every_version_passes_the_hosts_validation) {
    uint32_t previous = 0;
    for (const auto& v : erp::emag::schema_versions()) {
        BOOST_TEST(v.version > previous);
        previous = v.version;
        BOOST_TEST(erp::host::validate_declaration("emag", std::string(v.declaration_json)) == "",
                   "version " << v.version);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(account_store)

BOOST_AUTO_TEST_CASE(timestamps_are_iso8601_utc) {
    BOOST_TEST(erp::emag::iso8601_utc(0) == "1970-01-01T00:00:00Z");
    BOOST_TEST(erp::emag::iso8601_utc(1700000000999) == "2023-11-14T22:13:20Z");
    BOOST_TEST(erp::emag::iso8601_utc(951782400000) == "2000-02-29T00:00:00Z"); // leap day
    BOOST_TEST(erp::emag::iso8601_utc(-1) == "1969-12-31T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(upsert_inserts_then_updates_keeping_created_at_on_sqlite) {
    erp::test::TempDir dir;
    const std::string url = "sqlite3://db=" + (dir / "erp.db").string();
    erp::test::migrate_emag_tables(url);

    auto cfg = parse_plugin_config(R"({"accounts":[
        {"name":"ro1","platform":"ro","username":"u-ro","password_env":"A"},
        {"name":"bg1","platform":"bg","username":"u-bg","password_env":"B"}]})");
    std::vector<erp::emag::AccountRecord> records;
    for (const auto& a : cfg.accounts) {
        records.push_back(erp::emag::to_record(a));
    }

    erp::emag::AccountStore store(url);
    store.upsert(records, "2024-01-01T10:00:00Z");
    auto rows = store.list();
    BOOST_TEST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].name == "bg1"); // ordered by name
    BOOST_TEST(rows[0].platform == "bg");
    BOOST_TEST(rows[0].currency == "BGN");
    BOOST_TEST(rows[0].locale == "bg_BG");
    BOOST_TEST(rows[0].timezone == "Europe/Sofia");
    BOOST_TEST(rows[0].base_url == "https://marketplace-api.emag.bg/api-3");
    BOOST_TEST(rows[0].username == "u-bg");
    BOOST_TEST(rows[0].created_at == "2024-01-01T10:00:00Z");
    BOOST_TEST(rows[0].updated_at == "2024-01-01T10:00:00Z");

    // Later start: ro1's user changed, hu1 is new, bg1 was removed from the
    // config but stays in the table.
    records[0].username = "u-ro-new";
    records[1] = erp::emag::to_record(
        parse_plugin_config(one_account(R"("password_env":"C")", R"("name":"hu1","platform":"hu","username":"u-hu")"))
            .accounts[0]);
    store.upsert(records, "2024-02-01T08:30:00Z");
    rows = store.list();
    BOOST_TEST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(rows[0].name == "bg1");
    BOOST_TEST(rows[0].updated_at == "2024-01-01T10:00:00Z");
    BOOST_TEST(rows[1].name == "hu1");
    BOOST_TEST(rows[1].created_at == "2024-02-01T08:30:00Z");
    BOOST_TEST(rows[1].currency == "HUF");
    BOOST_TEST(rows[2].name == "ro1");
    BOOST_TEST(rows[2].username == "u-ro-new");
    BOOST_TEST(rows[2].created_at == "2024-01-01T10:00:00Z"); // kept
    BOOST_TEST(rows[2].updated_at == "2024-02-01T08:30:00Z");

    // A second store (a second session on the same file) sees the same rows.
    erp::emag::AccountStore again(url);
    BOOST_TEST(again.list().size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_missing_table_is_an_error_not_a_silent_success) {
    erp::test::TempDir dir;
    erp::emag::AccountStore store("sqlite3://db=" + (dir / "empty.db").string());
    BOOST_CHECK_THROW(store.upsert({erp::emag::AccountRecord{"x", "ro", "", "", "", "", "", "", ""}}, "t"),
                      std::exception);
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(monitoring)

BOOST_AUTO_TEST_CASE(health_before_the_monitor_runs_counts_credentials) {
    const auto score = [](bool credentials_ok) {
        erp::emag::HealthInputs in;
        in.credentials_ok = credentials_ok;
        return erp::emag::score_account(in);
    };
    const json ok = json::parse(erp::emag::health_json({{"ro1", score(true)}, {"bg1", score(true)}}));
    BOOST_TEST(ok.at("status") == "ok");
    BOOST_TEST(ok.at("score") == 100);
    BOOST_TEST(ok.at("detail").at("accounts").at("bg1").at("score") == 100);
    const json down = json::parse(erp::emag::health_json({{"ro1", score(true)}, {"bg1", score(false)}}));
    BOOST_TEST(down.at("status") == "down");
    BOOST_TEST(down.at("score") == 0); // the worst account's score
    BOOST_TEST(down.at("detail").at("accounts").at("bg1").at("penalties").at(0).at("reason") == "credentials missing");
    BOOST_TEST(json::parse(erp::emag::health_json({})).at("status") == "ok");
}

BOOST_AUTO_TEST_CASE(metrics_follow_the_abi_format) {
    const json m = json::parse(erp::emag::metrics_json({{"ro1", "ro", true}, {"fd1", "fd-ro", true}}));
    const json& list = m.at("metrics");
    BOOST_TEST_REQUIRE(list.size() == 3u);
    BOOST_TEST(list[0].at("name") == "emag_accounts_configured");
    BOOST_TEST(list[0].at("type") == "gauge");
    BOOST_TEST(list[0].at("value") == 2);
    BOOST_TEST(list[0].at("labels") == json::object());
    BOOST_TEST(list[2].at("name") == "emag_account_info");
    BOOST_TEST(list[2].at("labels") == json::parse(R"({"account":"fd1","platform":"fd-ro"})"));
    BOOST_TEST(list[2].at("value") == 1);
    for (const json& metric : list) {
        BOOST_TEST(metric.at("help").get<std::string>().size() > 0u);
    }
}

BOOST_AUTO_TEST_CASE(metrics_count_the_outbound_queue_by_state) {
    const json m =
        json::parse(erp::emag::metrics_json({{"ro1", "ro", true}}, {}, {{"ro1", {{"queued", 4}, {"failed", 1}}}}));
    std::map<std::string, long long> by_state;
    for (const json& metric : m.at("metrics")) {
        if (metric.at("name") == "emag_outbound_changes") {
            BOOST_TEST(metric.at("labels").at("account") == "ro1");
            by_state[metric.at("labels").at("state").get<std::string>()] = metric.at("value").get<long long>();
        }
    }
    BOOST_TEST(by_state.size() == 6u); // every state, zeros too
    BOOST_TEST(by_state["queued"] == 4);
    BOOST_TEST(by_state["failed"] == 1);
    BOOST_TEST(by_state["confirmed"] == 0);
}

BOOST_AUTO_TEST_CASE(status_lists_accounts_and_never_a_password) {
    const ScopedEnv env("EMAG_TEST_PW_STATUS", "status-secret-value");
    const auto resolved =
        erp::emag::resolve_accounts(parse_plugin_config(one_account(R"("password_env":"EMAG_TEST_PW_STATUS")")));
    const std::string body = erp::emag::status_json("0.1.0", {{&resolved[0].config, true, std::nullopt}});
    const json s = json::parse(body);
    BOOST_TEST(s.at("plugin") == "emag");
    BOOST_TEST(s.at("version") == "0.1.0");
    const json& a = s.at("accounts").at(0);
    BOOST_TEST(a == json::parse(R"({"name":"ro1","platform":"ro","base_url":"https://marketplace-api.emag.ro/api-3",
        "currency":"RON","locale":"ro_RO","timezone":"Europe/Bucharest","username":"seller@example.ro",
        "credentials":"ok"})"));
    BOOST_TEST(!contains(body, "status-secret-value"));
    BOOST_TEST(!contains(body, "password"));
}

BOOST_AUTO_TEST_SUITE_END()
