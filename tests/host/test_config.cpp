#define BOOST_TEST_MODULE host_config
#include <boost/test/unit_test.hpp>

#include "config.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>

using erp::host::ConfigError;
using erp::host::HostConfig;
using erp::host::parse_config;
using erp::test::TempDir;

namespace {

// Runs parse_config expecting a ConfigError; returns it for inspection.
ConfigError expect_error(const std::string& toml, const std::string& file = "/etc/erp/erp-host.toml") {
    try {
        parse_config(toml, file);
    } catch (const ConfigError& e) {
        return e;
    }
    BOOST_FAIL("expected a ConfigError for:\n" + toml);
    throw std::logic_error("unreachable");
}

} // namespace

BOOST_AUTO_TEST_CASE(full_config_is_read) {
    ::setenv("ERP_TEST_ADMIN_TOKEN", "0123456789abcdef-secret", 1);
    const HostConfig cfg = parse_config(R"(
[host]
listen = "127.0.0.1:9090"
data_dir = "var"
log_level = "debug"
admin_token_env = "ERP_TEST_ADMIN_TOKEN"
http_threads = 3
worker_threads = 5

[database]
url = "postgresql://host=127.0.0.1 dbname=erp"

[plugins]
dir = "/opt/erp/plugins"
enabled = ["emag", "hello_c"]

[plugins.emag]
ack_new_orders = true
[[plugins.emag.accounts]]
name = "ro1"
platform = "ro"
password_env = "EMAG_RO1"

[schedule]
"emag.orders.sync" = 60
)",
                                        "/etc/erp/erp-host.toml");
    BOOST_TEST(cfg.listen_address == "127.0.0.1");
    BOOST_TEST(cfg.port == 9090);
    BOOST_TEST(cfg.data_dir.string() == "/etc/erp/var");
    BOOST_TEST(cfg.log_level == "debug");
    BOOST_TEST(cfg.admin_token == "0123456789abcdef-secret");
    BOOST_TEST(cfg.admin_token_source == "env ERP_TEST_ADMIN_TOKEN");
    BOOST_TEST(cfg.http_threads == 3u);
    BOOST_TEST(cfg.worker_threads == 5u);
    BOOST_TEST(cfg.database_url == "postgresql://host=127.0.0.1 dbname=erp");
    BOOST_TEST(cfg.plugins_dir.string() == "/opt/erp/plugins");
    BOOST_TEST(cfg.enabled == (std::vector<std::string>{"emag", "hello_c"}), boost::test_tools::per_element());
    const auto emag = nlohmann::json::parse(cfg.plugin_config("emag"));
    BOOST_TEST(emag["ack_new_orders"].get<bool>());
    BOOST_TEST(emag["accounts"][0]["name"].get<std::string>() == "ro1");
    BOOST_TEST(emag["accounts"][0]["password_env"].get<std::string>() == "EMAG_RO1");
    BOOST_TEST(cfg.plugin_config("hello_c") == "{}");
    BOOST_TEST(cfg.schedule.at("emag.orders.sync") == 60);
    ::unsetenv("ERP_TEST_ADMIN_TOKEN");
}

BOOST_AUTO_TEST_CASE(defaults_are_loopback_and_sqlite) {
    const HostConfig cfg = parse_config("", "/srv/erp/erp-host.toml");
    BOOST_TEST(cfg.listen_address == "127.0.0.1");
    BOOST_TEST(cfg.port == 8080);
    BOOST_TEST(cfg.listens_on_loopback());
    BOOST_TEST(cfg.database_url == "sqlite3:/srv/erp/data/erp.db");
    BOOST_TEST(cfg.plugins_dir.string() == "/srv/erp/plugins");
    BOOST_TEST(cfg.admin_token.empty());
    BOOST_TEST(cfg.enabled.empty());
}

BOOST_AUTO_TEST_CASE(syntax_error_names_file_and_line) {
    const auto e = expect_error("[host]\nlisten = \"127.0.0.1:8080\n", "/etc/erp/erp-host.toml");
    BOOST_TEST(e.file() == "/etc/erp/erp-host.toml");
    BOOST_TEST(std::string(e.what()).find("line 2") != std::string::npos, e.what());
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_refused_with_their_name) {
    auto e = expect_error("[host]\nlisten_adress = \"127.0.0.1:80\"\n");
    BOOST_TEST(e.key() == "host.listen_adress");
    BOOST_TEST(e.reason().find("unknown key") != std::string::npos);
    e = expect_error("[hosts]\n");
    BOOST_TEST(e.key() == "hosts");
    e = expect_error("[database]\nurl = \"sqlite3:x.db\"\npool = 3\n");
    BOOST_TEST(e.key() == "database.pool");
}

BOOST_AUTO_TEST_CASE(wrong_types_and_ranges) {
    BOOST_TEST(expect_error("[host]\nhttp_threads = \"two\"\n").key() == "host.http_threads");
    const auto e = expect_error("[host]\nworker_threads = 0\n");
    BOOST_TEST(e.key() == "host.worker_threads");
    BOOST_TEST(e.reason().find("between 1 and 256") != std::string::npos);
    BOOST_TEST(expect_error("[host]\nlisten = \"localhost\"\n").key() == "host.listen");
    BOOST_TEST(expect_error("[host]\nlisten = \"127.0.0.1:99999\"\n").key() == "host.listen");
    BOOST_TEST(expect_error("[host]\nlog_level = \"loud\"\n").key() == "host.log_level");
    BOOST_TEST(expect_error("[plugins]\nenabled = \"emag\"\n").key() == "plugins.enabled");
    BOOST_TEST(expect_error("[plugins]\nenabled = [\"emag\", \"emag\"]\n").key() == "plugins.enabled[1]");
    BOOST_TEST(expect_error("[plugins]\nenabled = [\"Emag!\"]\n").key() == "plugins.enabled[0]");
    BOOST_TEST(expect_error("[schedule]\n\"x.y\" = -5\n").key() == "schedule.x.y");
}

BOOST_AUTO_TEST_CASE(database_url_scheme_is_checked) {
    const auto e = expect_error("[database]\nurl = \"mysql://localhost/erp\"\n");
    BOOST_TEST(e.key() == "database.url");
    BOOST_TEST(e.reason().find("sqlite3:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_admin_token_env_names_the_variable_not_a_value) {
    ::unsetenv("ERP_TEST_MISSING_TOKEN");
    const auto e = expect_error("[host]\nadmin_token_env = \"ERP_TEST_MISSING_TOKEN\"\n");
    BOOST_TEST(e.key() == "host.admin_token_env");
    BOOST_TEST(e.reason().find("ERP_TEST_MISSING_TOKEN") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(admin_token_from_file_is_trimmed_and_never_in_messages) {
    TempDir dir;
    erp::test::write_file(dir / "token", "s3cr3t-admin-token-value\n");
    const auto cfg_path = dir / "erp-host.toml";
    const HostConfig cfg = parse_config("[host]\nadmin_token_file = \"token\"\n", cfg_path);
    BOOST_TEST(cfg.admin_token == "s3cr3t-admin-token-value");
    BOOST_TEST(cfg.admin_token_source.find("s3cr3t") == std::string::npos);

    erp::test::write_file(dir / "short", "abc\n");
    const auto e = expect_error("[host]\nadmin_token_file = \"short\"\n", cfg_path.string());
    BOOST_TEST(e.reason().find("at least 16") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("abc") == std::string::npos);

    const auto missing = expect_error("[host]\nadmin_token_file = \"nope\"\n", cfg_path.string());
    BOOST_TEST(missing.key() == "host.admin_token_file");
    BOOST_TEST(missing.reason().find("cannot read") != std::string::npos);

    BOOST_TEST(expect_error("[host]\nadmin_token_file = \"token\"\nadmin_token_env = \"X\"\n", cfg_path.string())
                   .reason()
                   .find("not both") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(non_loopback_listen_requires_an_admin_token) {
    const auto e = expect_error("[host]\nlisten = \"0.0.0.0:8080\"\n");
    BOOST_TEST(e.key() == "host.listen");
    BOOST_TEST(e.reason().find("admin token") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(load_config_reports_a_missing_file) {
    TempDir dir;
    try {
        erp::host::load_config(dir / "absent.toml");
        BOOST_FAIL("expected ConfigError");
    } catch (const ConfigError& e) {
        BOOST_TEST(e.file() == (dir / "absent.toml").string());
        BOOST_TEST(e.reason().find("cannot open") != std::string::npos);
    }
}
