// emag-sandbox transport suite: the server runs in-process on a free loopback
// port and is spoken to over real HTTP. Covers auth, envelope, JSON vs form
// bodies, routes, eMAG's rate limits (HTTP and unit level, with an injected
// clock), faults, latency, the request log, control routes, mutation,
// callbacks, a seeded fuzz run and clean stop. Waits use deadlines, never
// fixed sleeps, except where a test must show that nothing happens.
#define BOOST_TEST_MODULE test_sandbox_http
#include <boost/test/unit_test.hpp>

#include "server/api_handler.hpp"
#include "server/control_routes.hpp"
#include "server/faults.hpp"
#include "server/form_decode.hpp"
#include "server/http_client.hpp"
#include "server/rate_limiter.hpp"
#include "server/sandbox_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/filesystem.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <random>
#include <thread>

#include <sys/socket.h>

using namespace emag::sandbox;
using namespace std::chrono_literals;
using json = nlohmann::json;
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

const std::string kUser = "sandbox";
const std::string kPassword = "sandbox-password";

std::map<std::string, std::string> auth(const std::string& user = kUser, const std::string& password = kPassword) {
    return {{"Authorization", basic_auth(user, password)}, {"Content-Type", "application/json"}};
}

// A clock the test moves by hand (for the rate limiter).
struct ManualClock {
    std::atomic<int64_t> ns{1'000'000'000'000};
    RateLimiter::Now fn() {
        return [this] { return RateLimiter::SteadyClock::time_point(std::chrono::nanoseconds(ns.load())); };
    }
    void advance(std::chrono::nanoseconds d) { ns += d.count(); }
};

SandboxOptions small_options() {
    SandboxOptions o;
    o.port = 0;
    o.orders = 300;
    o.offers = 60;
    o.seed = 7;
    return o;
}

std::unique_ptr<SandboxServer> start(SandboxOptions o) {
    auto s = std::make_unique<SandboxServer>(std::move(o));
    s->start();
    return s;
}

struct Conn {
    explicit Conn(const SandboxServer& s, std::chrono::milliseconds timeout = 10s)
        : c("127.0.0.1", s.port(), timeout) {}
    HttpReply post(const std::string& route, const std::string& body,
                   const std::map<std::string, std::string>& headers = auth()) {
        return c.request("POST", "/api-3/" + route, body, headers);
    }
    HttpReply get(const std::string& target) { return c.request("GET", target); }
    json get_json(const std::string& target) {
        const auto r = get(target);
        BOOST_REQUIRE_EQUAL(r.status, 200u);
        return json::parse(r.body);
    }
    HttpClient c;
};

const std::string kOrderPage = R"({"data":{"currentPage":1,"itemsPerPage":10}})";

// Polls `pred` until true or the deadline passes.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred())
            return true;
        std::this_thread::sleep_for(10ms); // polling interval, not a timing assumption
    }
    return pred();
}

boost::filesystem::path temp_file(const std::string& stem) {
    return boost::filesystem::temp_directory_path() / boost::filesystem::unique_path(stem + "-%%%%%%%%.jsonl");
}

} // namespace

// ===========================================================================
BOOST_AUTO_TEST_SUITE(rate_limiter_unit)

BOOST_AUTO_TEST_CASE(thirteenth_order_request_in_one_second_is_refused_then_window_slides) {
    ManualClock clock;
    RateLimiter rl(true, clock.fn());
    for (int i = 0; i < 12; ++i)
        BOOST_TEST(rl.admit("a", RouteGroup::orders).allowed);
    const auto d = rl.admit("a", RouteGroup::orders);
    BOOST_TEST(!d.allowed);
    BOOST_TEST(d.limit == 12u);
    BOOST_TEST(d.remaining == 0u);
    clock.advance(999ms);
    BOOST_TEST(!rl.admit("a", RouteGroup::orders).allowed);
    clock.advance(1ms); // exactly 1 s after the first twelve: the window is (t-1s, t]
    BOOST_TEST(rl.admit("a", RouteGroup::orders).allowed);
}

BOOST_AUTO_TEST_CASE(refused_requests_do_not_count) {
    ManualClock clock;
    RateLimiter rl(true, clock.fn());
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(rl.admit("a", RouteGroup::other).allowed);
    for (int i = 0; i < 50; ++i) { // an impatient client hammering during the second
        clock.advance(10ms);
        BOOST_TEST(!rl.admit("a", RouteGroup::other).allowed);
    }
    clock.advance(500ms); // 1 s after the three admitted ones
    BOOST_TEST(rl.admit("a", RouteGroup::other).allowed);
    const auto st = rl.stats();
    BOOST_TEST(st.at("a").at("other").admitted == 4u);
    BOOST_TEST(st.at("a").at("other").rejected == 50u);
}

BOOST_AUTO_TEST_CASE(exactly_twelve_per_second_is_never_refused) {
    ManualClock clock;
    RateLimiter rl(true, clock.fn());
    const int64_t start = clock.ns.load();
    for (int64_t k = 0; k < 12 * 70; ++k) { // 70 s at exactly 12/s: crosses the minute window too
        clock.ns = start + k * 1'000'000'000 / 12;
        BOOST_TEST_REQUIRE(rl.admit("a", RouteGroup::orders).allowed, "request " << k);
    }
}

BOOST_AUTO_TEST_CASE(remaining_header_counts_down) {
    ManualClock clock;
    RateLimiter rl(true, clock.fn());
    BOOST_TEST(rl.admit("a", RouteGroup::other).remaining == 2u);
    BOOST_TEST(rl.admit("a", RouteGroup::other).remaining == 1u);
    BOOST_TEST(rl.admit("a", RouteGroup::other).remaining == 0u);
    BOOST_TEST(rl.admit("a", RouteGroup::other).limit == 3u);
}

BOOST_AUTO_TEST_CASE(sixty_second_window_slides_exactly) {
    // eMAG's minute limits are implied by the second limits (12 x 60 = 720),
    // so the 60 s window is checked with a tighter minute limit.
    ManualClock clock;
    RateLimitConfig cfg;
    cfg.orders = {100, 5};
    RateLimiter rl(true, clock.fn(), cfg);
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST(rl.admit("a", RouteGroup::orders).allowed);
        clock.advance(10s); // at 0, 10, 20, 30, 40 s
    }
    BOOST_TEST(!rl.admit("a", RouteGroup::orders).allowed); // 50 s: five in the window
    clock.advance(9999ms);                                  // 59.999 s
    BOOST_TEST(!rl.admit("a", RouteGroup::orders).allowed);
    clock.advance(1ms); // 60 s: the request at 0 s left the window
    BOOST_TEST(rl.admit("a", RouteGroup::orders).allowed);
    BOOST_TEST(!rl.admit("a", RouteGroup::orders).allowed);
}

BOOST_AUTO_TEST_CASE(published_minute_limits_hold) {
    ManualClock clock;
    RateLimiter rl(true, clock.fn());
    int admitted = 0;
    for (int s = 0; s < 60; ++s) {
        for (int i = 0; i < 20; ++i)
            admitted += rl.admit("a", RouteGroup::orders).allowed ? 1 : 0;
        clock.advance(1s);
    }
    BOOST_TEST(admitted == 720);
}

BOOST_AUTO_TEST_CASE(accounts_and_groups_are_separate) {
    ManualClock clock;
    RateLimiter rl(true, clock.fn());
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(rl.admit("a", RouteGroup::other).allowed);
    BOOST_TEST(!rl.admit("a", RouteGroup::other).allowed);
    BOOST_TEST(rl.admit("b", RouteGroup::other).allowed);
    BOOST_TEST(rl.admit("a", RouteGroup::orders).allowed);
}

BOOST_AUTO_TEST_CASE(disabled_admits_everything) {
    ManualClock clock;
    RateLimiter rl(false, clock.fn());
    for (int i = 0; i < 1000; ++i)
        BOOST_TEST_REQUIRE(rl.admit("a", RouteGroup::other).allowed);
}

BOOST_AUTO_TEST_CASE(route_groups) {
    BOOST_TEST((group_of("order") == RouteGroup::orders));
    BOOST_TEST((group_of("order/attachments") == RouteGroup::orders));
    BOOST_TEST((group_of("orders") == RouteGroup::other));
    BOOST_TEST((group_of("product_offer") == RouteGroup::other));
    BOOST_TEST((group_of("offer_stock") == RouteGroup::other));
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(decoding_unit)

BOOST_AUTO_TEST_CASE(php_form_nests_objects_and_lists) {
    const auto d = decode_request_body("application/x-www-form-urlencoded",
                                       "data[currentPage]=1&data[status][]=1&data[status][]=2&data[name]=a+b%C8%99"
                                       "&data[filter][x][y]=-3&data[price]=1.50&data[code]=007");
    BOOST_REQUIRE(d.ok);
    BOOST_TEST(d.data["currentPage"] == 1);
    BOOST_TEST(d.data["status"] == json::parse("[1,2]"));
    BOOST_TEST(d.data["name"] == "a b\xc8\x99");
    BOOST_TEST(d.data["filter"]["x"]["y"] == -3);
    BOOST_TEST(d.data["price"] == "1.50"); // not a canonical integer: kept as the string PHP sees
    BOOST_TEST(d.data["code"] == "007");
}

BOOST_AUTO_TEST_CASE(php_form_indexed_entities_become_a_list) {
    const auto d = decode_form("data[0][id]=5&data[0][status]=1&data[1][id]=6");
    BOOST_REQUIRE(d.ok);
    BOOST_TEST(d.data["data"] == json::parse(R"([{"id":5,"status":1},{"id":6}])"));
    const auto sparse = decode_form("data[3][id]=5");
    BOOST_TEST(sparse.data["data"].is_object()); // PHP keeps key 3: not a list
}

BOOST_AUTO_TEST_CASE(malformed_bodies_are_errors_not_crashes) {
    BOOST_TEST(!decode_request_body("application/json", "{\"data\":").ok);
    BOOST_TEST(!decode_request_body("application/json", "[1,2]").ok);
    BOOST_TEST(!decode_request_body("", "data[a=1").ok);
    BOOST_TEST(!decode_request_body("", "data[a]x=1").ok);
    BOOST_TEST(!decode_request_body("", "data=%zz").ok);
    BOOST_TEST(!decode_request_body("", "=1").ok);
    std::string deep = "data";
    for (int i = 0; i < 100; ++i)
        deep += "[a]";
    BOOST_TEST(!decode_request_body("", deep + "=1").ok);
    const auto empty = decode_request_body("application/json", "");
    BOOST_TEST(empty.ok);
    BOOST_TEST(empty.data.is_null());
}

BOOST_AUTO_TEST_CASE(more_than_4000_form_vars_is_emags_error) {
    std::string body;
    for (int i = 0; i < 4001; ++i)
        body += "data[status][]=1&";
    const auto d = decode_form(body);
    BOOST_TEST(!d.ok);
    BOOST_TEST(d.error == "Maximum input vars of 4000 exceeded");
    body.clear();
    for (int i = 0; i < 4000; ++i)
        body += "data[status][]=1&";
    BOOST_TEST(decode_form(body).ok);
}

BOOST_AUTO_TEST_CASE(api_routes_split_like_emag) {
    auto r = parse_api_route("order/read");
    BOOST_TEST(r.resource == "order");
    BOOST_TEST(r.action == "read");
    BOOST_TEST(!r.id);
    r = parse_api_route("order/acknowledge/123");
    BOOST_TEST(r.name() == "order/acknowledge");
    BOOST_TEST(*r.id == "123");
    r = parse_api_route("order/attachments/save");
    BOOST_TEST(r.resource == "order/attachments");
    BOOST_TEST(r.action == "save");
    r = parse_api_route("offer_stock/77");
    BOOST_TEST(r.name() == "offer_stock");
    BOOST_TEST(*r.id == "77");
    r = parse_api_route("order/9/unlock-courier");
    BOOST_TEST(r.action == "unlock-courier");
    BOOST_TEST(*r.id == "9");
}

BOOST_AUTO_TEST_CASE(fault_rules_and_globs) {
    const auto r = parse_fault_rule("order/*:503:0.25");
    BOOST_TEST(r.glob == "order/*");
    BOOST_TEST((r.kind == FaultKind::http503));
    BOOST_TEST(r.fraction == 0.25);
    BOOST_CHECK_THROW(parse_fault_rule("order/*:504:0.1"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_fault_rule("*:hang:1.5"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_fault_rule("hang:1"), std::invalid_argument);
    BOOST_TEST(glob_match("*", "order/read"));
    BOOST_TEST(glob_match("order/*", "order/acknowledge"));
    BOOST_TEST(!glob_match("order/*", "product_offer/read"));
    BOOST_TEST(glob_match("*/read", "product_offer/read"));
    BOOST_TEST(!glob_match("order/read", "order/readx"));
}

BOOST_AUTO_TEST_CASE(account_specs) {
    auto a = parse_account("bg1:user:pa:ss:bg");
    BOOST_TEST(a.password == "pa:ss");
    BOOST_TEST(a.platform == "bg");
    a = parse_account("x:u:p");
    BOOST_TEST(a.platform == "ro");
    BOOST_CHECK_THROW(parse_account("x:u"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(over_http)

BOOST_AUTO_TEST_CASE(auth_per_account) {
    auto o = small_options();
    o.accounts = {{"ro1", "alice", "pw-a", "ro"}, {"bg1", "bob", "pw-b", "bg"}};
    auto s = start(o);
    Conn c(*s);
    for (const auto& h : std::vector<std::map<std::string, std::string>>{{},
                                                                         auth("alice", "pw-b"),
                                                                         auth("bob", "pw-a"),
                                                                         auth("carol", "pw-a"),
                                                                         {{"Authorization", "Bearer x"}},
                                                                         {{"Authorization", "Basic !!!notbase64"}}}) {
        const auto r = c.post("order/read", kOrderPage, h);
        BOOST_TEST(r.status == 401u);
        const auto j = json::parse(r.body);
        BOOST_TEST(j["isError"] == true);
        BOOST_TEST(j["messages"][0] == "Invalid username or password");
        BOOST_TEST(!r.headers.count("x-ratelimit-limit-3second"));
    }
    BOOST_TEST(c.post("order/read", kOrderPage, auth("alice", "pw-a")).status == 200u);
    BOOST_TEST(c.post("order/read", kOrderPage, auth("bob", "pw-b")).status == 200u);
    const auto st = c.get_json("/_sandbox/stats");
    BOOST_TEST(st["unauthorized"] == 6);
    BOOST_TEST(st["accounts"]["ro1"]["orders"]["requests"] == 1);
    BOOST_TEST(st["accounts"]["bg1"]["orders"]["requests"] == 1);
}

BOOST_AUTO_TEST_CASE(success_is_the_envelope_with_rate_headers) {
    auto s = start(small_options());
    Conn c(*s);
    const auto r = c.post("order/read", kOrderPage);
    BOOST_REQUIRE_EQUAL(r.status, 200u);
    const auto j = json::parse(r.body);
    BOOST_TEST(j["isError"] == false);
    BOOST_TEST(j["messages"].is_array());
    BOOST_TEST(j["results"].is_array());
    BOOST_TEST(r.headers.at("x-ratelimit-limit-3second") == "12");
    BOOST_TEST(r.headers.at("x-ratelimit-remaining-3second") == "11");
    BOOST_TEST(c.c.connects() == 1u);
    c.post("order/read", kOrderPage);
    BOOST_TEST(c.c.connects() == 1u); // keep-alive
}

BOOST_AUTO_TEST_CASE(json_and_form_bodies_get_the_same_answer) {
    auto o = small_options();
    o.rate_limits = false;
    auto s = start(o);
    Conn c(*s);
    const auto as_json = c.post("order/read", R"({"data":{"currentPage":2,"itemsPerPage":7,"status":[0,1,2,3,4,5]}})");
    auto form_headers = auth();
    form_headers["Content-Type"] = "application/x-www-form-urlencoded";
    const auto as_form = c.post("order/read",
                                "data%5BcurrentPage%5D=2&data[itemsPerPage]=7&data[status][]=0&data[status][]=1&"
                                "data[status][]=2&data[status][]=3&data[status][]=4&data[status][]=5",
                                form_headers);
    BOOST_TEST(as_json.status == 200u);
    BOOST_TEST(as_form.status == as_json.status);
    BOOST_TEST(as_form.body == as_json.body);
    // No Content-Type at all: sniffed.
    auto bare = auth();
    bare.erase("Content-Type");
    BOOST_TEST(c.post("order/read",
                      "data[currentPage]=2&data[itemsPerPage]=7&data[status][]=0&data[status][]=1&"
                      "data[status][]=2&data[status][]=3&data[status][]=4&data[status][]=5",
                      bare)
                   .body == as_json.body);
}

BOOST_AUTO_TEST_CASE(unknown_routes_bad_bodies_and_methods) {
    auto o = small_options();
    o.rate_limits = false;
    auto s = start(o);
    Conn c(*s);
    auto r = c.post("nosuch/thing", kOrderPage);
    BOOST_TEST(r.status == 404u);
    BOOST_TEST(json::parse(r.body)["isError"] == true);
    r = c.post("order/read", "{\"data\": [1,");
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(json::parse(r.body)["isError"] == true);
    r = c.c.request("GET", "/api-3/order/read", "", auth());
    BOOST_TEST(r.status == 405u);
    BOOST_TEST(r.headers.at("allow") == "POST");
    r = c.c.request("PATCH", "/api-3/order/read", "{}", auth());
    BOOST_TEST(r.status == 404u);
    BOOST_TEST(r.body == R"({"message":"Invalid URL"})");
    r = c.get("/elsewhere");
    BOOST_TEST(r.status == 404u);
    BOOST_TEST(r.body == R"({"message":"Invalid URL"})");
    // All of the above counted: invalid requests burn quota.
    const auto st = c.get_json("/_sandbox/stats");
    BOOST_TEST(st["accounts"]["sandbox"]["orders"]["requests"] == 3);
    BOOST_TEST(st["accounts"]["sandbox"]["other"]["requests"] == 1);
}

BOOST_AUTO_TEST_CASE(thirteenth_order_request_within_a_second_gets_emags_429) {
    ManualClock clock;
    auto o = small_options();
    o.rate_clock = clock.fn();
    auto s = start(o);
    Conn c(*s);
    for (int i = 1; i <= 12; ++i) {
        const auto r = c.post("order/read", kOrderPage);
        BOOST_TEST_REQUIRE(r.status == 200u, "request " << i);
        BOOST_TEST(r.headers.at("x-ratelimit-remaining-3second") == std::to_string(12 - i));
    }
    const auto r = c.post("order/read", kOrderPage);
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(r.body == R"({"message":"API rate limit exceeded"})");
    BOOST_TEST(r.headers.at("content-type") == "application/json; charset=utf-8");
    BOOST_TEST(r.headers.at("x-ratelimit-limit-3second") == "12");
    BOOST_TEST(r.headers.at("x-ratelimit-remaining-3second") == "0");
    // "Other" routes have their own budget: 3 pass, the 4th is refused...
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(c.post("vat/read", "{\"data\":{}}").status != 429u);
    BOOST_TEST(c.post("vat/read", "{\"data\":{}}").status == 429u);
    BOOST_TEST(c.c.request("PATCH", "/api-3/offer_stock/1", R"({"stock":3})", auth()).status == 429u);
    clock.advance(1s);
    BOOST_TEST(c.post("order/read", kOrderPage).status == 200u);
    // The log marks the refused ones.
    const auto log = c.get_json("/_sandbox/requests?since=0")["entries"];
    BOOST_TEST(log.size() == 19u);
    BOOST_TEST(log[12]["rate_limited"] == true);
    BOOST_TEST(log[12]["status"] == 429);
    BOOST_TEST(log[11]["rate_limited"] == false);
}

BOOST_AUTO_TEST_CASE(other_group_fourth_is_refused_while_orders_pass) {
    ManualClock clock;
    auto o = small_options();
    o.rate_clock = clock.fn();
    auto s = start(o);
    Conn c(*s);
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(c.post("product_offer/read", R"({"data":{"itemsPerPage":5}})").status == 200u);
    BOOST_TEST(c.post("product_offer/read", R"({"data":{"itemsPerPage":5}})").status == 429u);
    for (int i = 0; i < 12; ++i)
        BOOST_TEST(c.post("order/count", "{\"data\":{}}").status != 429u);
}

BOOST_AUTO_TEST_CASE(accounts_have_separate_budgets) {
    ManualClock clock;
    auto o = small_options();
    o.rate_clock = clock.fn();
    o.accounts = {{"a", "ua", "pa", "ro"}, {"b", "ub", "pb", "hu"}};
    auto s = start(o);
    Conn c(*s);
    for (int i = 0; i < 12; ++i)
        BOOST_TEST(c.post("order/read", kOrderPage, auth("ua", "pa")).status == 200u);
    BOOST_TEST(c.post("order/read", kOrderPage, auth("ua", "pa")).status == 429u);
    for (int i = 0; i < 12; ++i)
        BOOST_TEST(c.post("order/read", kOrderPage, auth("ub", "pb")).status == 200u);
    BOOST_TEST(c.post("order/read", kOrderPage, auth("ub", "pb")).status == 429u);
}

BOOST_AUTO_TEST_CASE(polite_client_at_exactly_12_per_second_never_sees_429) {
    ManualClock clock;
    auto o = small_options();
    o.rate_clock = clock.fn();
    auto s = start(o);
    Conn c(*s);
    const int64_t t0 = clock.ns.load();
    for (int64_t k = 0; k < 48; ++k) { // 4 s of simulated time
        clock.ns = t0 + k * 1'000'000'000 / 12;
        BOOST_TEST_REQUIRE(c.post("order/count", "{\"data\":{}}").status != 429u, "request " << k);
    }
}

BOOST_AUTO_TEST_CASE(real_clock_burst_and_spaced_requests) {
    auto s = start(small_options());
    Conn c(*s);
    std::vector<unsigned> statuses;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 13; ++i)
        statuses.push_back(c.post("order/count", "{\"data\":{}}").status);
    // Loopback requests take well under a millisecond; if this machine is so
    // loaded that 13 took a second, the burst proves nothing: fail loudly.
    BOOST_REQUIRE(std::chrono::steady_clock::now() - t0 < 900ms);
    for (int i = 0; i < 12; ++i)
        BOOST_TEST(statuses[i] != 429u);
    BOOST_TEST(statuses[12] == 429u);

    // 12 spaced requests in a fresh second (with a margin for scheduling jitter).
    auto s2 = start(small_options());
    Conn c2(*s2);
    auto next = std::chrono::steady_clock::now();
    for (int i = 0; i < 12; ++i) {
        std::this_thread::sleep_until(next); // the pacing under test
        next += 90ms;
        BOOST_TEST(c2.post("order/count", "{\"data\":{}}").status != 429u);
    }
}

BOOST_AUTO_TEST_CASE(each_fault_kind_answers_as_specified) {
    // Every sandbox here dates its orders from one pinned "now": the
    // truncate case compares one sandbox's body with another's, and two
    // started in different seconds would generate different orders.
    const auto pinned = std::chrono::system_clock::now();
    std::string normal_body;
    {
        auto o = small_options();
        o.data_now = [pinned] { return pinned; };
        o.rate_limits = false;
        auto s = start(o);
        normal_body = Conn(*s).post("order/read", kOrderPage).body;
    }
    for (const std::string kind : {"500", "502", "503", "iserror", "truncate", "401", "429", "refuse"}) {
        BOOST_TEST_CONTEXT("fault " << kind) {
            auto o = small_options();
            o.data_now = [pinned] { return pinned; };
            o.rate_limits = false;
            o.faults = {parse_fault_rule("order/*:" + kind + ":1")};
            auto s = start(o);
            Conn c(*s);
            const auto r = c.post("order/read", kOrderPage);
            if (kind == "500") {
                BOOST_TEST(r.status == 500u);
                BOOST_TEST(json::parse(r.body)["isError"] == true);
            } else if (kind == "502" || kind == "503") {
                BOOST_TEST(r.status == static_cast<unsigned>(std::stoi(kind)));
                BOOST_TEST(r.headers.at("content-type") == "text/html");
                BOOST_TEST(r.body.find("<html>") == 0u);
            } else if (kind == "iserror") {
                BOOST_TEST(r.status == 200u);
                BOOST_TEST(r.body == R"({"isError":true,"messages":["Internal error, please retry"],"results":[]})");
            } else if (kind == "401") {
                BOOST_TEST(r.status == 401u);
                BOOST_TEST(json::parse(r.body)["messages"][0] == "Invalid username or password");
            } else if (kind == "refuse") {
                BOOST_TEST(r.status == 400u);
                BOOST_TEST(json::parse(r.body)["isError"] == true);
            } else if (kind == "429") {
                BOOST_TEST(r.status == 429u);
                BOOST_TEST(r.body == R"({"message":"API rate limit exceeded"})");
            } else {
                BOOST_TEST(r.status == 200u);
                BOOST_TEST(r.body == normal_body.substr(0, normal_body.size() / 2));
                BOOST_TEST(r.headers.at("content-length") == std::to_string(normal_body.size() / 2));
                BOOST_TEST(json::parse(r.body, nullptr, false).is_discarded());
            }
            // Routes outside the glob are untouched; the log names the fault.
            BOOST_TEST(c.post("vat/read", "{\"data\":{}}").status == 200u);
            const auto log = c.get_json("/_sandbox/requests?since=0")["entries"];
            BOOST_TEST(log[0]["fault"] == kind);
            BOOST_TEST(log[1]["fault"].is_null());
        }
    }
}

BOOST_AUTO_TEST_CASE(hang_outlasts_the_client_timeout_and_stop_is_prompt) {
    auto o = small_options();
    o.faults = {parse_fault_rule("order/read:hang:1")};
    o.hang = 30s;
    auto s = start(o);
    Conn c(*s, 300ms);
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_CHECK_THROW(c.post("order/read", kOrderPage), HttpTimeout);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 5s));
    // A second client still holds a hanging request when the server stops.
    std::promise<void> sent;
    auto f = std::async(std::launch::async, [&] {
        HttpClient hung("127.0.0.1", s->port(), 60s);
        sent.set_value();
        try {
            hung.request("POST", "/api-3/order/read", kOrderPage, auth());
        } catch (const std::exception&) {
        }
    });
    sent.get_future().wait();
    BOOST_TEST(eventually([&] { return Conn(*s).get_json("/_sandbox/stats")["faults"]["hang"] == 2; }));
    const auto t1 = std::chrono::steady_clock::now();
    s->stop();
    BOOST_TEST((std::chrono::steady_clock::now() - t1 < 2s));
    BOOST_TEST((f.wait_for(5s) == std::future_status::ready));
}

BOOST_AUTO_TEST_CASE(latency_is_added) {
    auto o = small_options();
    o.latency = 150ms;
    auto s = start(o);
    Conn c(*s);
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(c.post("order/count", "{\"data\":{}}").status == 200u);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 >= 150ms));
    const auto log = c.get_json("/_sandbox/requests?since=0")["entries"];
    BOOST_TEST(log[0]["latency_ms"].get<double>() >= 150.0);
}

BOOST_AUTO_TEST_CASE(faults_and_latency_are_switched_at_run_time) {
    auto s = start(small_options());
    Conn c(*s);
    BOOST_TEST(c.post("order/count", "{\"data\":{}}").status == 200u);
    const auto on = c.c.request("POST", "/_sandbox/faults", R"({"faults":["order/*:500:1"],"latency_ms":120})");
    BOOST_TEST_REQUIRE(on.status == 200u, on.body);
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(c.post("order/count", "{\"data\":{}}").status == 500u);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 >= 120ms));
    BOOST_TEST(c.post("vat/read", "{\"data\":{}}").status == 200u); // not matched by the rule
    BOOST_TEST(c.c.request("POST", "/_sandbox/faults", R"({"faults":["order/*:teapot:1"]})").status == 400u);
    BOOST_TEST(c.c.request("POST", "/_sandbox/faults", "not json").status == 400u);
    BOOST_TEST(c.c.request("POST", "/_sandbox/faults", R"({"faults":[]})").status == 200u);
    BOOST_TEST(c.post("order/count", "{\"data\":{}}").status == 200u);
    BOOST_TEST(c.get_json("/_sandbox/stats")["faults"]["500"] == 1);
}

BOOST_AUTO_TEST_CASE(request_log_file_has_one_json_line_per_request_and_no_secrets) {
    const auto path = temp_file("sbx-log");
    {
        ManualClock clock;
        auto o = small_options();
        o.request_log = path.string();
        o.rate_clock = clock.fn();
        auto s = start(o);
        Conn c(*s);
        c.post("order/read", kOrderPage, auth(kUser, "wrong-secret"));
        for (int i = 0; i < 4; ++i)
            c.post("vat/read", "{\"data\":{\"secret-body\":1}}");
        const auto mem = c.get_json("/_sandbox/requests?since=2");
        BOOST_TEST(mem["next"] == 5);
        BOOST_TEST(mem["entries"].size() == 3u);
    }
    std::ifstream in(path.string());
    std::vector<json> lines;
    std::string line, all;
    while (std::getline(in, line)) {
        all += line;
        lines.push_back(json::parse(line));
    }
    boost::filesystem::remove(path);
    BOOST_REQUIRE_EQUAL(lines.size(), 5u);
    BOOST_TEST(lines[0]["account"].is_null());
    BOOST_TEST(lines[0]["status"] == 401);
    BOOST_TEST(lines[1]["account"] == "sandbox");
    BOOST_TEST(lines[1]["route"] == "vat/read");
    BOOST_TEST(lines[1]["group"] == "other");
    BOOST_TEST(lines[1]["method"] == "POST");
    BOOST_TEST(lines[4]["rate_limited"] == true);
    BOOST_TEST(lines[4]["status"] == 429);
    for (const auto& l : lines) {
        for (const char* k :
             {"seq", "time", "account", "method", "route", "group", "status", "rate_limited", "fault", "latency_ms"})
            BOOST_TEST(l.contains(k), k);
        const std::string t = l["time"];
        BOOST_TEST(t.size() == 24u); // 2025-01-01T00:00:00.000Z
        BOOST_TEST(t.back() == 'Z');
    }
    BOOST_TEST(all.find("wrong-secret") == std::string::npos);
    BOOST_TEST(all.find(kPassword) == std::string::npos);
    BOOST_TEST(all.find("secret-body") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(control_truth_equals_what_paging_returns) {
    auto o = small_options();
    o.rate_limits = false;
    o.accounts = {{"a", "ua", "pa", "ro"}, {"b", "ub", "pb", "bg"}};
    auto s = start(o);
    Conn c(*s);
    const auto accounts = c.get_json("/_sandbox/accounts");
    BOOST_REQUIRE_EQUAL(accounts.size(), 2u);
    BOOST_TEST(accounts[1]["platform"] == "bg");
    BOOST_TEST(!accounts[0].contains("password"));
    BOOST_TEST(accounts.dump().find("\"pa\"") == std::string::npos);

    auto h = auth("ua", "pa");
    c.c.request("POST", "/api-3/order/count", "{}", h); // warm-up, and keep-alive
    json paged = json::array();
    for (int type : {3, 2}) {
        json all = json::array();
        for (int page = 1; page < 1000; ++page) {
            const auto r = c.post(
                "order/read", json{{"data", {{"currentPage", page}, {"itemsPerPage", 100}, {"type", type}}}}.dump(), h);
            BOOST_REQUIRE_EQUAL(r.status, 200u);
            const auto j = json::parse(r.body);
            if (j["results"].empty())
                break;
            for (auto& x : j["results"])
                paged.push_back(x);
        }
    }
    std::sort(paged.begin(), paged.end(), [](const json& x, const json& y) { return x["id"] < y["id"]; });
    const auto truth = c.get_json("/_sandbox/orders?account=a");
    BOOST_TEST(truth.size() == o.orders);
    BOOST_TEST((truth == paged));
    BOOST_TEST((c.get_json("/_sandbox/orders?account=b") != truth)); // accounts differ

    json offers = json::array();
    for (int page = 1; page < 1000; ++page) {
        const auto r =
            c.post("product_offer/read", json{{"data", {{"currentPage", page}, {"itemsPerPage", 100}}}}.dump(), h);
        const auto j = json::parse(r.body);
        if (j["results"].empty())
            break;
        for (auto& x : j["results"])
            offers.push_back(x);
    }
    std::sort(offers.begin(), offers.end(), [](const json& x, const json& y) { return x["id"] < y["id"]; });
    BOOST_TEST((c.get_json("/_sandbox/offers?account=a") == offers));

    BOOST_TEST(c.get("/_sandbox/orders").status == 400u); // two accounts: must name one
    BOOST_TEST(c.get("/_sandbox/orders?account=zz").status == 404u);
    BOOST_TEST(c.get("/_sandbox/nope").status == 404u);
    BOOST_TEST(c.get_json("/_sandbox/health")["status"] == "ok");
}

BOOST_AUTO_TEST_CASE(offer_updates_route_lists_applied_updates) {
    auto o = small_options();
    o.rate_limits = false;
    o.accounts = {{"a", "ua", "pa", "ro"}, {"b", "ub", "pb", "bg"}};
    auto s = start(o);
    Conn c(*s);
    const auto h = auth("ua", "pa");
    const auto truth = c.get_json("/_sandbox/offers?account=a");
    BOOST_REQUIRE(truth.size() >= 3u);
    const uint64_t x = truth[0]["id"], y = truth[1]["id"], z = truth[2]["id"];
    BOOST_TEST((c.get_json("/_sandbox/offer-updates?account=a") ==
                json{{"next", 0}, {"dropped", 0}, {"entries", json::array()}}));

    // x: price (own interval) and stock; y: stock only; z: price above its max -> refused.
    const json save = {{"data",
                        {{{"id", x},
                          {"sale_price", 25.5},
                          {"min_sale_price", "20"},
                          {"max_sale_price", "30"},
                          {"recommended_price", 0},
                          {"stock", {{{"warehouse_id", 1}, {"value", 12}}}}},
                         {{"id", y}, {"stock", {{{"warehouse_id", 3}, {"value", 2}}}}},
                         {{"id", z}, {"sale_price", "31"}, {"min_sale_price", "20"}, {"max_sale_price", "30"}}}}};
    auto r = c.post("offer/save", save.dump(), h);
    BOOST_REQUIRE_EQUAL(r.status, 200u);
    const auto results = json::parse(r.body)["results"];
    BOOST_TEST(results[std::to_string(x)]["isError"] == false);
    BOOST_TEST(results[std::to_string(y)]["isError"] == false);
    BOOST_TEST(results[std::to_string(z)]["isError"] == true);
    BOOST_TEST(c.c.request("PATCH", "/api-3/offer_stock/" + std::to_string(y), R"({"stock":6})", h).status == 204u);
    BOOST_TEST(c.c.request("PATCH", "/api-3/offer_stock/" + std::to_string(y), R"({"stock":70000})", h).status ==
               400u); // refused: not recorded

    const json e1 = {{"seq", 1},
                     {"id", x},
                     {"route", "offer/save"},
                     {"sale_price", "25.5000"},
                     {"stock", {{{"warehouse_id", 1}, {"value", 12}}}}};
    const json e2 = {{"seq", 2}, {"id", y}, {"route", "offer/save"}, {"stock", {{{"warehouse_id", 3}, {"value", 2}}}}};
    const json e3 = {{"seq", 3},
                     {"id", y},
                     {"route", "offer_stock"},
                     {"stock", {{{"warehouse_id", 1}, {"value", 6}}, {{"warehouse_id", 3}, {"value", 2}}}}};
    const auto all = c.get_json("/_sandbox/offer-updates?account=a&since=0");
    BOOST_TEST((all == json{{"next", 3}, {"dropped", 0}, {"entries", {e1, e2, e3}}}), all.dump());
    // The route answers exactly what the core does.
    BOOST_TEST(c.get("/_sandbox/offer-updates?account=a&since=0").body ==
               s->state().markets.at("a")->offer_updates_json(0));
    BOOST_TEST((c.get_json("/_sandbox/offer-updates?account=a") == all)); // since defaults to 0
    BOOST_TEST((c.get_json("/_sandbox/offer-updates?account=a&since=2") ==
                json{{"next", 3}, {"dropped", 0}, {"entries", {e3}}}));
    BOOST_TEST(c.get_json("/_sandbox/offer-updates?account=a&since=3")["entries"].empty());
    // Per account: b saw no updates.
    BOOST_TEST((c.get_json("/_sandbox/offer-updates?account=b") ==
                json{{"next", 0}, {"dropped", 0}, {"entries", json::array()}}));
    // The truth agrees with the last values the history shows.
    const auto now = c.get_json("/_sandbox/offers?account=a");
    BOOST_TEST(now[0]["sale_price"] == "25.5000");
    BOOST_TEST((now[1]["stock"] == e3["stock"]));
    BOOST_TEST((now[2] == truth[2]));

    BOOST_TEST(c.get("/_sandbox/offer-updates?account=a&since=x").status == 400u);
    BOOST_TEST(c.get("/_sandbox/offer-updates?account=a&since=-1").status == 400u);
    BOOST_TEST(c.get("/_sandbox/offer-updates").status == 400u); // two accounts: must name one
    BOOST_TEST(c.get("/_sandbox/offer-updates?account=zz").status == 404u);
    BOOST_TEST(c.c.request("POST", "/_sandbox/offer-updates?account=a").status == 404u);
    SandboxRequest remote;
    remote.method = "GET";
    remote.path = "/_sandbox/offer-updates";
    remote.query = "account=a";
    remote.loopback_peer = false;
    BOOST_TEST(handle_control(s->state(), remote).status == 403u);
    remote.loopback_peer = true;
    BOOST_TEST(handle_control(s->state(), remote).body == s->state().markets.at("a")->offer_updates_json(0));
}

BOOST_AUTO_TEST_CASE(same_seed_same_data) {
    auto o = small_options();
    auto s1 = start(o);
    auto s2 = start(o);
    BOOST_TEST(Conn(*s1).get("/_sandbox/orders").body == Conn(*s2).get("/_sandbox/orders").body);
}

BOOST_AUTO_TEST_CASE(immediate_mutate_route) {
    auto s = start(small_options());
    Conn c(*s);
    const auto before = c.get_json("/_sandbox/orders");
    const auto r = c.c.request("POST", "/_sandbox/mutate?account=sandbox&changes=3&creations=2");
    BOOST_REQUIRE_EQUAL(r.status, 200u);
    const auto rep = json::parse(r.body);
    BOOST_TEST(rep["created"].size() == 2u);
    BOOST_TEST(rep["changed"].size() <= 3u);
    const auto after = c.get_json("/_sandbox/orders");
    BOOST_TEST(after.size() == before.size() + 2);
    for (const auto& id : rep["created"]) {
        const auto it = std::find_if(after.begin(), after.end(), [&](const json& o) { return o["id"] == id; });
        BOOST_REQUIRE(it != after.end());
        BOOST_TEST((*it)["status"] == 1);
    }
    BOOST_TEST(c.c.request("POST", "/_sandbox/mutate?changes=x").status == 400u);
}

BOOST_AUTO_TEST_CASE(live_mutation_pauses_and_resumes) {
    auto o = small_options();
    o.mutation_rate = 200;
    o.creation_ratio = 0.5;
    auto s = start(o);
    Conn c(*s);
    auto steps = [&] { return c.get_json("/_sandbox/stats")["mutation"]["steps"].get<uint64_t>(); };
    BOOST_REQUIRE(eventually([&] { return steps() > 0; }));
    BOOST_TEST(c.c.request("POST", "/_sandbox/mutation/pause").status == 200u);
    const auto paused_steps = steps();
    const auto truth = c.get("/_sandbox/orders").body;
    std::this_thread::sleep_for(300ms); // at 200/s, ~60 changes would land here if pause failed
    BOOST_TEST(steps() == paused_steps);
    BOOST_TEST(c.get("/_sandbox/orders").body == truth);
    BOOST_TEST(c.get_json("/_sandbox/stats")["mutation"]["paused"] == true);
    BOOST_TEST(c.c.request("POST", "/_sandbox/mutation/resume").status == 200u);
    BOOST_TEST(eventually([&] { return steps() > paused_steps; }));
    BOOST_TEST(eventually([&] { return c.get("/_sandbox/orders").body != truth; }));
}

// A tiny HTTP listener that records the targets it is called with.
struct CallbackListener {
    net::io_context ioc;
    tcp::acceptor acceptor{ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::string> targets;
    std::thread thread;

    CallbackListener() {
        thread = std::thread([this] {
            for (;;) {
                boost::system::error_code ec;
                tcp::socket sock(ioc);
                acceptor.accept(sock, ec);
                if (ec)
                    return;
                boost::beast::flat_buffer buf;
                for (;;) { // keep-alive: the sandbox reuses its connection
                    http::request<http::string_body> req;
                    http::read(sock, buf, req, ec);
                    if (ec)
                        break;
                    {
                        std::lock_guard lock(mu);
                        targets.push_back(std::string(req.target()));
                    }
                    cv.notify_all();
                    http::response<http::string_body> res{http::status::ok, 11};
                    res.body() = "ok";
                    res.prepare_payload();
                    http::write(sock, res, ec);
                    if (ec)
                        break;
                }
            }
        });
    }
    ~CallbackListener() {
        // shutdown() wakes the thread blocked in accept(); close() alone does not.
        ::shutdown(acceptor.native_handle(), SHUT_RDWR);
        boost::system::error_code ec;
        acceptor.close(ec);
        thread.join();
    }
    uint16_t port() const { return acceptor.local_endpoint().port(); }
    bool wait_for(std::size_t n, std::chrono::milliseconds within) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, within, [&] { return targets.size() >= n; });
    }
};

BOOST_AUTO_TEST_CASE(new_orders_are_called_back) {
    CallbackListener listener;
    auto o = small_options();
    o.callback_url = "http://127.0.0.1:" + std::to_string(listener.port()) + "/hook/{account}";
    auto s = start(o);
    Conn c(*s);
    const auto rep = json::parse(c.c.request("POST", "/_sandbox/mutate?changes=0&creations=3").body);
    BOOST_REQUIRE_EQUAL(rep["created"].size(), 3u);
    BOOST_REQUIRE(listener.wait_for(3, 10s));
    std::lock_guard lock(listener.mu);
    for (std::size_t i = 0; i < 3; ++i)
        BOOST_TEST(listener.targets[i] ==
                   "/hook/sandbox?order_id=" + std::to_string(rep["created"][i].get<uint64_t>()));
    BOOST_TEST(eventually([&] { return c.get_json("/_sandbox/stats")["mutation"]["callbacks"]["sent"] == 3; }));
}

BOOST_AUTO_TEST_CASE(callback_failures_are_counted_not_fatal) {
    uint16_t dead_port = 0;
    {
        CallbackListener l;
        dead_port = l.port(); // closed again: nothing listens there
    }
    auto o = small_options();
    o.callback_url = "http://127.0.0.1:" + std::to_string(dead_port) + "/cb";
    auto s = start(o);
    Conn c(*s);
    c.c.request("POST", "/_sandbox/mutate?creations=2");
    BOOST_TEST(eventually([&] { return c.get_json("/_sandbox/stats")["mutation"]["callbacks"]["failed"] == 2; }));
    BOOST_TEST(c.post("order/count", "{}").status == 200u);
    BOOST_CHECK_THROW(SandboxServer([] {
                          auto x = small_options();
                          x.callback_url = "https://example.com/cb";
                          return x;
                      }())
                          .start(),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(control_routes_answer_loopback_peers_only) {
    // Every peer of an in-process test is loopback, so the refusal is checked
    // on the handler with a request from elsewhere.
    auto s = start(small_options());
    SandboxRequest r;
    r.method = "GET";
    r.path = "/_sandbox/orders";
    r.loopback_peer = false;
    BOOST_TEST(handle_control(s->state(), r).status == 403u);
    r.loopback_peer = true;
    BOOST_TEST(handle_control(s->state(), r).status == 200u);
}

BOOST_AUTO_TEST_CASE(fuzz_never_crashes_and_always_answers_http) {
    auto o = small_options();
    o.rate_limits = false;
    auto s = start(o);
    std::mt19937_64 rng(20250919);
    auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
    const std::vector<std::string> methods = {"POST", "POST",   "POST",    "GET", "PATCH",
                                              "PUT",  "DELETE", "OPTIONS", "FOO"};
    const std::vector<std::string> routes = {"order/read",
                                             "order/count",
                                             "order/save",
                                             "order/acknowledge/1",
                                             "product_offer/read",
                                             "product_offer/save",
                                             "offer/save",
                                             "offer_stock/5",
                                             "vat/read",
                                             "nosuch/x",
                                             "",
                                             "order",
                                             "order/acknowledge/99999999999999999999",
                                             "a/b/c/d/e/f"};
    const std::vector<std::string> fragments = {"{",
                                                "}",
                                                "[",
                                                "]",
                                                "\"data\"",
                                                ":",
                                                ",",
                                                "null",
                                                "true",
                                                "-1",
                                                "1e309",
                                                "\"\xff\xfe\"",
                                                "\"currentPage\"",
                                                "\"itemsPerPage\"",
                                                "\"status\"",
                                                "\"id\"",
                                                "\"type\"",
                                                "data[",
                                                "]",
                                                "=",
                                                "&",
                                                "%",
                                                "%zz",
                                                "%C8%99",
                                                "+",
                                                "data[0][id]=",
                                                "[]",
                                                "\"products\"",
                                                "\"quantity\"",
                                                "0",
                                                "4294967296",
                                                "\"sale_price\"",
                                                "\"abc\""};
    const std::vector<std::string> content_types = {"application/json", "application/x-www-form-urlencoded",
                                                    "text/plain", ""};
    HttpClient client("127.0.0.1", s->port(), 10s);
    std::map<unsigned, int> seen;
    for (int i = 0; i < 2000; ++i) {
        std::string body;
        const int parts = static_cast<int>(rng() % 24);
        for (int p = 0; p < parts; ++p)
            body += pick(fragments);
        if (rng() % 4 == 0) {
            json data = {{"data",
                          {{"currentPage", static_cast<int64_t>(rng() % 70000) - 5},
                           {"itemsPerPage", static_cast<int64_t>(rng() % 300) - 50},
                           {"status", static_cast<int>(rng() % 9) - 1},
                           {"type", static_cast<int>(rng() % 5)}}}};
            if (rng() % 3 == 0)
                data["data"] = json::array({{{"id", rng() % 1000}, {"status", rng() % 7}}});
            body = data.dump();
        }
        std::string target = "/api-3/" + pick(routes);
        if (rng() % 10 == 0)
            target += "?x=" + std::to_string(rng());
        if (rng() % 20 == 0)
            target = "/" + pick(routes);
        std::map<std::string, std::string> headers;
        if (rng() % 10 != 0)
            headers["Authorization"] = basic_auth(kUser, rng() % 15 == 0 ? "nope" : kPassword);
        if (const auto ct = pick(content_types); !ct.empty())
            headers["Content-Type"] = ct;
        HttpReply r;
        BOOST_REQUIRE_NO_THROW(r = client.request(pick(methods), target, body, headers));
        BOOST_TEST_REQUIRE((r.status >= 200 && r.status <= 599), "request " << i << " status " << r.status);
        ++seen[r.status];
        if (r.status != 204 && r.headers.count("content-type") &&
            r.headers.at("content-type").find("json") != std::string::npos)
            BOOST_TEST_REQUIRE(!json::parse(r.body, nullptr, false).is_discarded(), "request " << i << ": " << r.body);
    }
    // Garbage that is not HTTP at all: a 400 and a closed connection.
    for (int i = 0; i < 20; ++i) {
        net::io_context ioc;
        tcp::socket sock(ioc);
        sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), s->port()));
        std::string junk(static_cast<std::size_t>(1 + rng() % 200), '\0');
        for (auto& ch : junk)
            ch = static_cast<char>(rng() % 256);
        junk += "\r\n\r\n";
        net::write(sock, net::buffer(junk));
        std::string answer;
        boost::system::error_code ec;
        net::read(sock, net::dynamic_buffer(answer), ec); // until the server closes
        BOOST_TEST(answer.rfind("HTTP/1.1 400", 0) == 0u, "junk " << i << " answered: " << answer.substr(0, 40));
    }
    BOOST_TEST(seen.size() > 3u); // the run reached several kinds of answer
    Conn after(*s);
    BOOST_TEST(after.post("order/read", kOrderPage).status == 200u);
}

BOOST_AUTO_TEST_CASE(stop_closes_idle_keep_alive_connections) {
    auto s = start(small_options());
    std::vector<std::unique_ptr<Conn>> conns;
    for (int i = 0; i < 5; ++i) {
        conns.push_back(std::make_unique<Conn>(*s));
        BOOST_TEST(conns.back()->post("order/count", "{}").status == 200u);
    }
    const auto t0 = std::chrono::steady_clock::now();
    s->stop();
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 2s));
    BOOST_CHECK_THROW(conns[0]->post("order/count", "{}"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
