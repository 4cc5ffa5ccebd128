#define BOOST_TEST_MODULE host_cli
#include <boost/test/unit_test.hpp>

#include "host_fixture.hpp"
#include "http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <csignal>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace {

using erp::test::HostFixture;
namespace fs = std::filesystem;

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

struct Process {
    pid_t pid = -1;
    fs::path out, err;
};

// Starts the real erp-host binary with stdout/stderr captured in files.
Process spawn_host(const fs::path& dir, std::vector<std::string> args) {
    Process p;
    p.out = dir / ("out." + std::to_string(std::rand()));
    p.err = dir / ("err." + std::to_string(std::rand()));
    args.insert(args.begin(), ERP_HOST_BIN);
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, p.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, p.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = posix_spawn(&p.pid, ERP_HOST_BIN, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    BOOST_REQUIRE_MESSAGE(rc == 0, "cannot start " << ERP_HOST_BIN);
    return p;
}

// Waits for the process up to `deadline`; returns its exit code, or -1 after
// killing it when the deadline passed.
int wait_exit(const Process& p, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (waitpid(p.pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(p.pid, SIGKILL);
            waitpid(p.pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // poll interval, not a timing assumption
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Result {
    int code;
    std::string out, err;
};

Result run(const fs::path& dir, std::vector<std::string> args) {
    const Process p = spawn_host(dir, std::move(args));
    const int code = wait_exit(p, std::chrono::seconds(120));
    return {code, erp::test::read_file(p.out), erp::test::read_file(p.err)};
}

uint16_t free_port() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
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
    const uint16_t port = free_port();
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
    BOOST_TEST(kill(p.pid, SIGTERM) == 0);
    BOOST_TEST(wait_exit(p, std::chrono::seconds(30)) == 0);
    const auto err = erp::test::read_file(p.err);
    BOOST_TEST(contains(err, "SIGTERM received, stopping"), err);
    BOOST_TEST(contains(err, "stopped cleanly"), err);
    BOOST_TEST(!contains(err, "emag-test-password-not-real"));
}
