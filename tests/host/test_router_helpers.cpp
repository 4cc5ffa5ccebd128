#define BOOST_TEST_MODULE host_router_helpers
#include <boost/test/unit_test.hpp>

#include "metrics_format.hpp"
#include "registry.hpp"
#include "router.hpp"
#include "test_support.hpp"

#include <filesystem>

using namespace erp::host;
using erp::test::TempDir;

BOOST_AUTO_TEST_CASE(route_patterns_are_checked_and_matched) {
    std::vector<std::string> segs;
    BOOST_TEST(check_route_pattern("/api/offers/{id}/price", segs).empty());
    BOOST_TEST(segs.size() == 4u);
    std::map<std::string, std::string> params;
    BOOST_TEST(match_route(segs, "/api/offers/42/price", params));
    BOOST_TEST(params.at("id") == "42");
    BOOST_TEST(!match_route(segs, "/api/offers/42", params));
    BOOST_TEST(!match_route(segs, "/api/orders/42/price", params));

    BOOST_TEST(!check_route_pattern("api/x", segs).empty());
    BOOST_TEST(!check_route_pattern("/a//b", segs).empty());
    BOOST_TEST(!check_route_pattern("/a/{1x}", segs).empty());
    BOOST_TEST(!check_route_pattern("/a/{id}/{id}", segs).empty());
    BOOST_TEST(!check_route_pattern("/a?b", segs).empty());
    BOOST_TEST(check_route_pattern("/", segs).empty());
    BOOST_TEST(match_route(segs, "/", params));
}

BOOST_AUTO_TEST_CASE(static_files_never_escape_their_root) {
    TempDir dir;
    erp::test::write_file(dir / "root" / "index.html", "<h1>hi</h1>");
    erp::test::write_file(dir / "root" / "app.js", "console.log(1)");
    erp::test::write_file(dir / "secret.txt", "top secret");
    std::filesystem::create_directory_symlink(dir.path(), dir / "root" / "up");
    const auto root = std::filesystem::canonical(dir / "root");

    auto r = serve_static(root, "/", false);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->body == "<h1>hi</h1>");
    BOOST_TEST(r->content_type == "text/html; charset=utf-8");
    r = serve_static(root, "/app.js", false);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->content_type == "text/javascript; charset=utf-8");
    r = serve_static(root, "/app.js", true);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->body.empty());

    BOOST_TEST(!serve_static(root, "/../secret.txt", false).has_value());
    BOOST_TEST(!serve_static(root, "/up/secret.txt", false).has_value()); // symlink out of the root
    BOOST_TEST(!serve_static(root, "/missing.css", false).has_value());
}

BOOST_AUTO_TEST_CASE(monitor_metrics_are_validated) {
    std::vector<std::string> problems;
    const auto samples = parse_monitor_metrics("acme", R"({"metrics":[
        {"name":"acme_requests_total","type":"counter","help":"Requests","labels":{"account":"ro1"},"value":12},
        {"name":"other_metric","type":"gauge","value":1},
        {"name":"acme_bad type","type":"gauge","value":1},
        {"name":"acme_x","type":"histogram","value":1},
        {"name":"acme_y","type":"gauge","value":"1"},
        {"name":"acme_z","type":"gauge","labels":{"__reserved":"x"},"value":1}
    ]})",
                                               problems);
    BOOST_TEST(samples.size() == 1u);
    BOOST_TEST(problems.size() == 5u);
    problems.clear();
    BOOST_TEST(parse_monitor_metrics("acme", "not json", problems).empty());
    BOOST_TEST(problems.size() == 1u);
}

BOOST_AUTO_TEST_CASE(prometheus_text_has_help_type_once_and_escapes_labels) {
    std::vector<MetricSample> s{
        {"acme_requests_total", "counter", "Requests sent", {{"account", "ro\"1\\\n"}}, 12},
        {"acme_requests_total", "counter", "Requests sent", {{"account", "bg"}}, 3},
        {"acme_latency_seconds", "gauge", "", {}, 0.25},
    };
    const std::string text = format_prometheus(s);
    BOOST_TEST(text == "# HELP acme_requests_total Requests sent\n"
                       "# TYPE acme_requests_total counter\n"
                       "acme_requests_total{account=\"ro\\\"1\\\\\\n\"} 12\n"
                       "acme_requests_total{account=\"bg\"} 3\n"
                       "# HELP acme_latency_seconds acme_latency_seconds\n"
                       "# TYPE acme_latency_seconds gauge\n"
                       "acme_latency_seconds 0.25\n");
}
