#define BOOST_TEST_MODULE emag_sandbox_cli
#include <boost/test/unit_test.hpp>

#include "http_client.hpp"
#include "process.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <regex>

// The installed tool as integrators and scripts use it: the real binary, its
// ready line, Basic auth over loopback, --help, and a clean SIGTERM.

namespace {
bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}
} // namespace

BOOST_AUTO_TEST_CASE(help_documents_every_option) {
    erp::test::TempDir dir;
    const auto r = erp::test::run_process(EMAG_SANDBOX_BIN, dir.path(), {"--help"});
    BOOST_TEST(r.code == 0);
    for (const char* opt :
         {"--host", "--port", "--seed", "--orders", "--offers", "--invalid-fraction", "--account", "--mutation-rate",
          "--creation-ratio", "--callback-url", "--latency-ms", "--latency-jitter-ms", "--fault", "--hang-ms",
          "--request-log", "--threads", "--no-rate-limit"}) {
        BOOST_TEST(contains(r.out, opt), opt);
    }
    const auto bad = erp::test::run_process(EMAG_SANDBOX_BIN, dir.path(), {"--orders", "many"});
    BOOST_TEST(bad.code != 0);
}

BOOST_AUTO_TEST_CASE(serves_after_the_ready_line_and_stops_on_sigterm) {
    erp::test::TempDir dir;
    const auto log = dir / "requests.jsonl";
    const auto p = erp::test::spawn_process(
        EMAG_SANDBOX_BIN, dir.path(),
        {"--port", "0", "--orders", "300", "--offers", "50", "--request-log", log.string(), "--seed", "7"});
    const std::string out = erp::test::wait_for_output(p, "/api-3\n", std::chrono::seconds(60));
    std::smatch m;
    BOOST_REQUIRE_MESSAGE(
        std::regex_search(out, m, std::regex("emag-sandbox listening on http://127\\.0\\.0\\.1:([0-9]+)/api-3")),
        "no ready line in: " << out);
    const auto port = static_cast<uint16_t>(std::stoi(m[1]));

    const std::map<std::string, std::string> auth{{"Authorization", "Basic c2FuZGJveDpzYW5kYm94LXBhc3N3b3Jk"}};
    auto r = erp::test::http_request(port, "POST", "/api-3/order/count", R"({"data":{"type":2}})", auth);
    BOOST_TEST(r.status == 200u, r.body);
    const auto j = nlohmann::json::parse(r.body);
    BOOST_TEST(j["isError"] == false);
    BOOST_TEST(j["results"]["noOfItems"].get<int>() > 0);
    r = erp::test::http_request(port, "POST", "/api-3/order/count", R"({"data":{}})",
                                {{"Authorization", "Basic d3Jvbmc6d3Jvbmc="}});
    BOOST_TEST(r.status == 401u);

    BOOST_TEST(kill(p.pid, SIGTERM) == 0);
    BOOST_TEST(erp::test::wait_exit(p, std::chrono::seconds(30)) == 0);
    const std::string requests = erp::test::read_file(log);
    BOOST_TEST(contains(requests, "\"route\":\"order/count\""), requests);
    BOOST_TEST(!contains(requests, "sandbox-password"));
}
