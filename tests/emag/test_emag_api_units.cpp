// The eMAG client's pure parts, without a network: how answers are
// classified, when and how long to retry, the rate limiter's strictness and
// pace (with a fake clock), route groups, count parsing, latency quantiles.
#define BOOST_TEST_MODULE emag_api_units
#include <boost/test/unit_test.hpp>

#include "api/client_metrics.hpp"
#include "api/envelope.hpp"
#include "api/pagination.hpp"
#include "api/rate_limiter.hpp"
#include "api/retry_policy.hpp"
#include "api/route_group.hpp"

#include <algorithm>
#include <ostream>
#include <random>

namespace erp::emag {
// For Boost.Test's messages.
std::ostream& operator<<(std::ostream& os, ErrorKind k) {
    return os << error_kind_name(k);
}
std::ostream& operator<<(std::ostream& os, RouteGroup g) {
    return os << group_name(g);
}
} // namespace erp::emag

using namespace erp::emag;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

HttpResponse response(unsigned status, std::string body, std::string content_type = "application/json") {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    return r;
}

ErrorInfo error_of(const HttpResponse& r, const std::string& method = "POST") {
    Classified c = classify_response("order/read", method, r, 2);
    BOOST_TEST_REQUIRE(!c.result.has_value());
    BOOST_TEST(c.error.route == "order/read");
    BOOST_TEST(c.error.attempt == 2u);
    BOOST_TEST(c.error.http_status == r.status);
    return c.error;
}

} // namespace

BOOST_AUTO_TEST_SUITE(classification)

BOOST_AUTO_TEST_CASE(success_needs_is_error_false) {
    Classified c = classify_response("order/read", "POST",
                                     response(200, R"({"isError":false,"messages":["ok"],"results":[{"id":1}]})"), 1);
    BOOST_TEST_REQUIRE(c.result.has_value());
    BOOST_TEST(c.result->results.size() == 1u);
    BOOST_TEST(c.result->results[0]["id"] == 1);
    BOOST_TEST(c.result->messages == std::vector<std::string>{"ok"});
    BOOST_TEST(c.result->errors.is_null());
}

BOOST_AUTO_TEST_CASE(light_offer_api_errors_are_kept_on_success) {
    Classified c = classify_response(
        "offer/save", "POST",
        response(200,
                 R"({"isError":false,"messages":[],"errors":[],"results":{"5":{"isError":true,"messages":["x"]}}})"),
        1);
    BOOST_TEST_REQUIRE(c.result.has_value());
    BOOST_TEST(c.result->errors.is_array());
    BOOST_TEST(c.result->results["5"]["isError"] == true);
}

BOOST_AUTO_TEST_CASE(status_200_with_is_error_true_is_validation) {
    const ErrorInfo e = error_of(response(200, R"({"isError":true,"messages":["Invalid status 9"],"results":[]})"));
    BOOST_TEST(e.kind == ErrorKind::validation);
    BOOST_TEST(e.messages == std::vector<std::string>{"Invalid status 9"});
    BOOST_TEST(std::string(ApiError(e).what()).find("Invalid status 9") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(is_error_asking_to_retry_is_transient) {
    const ErrorInfo e =
        error_of(response(200, R"({"isError":true,"messages":["Internal error, please retry"],"results":[]})"));
    BOOST_TEST(e.kind == ErrorKind::transient);
}

BOOST_AUTO_TEST_CASE(missing_or_mistyped_envelope_is_protocol) {
    BOOST_TEST(error_of(response(200, R"({"results":[]})")).kind == ErrorKind::protocol);
    const ErrorInfo e = error_of(response(200, R"({"isError":"false","results":[]})"));
    BOOST_TEST(e.kind == ErrorKind::protocol);
    BOOST_TEST(e.detail.find("isError is a string") != std::string::npos);
    BOOST_TEST(error_of(response(200, R"({"isError":false,"messages":"ok"})")).kind == ErrorKind::protocol);
    BOOST_TEST(error_of(response(200, R"([1,2])")).kind == ErrorKind::protocol);
    BOOST_TEST(error_of(response(200, R"("isError")")).kind == ErrorKind::protocol);
}

BOOST_AUTO_TEST_CASE(truncated_json_is_transient_garbage_is_protocol) {
    const std::string whole = R"({"isError":false,"messages":[],"results":[{"id":1},{"id":2}]})";
    const ErrorInfo cut = error_of(response(200, whole.substr(0, whole.size() / 2)));
    BOOST_TEST(cut.kind == ErrorKind::transient);
    BOOST_TEST(cut.detail.find("truncated") != std::string::npos);
    const ErrorInfo garbage = error_of(response(200, R"({"isError":false,]]]})"));
    BOOST_TEST(garbage.kind == ErrorKind::protocol);
    BOOST_TEST(garbage.detail.find("unparseable") != std::string::npos);
    BOOST_TEST(error_of(response(200, "")).kind == ErrorKind::transient);
}

BOOST_AUTO_TEST_CASE(html_pages) {
    const std::string page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    const ErrorInfo gw = error_of(response(502, page, "text/html"));
    BOOST_TEST(gw.kind == ErrorKind::transient);
    BOOST_TEST(gw.detail.find("HTML") != std::string::npos);
    const ErrorInfo ok_html = error_of(response(200, page, "text/html"));
    BOOST_TEST(ok_html.kind == ErrorKind::protocol);
    BOOST_TEST(ok_html.detail.find("HTML page instead of JSON") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(auth_statuses) {
    const ErrorInfo e = error_of(response(401, R"({"isError":true,"messages":["Invalid username or password"]})"));
    BOOST_TEST(e.kind == ErrorKind::auth);
    BOOST_TEST(e.detail.find("not whitelisted") != std::string::npos);
    BOOST_TEST(e.messages == std::vector<std::string>{"Invalid username or password"});
    // An IP that is not whitelisted may get a bare page: still auth.
    BOOST_TEST(error_of(response(401, "<html>Forbidden</html>", "text/html")).kind == ErrorKind::auth);
    const ErrorInfo no_rights =
        error_of(response(403, R"({"isError":true,"messages":["You are not allowed to use this API."],"results":[]})"));
    BOOST_TEST(no_rights.kind == ErrorKind::auth);
    BOOST_TEST(!is_retryable(ErrorKind::auth));
}

BOOST_AUTO_TEST_CASE(rate_limited_with_and_without_retry_after) {
    HttpResponse r = response(429, R"({"message":"API rate limit exceeded"})", "application/json; charset=utf-8");
    ErrorInfo e = error_of(r);
    BOOST_TEST(e.kind == ErrorKind::rate_limited);
    BOOST_TEST(!e.retry_after.has_value());
    BOOST_TEST(e.messages == std::vector<std::string>{"API rate limit exceeded"});
    r.headers.emplace_back("retry-after", "3");
    e = error_of(r);
    BOOST_TEST(e.retry_after.has_value());
    BOOST_TEST(e.retry_after->count() == 3000);
    r.headers.back().second = "Wed, 21 Oct 2015 07:28:00 GMT"; // unreadable: ignored
    BOOST_TEST(!error_of(r).retry_after.has_value());
}

BOOST_AUTO_TEST_CASE(server_errors_and_timeouts_are_transient) {
    BOOST_TEST(error_of(response(500, R"({"isError":true,"messages":["Internal Server Error"]})")).kind ==
               ErrorKind::transient);
    BOOST_TEST(error_of(response(503, "")).kind == ErrorKind::transient);
    HttpResponse t;
    t.transport_failed = true;
    t.timed_out = true;
    const ErrorInfo e = error_of(t);
    BOOST_TEST(e.kind == ErrorKind::transient);
    BOOST_TEST(e.http_status == 0u);
    BOOST_TEST(e.detail.find("timeout") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(offer_stock_shapes) {
    // 204 with no body is success for PATCH, a cut answer for POST.
    Classified ok = classify_response("offer_stock/5", "PATCH", response(204, "", ""), 1);
    BOOST_TEST(ok.result.has_value());
    BOOST_TEST(error_of(response(204, "", ""), "POST").kind == ErrorKind::transient);
    const ErrorInfo refused = error_of(
        response(
            400,
            R"({"message":"Validation errors in your request","errors":[{"message":"In campaign","field":"stock"}]})"),
        "PATCH");
    BOOST_TEST(refused.kind == ErrorKind::validation);
    BOOST_TEST(refused.messages ==
               (std::vector<std::string>{"Validation errors in your request", "In campaign (field stock)"}));
    BOOST_TEST(error_of(response(404, R"({"message":"Offer not found"})"), "PATCH").kind == ErrorKind::validation);
    BOOST_TEST(error_of(response(404, R"({"message":"Invalid URL"})"), "POST").kind == ErrorKind::protocol);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(retries)

BOOST_AUTO_TEST_CASE(defaults_are_2_4_8_seconds_with_jitter) {
    RetryPolicy p;
    BOOST_TEST(p.max_attempts() == 4u);
    BOOST_TEST(retry_delay(p, 1, std::nullopt, 0.5).count() == 2000);
    BOOST_TEST(retry_delay(p, 2, std::nullopt, 0.5).count() == 4000);
    BOOST_TEST(retry_delay(p, 3, std::nullopt, 0.5).count() == 8000);
    BOOST_TEST(retry_delay(p, 1, std::nullopt, 0.0).count() == 1600);
    BOOST_TEST(retry_delay(p, 1, std::nullopt, 0.999999).count() == 2400);
    // The server's wait wins when longer, never when shorter.
    BOOST_TEST(retry_delay(p, 1, 5000ms, 0.5).count() == 5000);
    BOOST_TEST(retry_delay(p, 3, 5000ms, 0.5).count() == 8000);
}

BOOST_AUTO_TEST_CASE(what_is_retried) {
    RetryPolicy p;
    BOOST_TEST(should_retry(p, ErrorKind::transient, 1));
    BOOST_TEST(should_retry(p, ErrorKind::rate_limited, 3));
    BOOST_TEST(!should_retry(p, ErrorKind::transient, 4));
    BOOST_TEST(!should_retry(p, ErrorKind::auth, 1));
    BOOST_TEST(!should_retry(p, ErrorKind::validation, 1));
    BOOST_TEST(!should_retry(p, ErrorKind::protocol, 1));
    p.delays.clear();
    BOOST_TEST(!should_retry(p, ErrorKind::transient, 1));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rate_limiter)

using TP = GroupRateLimiter::Clock::time_point;

// The most grants any half-open window (t - w, t] holds.
unsigned busiest(const std::vector<TP>& grants, std::chrono::nanoseconds w) {
    std::vector<TP> g = grants;
    std::sort(g.begin(), g.end());
    unsigned best = 0;
    std::size_t lo = 0;
    for (std::size_t hi = 0; hi < g.size(); ++hi) {
        while (g[lo] <= g[hi] - w) {
            ++lo;
        }
        best = std::max<unsigned>(best, static_cast<unsigned>(hi - lo + 1));
    }
    return best;
}

BOOST_AUTO_TEST_CASE(burst_is_spread_evenly_and_never_exceeds_a_window) {
    GroupRateLimiter l(published_limits(RouteGroup::orders), 30ms);
    const TP t0{};
    std::vector<TP> grants;
    for (int i = 0; i < 2000; ++i) {
        grants.push_back(l.reserve(t0)); // all ask at once
    }
    BOOST_TEST(busiest(grants, 1s) <= 12u);
    BOOST_TEST(busiest(grants, 60s) <= 720u);
    BOOST_TEST(busiest(grants, 1030ms) <= 12u); // the margin holds too
    // The pace: 12 per 1.03 s, so 2000 grants span ~171.6 s.
    const double span = std::chrono::duration<double>(grants.back() - grants.front()).count();
    BOOST_TEST(span == 1999 * 1.03 / 12, boost::test_tools::tolerance(0.001));
    BOOST_TEST(l.grants() == 2000u);
}

BOOST_AUTO_TEST_CASE(random_arrivals_never_exceed_and_idle_time_is_not_banked) {
    std::mt19937_64 rng(7);
    for (RouteGroup g : kRouteGroups) {
        for (auto margin : {0ms, 30ms, 100ms}) {
            GroupRateLimiter l(published_limits(g), margin);
            TP now{};
            std::vector<TP> grants;
            std::exponential_distribution<double> gap(20.0); // callers ask ~20/s, in clumps
            for (int i = 0; i < 5000; ++i) {
                now += std::chrono::microseconds(static_cast<long long>(gap(rng) * 1e6));
                grants.push_back(l.reserve(now));
                BOOST_TEST((grants.back() >= now));
            }
            const GroupLimits lim = published_limits(g);
            BOOST_TEST(busiest(grants, 1s) <= lim.per_second);
            BOOST_TEST(busiest(grants, 60s) <= lim.per_minute);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_late_send_pushes_the_grants_after_it) {
    GroupRateLimiter l(published_limits(RouteGroup::orders), 30ms);
    const TP t0{};
    std::vector<TP> slots;
    for (int i = 0; i < 12; ++i) {
        slots.push_back(l.reserve(t0));
    }
    // The first request left 50 ms late: the 13th keeps a full widened
    // window from when it really left, not from when it was due.
    l.record_send(slots[0], slots[0] + 50ms);
    BOOST_TEST((l.reserve(t0) >= slots[0] + 50ms + 1030ms));
    // Records stay ordered: the second grant moved with the first.
    l.record_send(slots[1], slots[1] - 10ms); // early: ignored
    l.record_send(t0 + 123ms, t0 + 999ms);    // unknown slot: ignored
    std::vector<TP> more;
    for (int i = 0; i < 500; ++i) {
        more.push_back(l.reserve(t0));
    }
    BOOST_TEST(busiest(more, 1030ms) <= 12u);
}

BOOST_AUTO_TEST_CASE(pause_after_429_holds_the_whole_group) {
    GroupRateLimiter l(published_limits(RouteGroup::other), 0ms);
    const TP t0{};
    BOOST_TEST((l.reserve(t0) == t0));
    l.pause_until(t0 + 2s);
    BOOST_TEST((l.reserve(t0 + 10ms) == t0 + 2s));
    l.pause_until(t0 + 1s); // an earlier end never shortens a pause
    BOOST_TEST((l.paused_until() == t0 + 2s));
}

BOOST_AUTO_TEST_CASE(usage_counts_only_due_grants) {
    GroupRateLimiter l(published_limits(RouteGroup::other), 0ms);
    const TP t0 = TP{} + 10s;
    for (int i = 0; i < 6; ++i) {
        l.reserve(t0);
    }
    // Grants at t0, +1/3 s, +2/3 s, +1 s, +4/3 s, +5/3 s.
    BOOST_TEST(l.used_last_second(t0) == 1u);
    BOOST_TEST(l.used_last_second(t0 + 900ms) == 3u);
    BOOST_TEST(l.used_last_minute(t0 + 2s) == 6u);
    BOOST_TEST(l.used_last_second(t0 + 2s) == 3u);
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused) {
    BOOST_CHECK_THROW(GroupRateLimiter(GroupLimits{0, 10}, 0ms), std::invalid_argument);
    BOOST_CHECK_THROW(GroupRateLimiter(GroupLimits{3, 180}, -1ms), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(route_groups) {
    BOOST_TEST(group_of_route("order/read") == RouteGroup::orders);
    BOOST_TEST(group_of_route("order/acknowledge/123") == RouteGroup::orders);
    BOOST_TEST(group_of_route("order/attachments/save") == RouteGroup::orders);
    BOOST_TEST(group_of_route("order") == RouteGroup::orders);
    BOOST_TEST(group_of_route("orders/read") == RouteGroup::other);
    BOOST_TEST(group_of_route("product_offer/read") == RouteGroup::other);
    BOOST_TEST(group_of_route("offer_stock/5") == RouteGroup::other);
    BOOST_TEST(published_limits(RouteGroup::orders).per_second == 12u);
    BOOST_TEST(published_limits(RouteGroup::orders).per_minute == 720u);
    BOOST_TEST(published_limits(RouteGroup::other).per_second == 3u);
    BOOST_TEST(published_limits(RouteGroup::other).per_minute == 180u);
}

BOOST_AUTO_TEST_CASE(count_results) {
    const CountResult c =
        parse_count("order/count", json{{"noOfItems", "250"}, {"noOfPages", 3}, {"itemsPerPage", 100}});
    BOOST_TEST(c.items == 250u);
    BOOST_TEST(c.pages == 3u);
    BOOST_TEST(c.per_page == 100u);
    BOOST_CHECK_THROW(parse_count("order/count", json::array()), ApiError);
    BOOST_CHECK_THROW(parse_count("order/count", json{{"noOfPages", 3}}), ApiError);
    try {
        parse_count("order/count", json{{"noOfItems", "-4"}});
        BOOST_FAIL("a negative count was accepted");
    } catch (const ApiError& e) {
        BOOST_TEST(e.kind() == ErrorKind::protocol);
        BOOST_TEST(std::string(e.what()).find("noOfItems") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(latency_quantiles) {
    GroupMetrics m;
    BOOST_TEST(m.latency_quantile_ms(0.95) == 0.0);
    for (int i = 0; i < 95; ++i) {
        m.record_latency(80); // <= 100 ms bucket
    }
    for (int i = 0; i < 5; ++i) {
        m.record_latency(3000); // <= 5000 ms bucket
    }
    BOOST_TEST(m.latency_quantile_ms(0.95) == 100.0);
    BOOST_TEST(m.latency_quantile_ms(0.99) == 5000.0);
    BOOST_TEST(m.latency_ms_max == 3000.0);
    m.record_latency(40000); // past the last bound: the maximum
    BOOST_TEST(m.latency_quantile_ms(1.0) == 40000.0);
}
