#define BOOST_TEST_MODULE host_cli
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "host_fixture.hpp"
#include "http_client.hpp"
#include "process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <csignal>
#include <thread>

namespace {

using erp::test::HostFixture;
using erp::test::Process;
using erp::test::RunResult;
using erp::test::wait_exit;
namespace fs = std::filesystem;

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

Process spawn_host(const fs::path& dir, std::vector<std::string> args) {
    return erp::test::spawn_process(ERP_HOST_BIN, dir, std::move(args));
}

RunResult run(const fs::path& dir, std::vector<std::string> args) {
    return erp::test::run_process(ERP_HOST_BIN, dir, std::move(args));
}

} // namespace

BOOST_AUTO_TEST_CASE(check_config_plugins_migrate_run_job) {
    HostFixture f;
    f.add_staged("emag");
    f.add_staged("hello_c");
    const auto cfg = f.write_config({"emag", "hello_c"}).string();

    auto r = run(f.dir(), {"--config", cfg, "check-config"});
    BOOST_TEST(r.code == 0, r.out << r.err);
    BOOST_TEST(contains(r.out, "plugin emag 0.1.0 (ABI 1.0): manifest OK, sha256 OK, config OK"), r.out);
    BOOST_TEST(contains(r.out, "admin token from env ERP_TEST_ADMIN_TOKEN"), r.out);
    BOOST_TEST(!contains(r.out + r.err, erp::test::kAdminToken));

    r = run(f.dir(), {"--config", cfg, "plugins"});
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(contains(r.out, "job       hello_c.greet"), r.out);
    BOOST_TEST(contains(r.out, "route     GET /plugins/emag/api/status"), r.out);
    BOOST_TEST(contains(r.out, "monitor   emag.health"), r.out);

    r = run(f.dir(), {"--config", cfg, "migrate"});
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(contains(r.out, "emag: schema up to date"), r.out);

    r = run(f.dir(), {"--config", cfg, "run-job", "hello_c.greet"});
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(contains(r.out, "job hello_c.greet: OK"), r.out);
    r = run(f.dir(), {"--config", cfg, "run-job", "emag.nothing"});
    BOOST_TEST(r.code == 1);
    BOOST_TEST(contains(r.err, "no running plugin registered a job 'emag.nothing'"), r.err);
    r = run(f.dir(), {"--config", cfg, "run-job", "hello_c.greet", "--params", "[1]"});
    BOOST_TEST(r.code == 2);
}

BOOST_AUTO_TEST_CASE(config_errors_exit_2_naming_file_and_key) {
    HostFixture f;
    erp::test::write_file(f.dir() / "bad.toml", "[host]\nlisten = \"127.0.0.1:8080\"\nthreads = 4\n");
    const auto r = run(f.dir(), {"--config", (f.dir() / "bad.toml").string(), "check-config"});
    BOOST_TEST(r.code == 2);
    BOOST_TEST(contains(r.err, (f.dir() / "bad.toml").string() + ": host.threads: unknown key"), r.err);
}

BOOST_AUTO_TEST_CASE(check_config_reports_a_bad_plugin_without_loading_it) {
    HostFixture f;
    f.add_staged("hello_c");
    erp::test::write_file(f.plugins_dir() / "hello_c" / "libhello_c.so", "corrupted");
    const auto cfg = f.write_config({"hello_c"}).string();
    const auto r = run(f.dir(), {"--config", cfg, "check-config"});
    BOOST_TEST(r.code == 1);
    BOOST_TEST(contains(r.out, "plugin hello_c: ERROR: sha256 mismatch"), r.out);
}

BOOST_AUTO_TEST_CASE(serve_answers_and_stops_cleanly_on_sigterm) {
    HostFixture f;
    f.add_staged("emag");
    f.add_staged("hello_c");
    const uint16_t port = erp::test::free_port();
    f.set_port(port);
    f.set_log_level("info");
    const auto cfg = f.write_config({"emag", "hello_c"}).string();
    const Process p = spawn_host(f.dir(), {"--config", cfg, "serve"});

    // Ready when /health answers; a deadline, not a fixed sleep.
    unsigned status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            status = erp::test::http_request(port, "GET", "/health").status;
            break;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    BOOST_TEST(status == 200u);
    // The eMAG plugin's client counters, per account and route group, on
    // /metrics and on its status route.
    const auto metrics = erp::test::http_request(port, "GET", "/metrics");
    BOOST_TEST(contains(metrics.body, "# TYPE emag_api_requests_total counter"), metrics.body);
    BOOST_TEST(contains(metrics.body, "emag_api_rate_limit_usage_ratio{"), metrics.body);
    const auto st = nlohmann::json::parse(erp::test::http_request(port, "GET", "/plugins/emag/api/status").body);
    BOOST_TEST(st["accounts"][0]["api"]["orders"]["rate_limit"]["per_second"] == 12);
    BOOST_TEST(st["accounts"][0]["api"]["other"]["rate_limit"]["per_minute"] == 180);
    BOOST_TEST(kill(p.pid, SIGTERM) == 0);
    BOOST_TEST(wait_exit(p, std::chrono::seconds(30)) == 0);
    const auto err = erp::test::read_file(p.err);
    BOOST_TEST(contains(err, "SIGTERM received, stopping"), err);
    BOOST_TEST(contains(err, "stopped cleanly"), err);
    BOOST_TEST(!contains(err, "emag-test-password-not-real"));
}
