#define BOOST_TEST_MODULE emag_transport
#include <boost/test/unit_test.hpp>

// The eMAG client's wire layer: form_encode (checked against the sandbox's
// own PHP-style decoder) and the cpprestsdk Transport, run against the real
// local eMAG sandbox in-process on a free loopback port. Waits use futures
// with deadlines; the one fixed pause shows that a late result is dropped.

#include "api/form_encode.hpp"
#include "api/transport.hpp"
#include "server/faults.hpp"
#include "server/form_decode.hpp"
#include "server/http_client.hpp"
#include "server/sandbox_server.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <future>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

// LeakSanitizer (the ERP_SANITIZE run): OpenSSL keeps per-thread state (error
// queue, DRBGs) for each cpprest pool thread that did a TLS handshake; it is
// freed when the thread exits, and cpprest's shared pool threads never exit
// before the leak check runs. Nothing else in this binary allocates inside
// libcrypto.
extern "C" __attribute__((used)) const char* __lsan_default_suppressions() {
    return "leak:libcrypto.so\n";
}

using erp::emag::form_encode;
using erp::emag::HttpRequest;
using erp::emag::HttpResponse;
using erp::emag::Transport;
using erp::emag::TransportOptions;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kUser = "sandbox";
const std::string kPassword = "sandbox-password";
const std::string kForm = "application/x-www-form-urlencoded";

emag::sandbox::SandboxOptions sandbox_options() {
    emag::sandbox::SandboxOptions o;
    o.port = 0;
    o.orders = 50;
    o.offers = 20;
    return o;
}

std::unique_ptr<emag::sandbox::SandboxServer> start(emag::sandbox::SandboxOptions o) {
    auto s = std::make_unique<emag::sandbox::SandboxServer>(std::move(o));
    s->start();
    return s;
}

std::string auth_header(const std::string& password = kPassword) {
    return emag::sandbox::basic_auth(kUser, password);
}

HttpRequest api_request(const std::string& url, const std::string& body, const std::string& content_type,
                        const std::string& password = kPassword) {
    HttpRequest r;
    r.method = "POST";
    r.url = url;
    r.headers = {{"Authorization", auth_header(password)}, {"Accept", "application/json"}};
    r.content_type = content_type;
    r.body = body;
    return r;
}

HttpRequest form_request(const std::string& url, const json& data, const std::string& password = kPassword) {
    return api_request(url, form_encode("data", data).body, kForm, password);
}

// One send() as a future, counting how often `done` runs.
struct Pending {
    std::shared_ptr<std::promise<HttpResponse>> promise = std::make_shared<std::promise<HttpResponse>>();
    std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
    std::future<HttpResponse> future = promise->get_future();
};

Pending send_async(Transport& t, HttpRequest r) {
    Pending p;
    t.send(std::move(r), [promise = p.promise, calls = p.calls](HttpResponse resp) {
        if (calls->fetch_add(1) == 0) {
            promise->set_value(std::move(resp));
        }
    });
    return p;
}

// Sends and waits at most `within`; fails the test when no answer came.
HttpResponse send_sync(Transport& t, HttpRequest r, std::chrono::milliseconds within = 10s) {
    auto p = send_async(t, std::move(r));
    BOOST_REQUIRE_MESSAGE(p.future.wait_for(within) == std::future_status::ready,
                          "no answer within " << within.count() << " ms");
    auto resp = p.future.get();
    BOOST_TEST(p.calls->load() == 1);
    return resp;
}

std::shared_ptr<Transport> transport(std::chrono::milliseconds request_timeout = 10s,
                                     std::chrono::milliseconds connect_timeout = 5s) {
    TransportOptions o;
    o.request_timeout = request_timeout;
    o.connect_timeout = connect_timeout;
    return erp::emag::make_cpprest_transport(o);
}

// A loopback port nothing listens on: bound, then released.
uint16_t closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    BOOST_REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    BOOST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    ::close(fd);
    return ntohs(a.sin_port);
}

bool all_lower(const std::string& s) {
    for (const char c : s) {
        if (std::isupper(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

} // namespace

// ===========================================================================
BOOST_AUTO_TEST_SUITE(form_encoding)

BOOST_AUTO_TEST_CASE(php_style_names_with_explicit_indices_and_encoded_brackets) {
    auto f = form_encode("data", json{{"currentPage", 1}, {"itemsPerPage", 10}});
    BOOST_TEST(f.body == "data%5BcurrentPage%5D=1&data%5BitemsPerPage%5D=10");
    BOOST_TEST(f.variables == 2u);

    f = form_encode("data", json{{"status", {1, 2}}});
    BOOST_TEST(f.body == "data%5Bstatus%5D%5B0%5D=1&data%5Bstatus%5D%5B1%5D=2");
    BOOST_TEST(f.variables == 2u);

    f = form_encode("data", json::array({json{{"id", 5}, {"stock", 0}}}));
    BOOST_TEST(f.body == "data%5B0%5D%5Bid%5D=5&data%5B0%5D%5Bstock%5D=0");

    // A scalar at the top level, and keys that need escaping.
    BOOST_TEST(form_encode("data", 5).body == "data=5");
    BOOST_TEST(form_encode("data", json{{"a b", "x"}}).body == "data%5Ba%20b%5D=x");
}

BOOST_AUTO_TEST_CASE(values_scalars_and_omissions) {
    // RFC 3986 unreserved kept, everything else (space included) escaped.
    BOOST_TEST(form_encode("v", "Az09-._~").body == "v=Az09-._~");
    BOOST_TEST(form_encode("v", "a b&c=d%e+f/g?h#i").body == "v=a%20b%26c%3Dd%25e%2Bf%2Fg%3Fh%23i");
    BOOST_TEST(form_encode("v", "Ș").body == "v=%C8%98");
    BOOST_TEST(form_encode("v", "").body == "v=");

    BOOST_TEST(form_encode("v", true).body == "v=1");
    BOOST_TEST(form_encode("v", false).body == "v=0");
    BOOST_TEST(form_encode("v", -42).body == "v=-42");
    BOOST_TEST(form_encode("v", std::numeric_limits<std::uint64_t>::max()).body == "v=18446744073709551615");
    BOOST_TEST(form_encode("v", 19.99).body == "v=19.99");
    BOOST_TEST(form_encode("v", 0.1).body == "v=0.1");
    BOOST_TEST(form_encode("v", 1e20).body == "v=1e%2B20");

    for (const json& nothing : {json(nullptr), json::object(), json::array(), json(std::nan("")),
                                json(std::numeric_limits<double>::infinity()),
                                json{{"a", nullptr}, {"b", json::array()}, {"c", json::object()}}}) {
        const auto f = form_encode("data", nothing);
        BOOST_TEST(f.body.empty(), nothing.dump());
        BOOST_TEST(f.variables == 0u);
    }
    // A null in an array is skipped but keeps its index: PHP does the same.
    BOOST_TEST(form_encode("d", json::array({1, nullptr, 3})).body == "d%5B0%5D=1&d%5B2%5D=3");
}

BOOST_AUTO_TEST_CASE(round_trip_through_the_sandbox_decoder) {
    const json value = {
        {"currentPage", 2},
        {"itemsPerPage", 100},
        {"negative", -3},
        {"status", {1, 2, 3}},
        {"filter", {{"createdAfter", "2024-01-01 00:00:00"}, {"flags", {{"a", true}, {"b", false}}}}},
        {"name", "Ștefan Năstase & co = 100%"},
        {"price", 19.99},
        {"dropped", nullptr},
        {"empty_list", json::array()},
        {"empty_obj", json::object()},
        {"items", json::array({json{{"id", 7}, {"stock", {json{{"warehouse_id", 1}, {"value", 4}}}}}})},
    };
    const auto f = form_encode("data", value);
    BOOST_TEST(f.variables == 14u);
    BOOST_TEST(f.body.find('[') == std::string::npos);
    BOOST_TEST(f.body.find(' ') == std::string::npos);

    const auto decoded = emag::sandbox::decode_form(f.body);
    BOOST_TEST_REQUIRE(decoded.ok, decoded.error);
    const json expected = {
        {"data",
         {
             {"currentPage", 2},
             {"itemsPerPage", 100},
             {"negative", -3},
             {"status", {1, 2, 3}},
             {"filter", {{"createdAfter", "2024-01-01 00:00:00"}, {"flags", {{"a", 1}, {"b", 0}}}}},
             {"name", "Ștefan Năstase & co = 100%"},
             {"price", "19.99"}, // PHP keeps it a string; so does the decoder
             {"items", json::array({json{{"id", 7}, {"stock", {json{{"warehouse_id", 1}, {"value", 4}}}}}})},
         }}};
    BOOST_TEST(decoded.data == expected, decoded.data.dump() << " != " << expected.dump());
    BOOST_TEST(decoded.data["data"]["status"].is_array());
    BOOST_TEST(decoded.data["data"]["currentPage"].is_number_integer());
}

BOOST_AUTO_TEST_CASE(variable_count_matches_emags_limit) {
    json ids = json::array();
    for (int i = 0; i < 4000; ++i) {
        ids.push_back(i + 1);
    }
    auto f = form_encode("data", json{{"id", ids}});
    BOOST_TEST(f.variables == erp::emag::kMaxFormVariables);
    BOOST_TEST(emag::sandbox::decode_form(f.body).ok);

    ids.push_back(4001);
    f = form_encode("data", json{{"id", ids}});
    BOOST_TEST(f.variables == erp::emag::kMaxFormVariables + 1);
    const auto refused = emag::sandbox::decode_form(f.body);
    BOOST_TEST(!refused.ok);
    BOOST_TEST(refused.error.find("4000") != std::string::npos, refused.error);
}

BOOST_AUTO_TEST_SUITE_END()

// ===========================================================================
BOOST_AUTO_TEST_SUITE(cpprest_transport)

BOOST_AUTO_TEST_CASE(form_post_with_basic_auth_gets_an_envelope_and_lower_case_headers) {
    auto s = start(sandbox_options());
    auto t = transport();
    const auto r = send_sync(*t, form_request(s->base_url() + "/order/read",
                                              json{{"currentPage", 1}, {"itemsPerPage", 7}, {"status", {4}}}));
    BOOST_TEST(!r.transport_failed);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.error.empty());
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.content_type.rfind("application/json", 0) == 0u, r.content_type);
    const auto body = json::parse(r.body);
    BOOST_TEST(body["isError"] == false);
    BOOST_TEST_REQUIRE(body["results"].is_array());
    BOOST_TEST(body["results"].size() > 0u);
    BOOST_TEST(body["results"].size() <= 7u);
    for (const auto& o : body["results"]) {
        BOOST_TEST(o["status"] == 4); // the form's filter reached the server
    }
    BOOST_TEST_REQUIRE(r.header("x-ratelimit-limit-3second") != nullptr);
    BOOST_TEST(*r.header("x-ratelimit-limit-3second") == "12");
    BOOST_TEST_REQUIRE(r.header("x-ratelimit-remaining-3second") != nullptr);
    BOOST_TEST(*r.header("x-ratelimit-remaining-3second") == "11");
    BOOST_TEST_REQUIRE(r.header("content-length") != nullptr);
    BOOST_TEST(*r.header("content-length") == std::to_string(r.body.size()));
    BOOST_TEST(r.header("X-RateLimit-Limit-3second") == nullptr);
    for (const auto& [name, value] : r.headers) {
        BOOST_TEST(all_lower(name), name);
    }

    // The same client again (kept alive), now with a JSON body and a query.
    const auto again =
        send_sync(*t, api_request(s->base_url() + "/order/count?x=1", R"({"data":{}})", "application/json"));
    BOOST_TEST(again.status == 200u);
    BOOST_TEST(json::parse(again.body)["isError"] == false);
    BOOST_TEST(*again.header("x-ratelimit-remaining-3second") == "10");
}

BOOST_AUTO_TEST_CASE(wrong_password_is_a_401_not_a_transport_failure) {
    auto s = start(sandbox_options());
    auto t = transport();
    const auto r = send_sync(*t, form_request(s->base_url() + "/order/read", json{{"currentPage", 1}}, "wrong"));
    BOOST_TEST(!r.transport_failed);
    BOOST_TEST(r.status == 401u);
    BOOST_TEST(!r.body.empty());
}

BOOST_AUTO_TEST_CASE(patch_offer_stock_with_a_json_body) {
    auto o = sandbox_options();
    o.rate_limits = false;
    auto s = start(o);
    auto t = transport();
    const auto list = send_sync(*t, api_request(s->base_url() + "/product_offer/read",
                                                R"({"data":{"currentPage":1,"itemsPerPage":1}})", "application/json"));
    BOOST_TEST_REQUIRE(list.status == 200u);
    const auto id = json::parse(list.body)["results"].at(0)["id"].get<long long>();

    HttpRequest patch =
        api_request(s->base_url() + "/offer_stock/" + std::to_string(id), R"({"stock":17})", "application/json");
    patch.method = "PATCH";
    const auto r = send_sync(*t, patch);
    BOOST_TEST(!r.transport_failed, r.error);
    BOOST_TEST(r.status == 204u);
    BOOST_TEST(r.body.empty());

    const auto after = send_sync(*t, form_request(s->base_url() + "/product_offer/read", json{{"id", id}}));
    BOOST_TEST_REQUIRE(after.status == 200u);
    const auto offer = json::parse(after.body)["results"].at(0);
    BOOST_TEST(offer["id"] == id);
    bool found = false;
    for (const auto& w : offer["stock"]) {
        if (w["warehouse_id"] == 1) {
            BOOST_TEST(w["value"] == 17);
            found = true;
        }
    }
    BOOST_TEST(found, offer["stock"].dump());

    // An unknown offer: the sandbox's 404, delivered as such.
    patch.url = s->base_url() + "/offer_stock/16777000";
    const auto missing = send_sync(*t, patch);
    BOOST_TEST(missing.status == 404u);
    BOOST_TEST(json::parse(missing.body)["message"] == "This offer does not exist");
}

BOOST_AUTO_TEST_CASE(sixteen_concurrent_sends_all_complete) {
    auto o = sandbox_options();
    o.rate_limits = false;
    o.latency = 50ms; // keeps the requests in flight together
    auto s = start(o);
    auto t = transport();
    // 16 distinct pages of what the default filter lists.
    const auto count = send_sync(*t, form_request(s->base_url() + "/order/count", json::object()));
    BOOST_TEST_REQUIRE(count.status == 200u);
    const auto listed = json::parse(count.body)["results"]["noOfItems"].get<int>();
    const int per_page = std::min(3, listed / 16);
    BOOST_TEST_REQUIRE(per_page >= 1, listed << " orders listed");
    std::vector<Pending> pending;
    for (int i = 0; i < 16; ++i) {
        pending.push_back(send_async(
            *t, form_request(s->base_url() + "/order/read", json{{"currentPage", i + 1}, {"itemsPerPage", per_page}})));
    }
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    std::set<long long> ids;
    for (int i = 0; i < 16; ++i) {
        BOOST_TEST_REQUIRE((pending[i].future.wait_until(deadline) == std::future_status::ready), "send " << i);
        const auto r = pending[i].future.get();
        BOOST_TEST(pending[i].calls->load() == 1);
        BOOST_TEST_REQUIRE(r.status == 200u, "send " << i << ": " << r.error);
        const auto results = json::parse(r.body)["results"];
        BOOST_TEST(results.size() == static_cast<std::size_t>(per_page));
        for (const auto& order : results) {
            ids.insert(order["id"].get<long long>());
        }
    }
    BOOST_TEST(ids.size() ==
               static_cast<std::size_t>(16 * per_page)); // every answer belongs to its own request (distinct pages)
}

BOOST_AUTO_TEST_CASE(a_hanging_server_times_out_and_the_late_answer_is_dropped) {
    auto o = sandbox_options();
    o.faults = {emag::sandbox::parse_fault_rule("order/read:hang:1")};
    o.hang = 30s;
    auto s = start(o);
    auto t = transport(500ms);
    const auto t0 = std::chrono::steady_clock::now();
    auto p = send_async(*t, form_request(s->base_url() + "/order/read", json{{"currentPage", 1}}));
    BOOST_TEST_REQUIRE((p.future.wait_for(5s) == std::future_status::ready));
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    const auto r = p.future.get();
    BOOST_TEST(r.transport_failed);
    BOOST_TEST(r.timed_out);
    BOOST_TEST(r.status == 0u);
    BOOST_TEST(r.error.find("request timed out after 500 ms") != std::string::npos, r.error);
    BOOST_TEST((elapsed >= 450ms));
    BOOST_TEST((elapsed < 3s));

    // The transport is still usable (the cancelled connection is not reused).
    const auto ok = send_sync(*t, api_request(s->base_url() + "/vat/read", R"({"data":{}})", "application/json"));
    BOOST_TEST(ok.status == 200u, ok.error);
    // cpprest's own (cancelled) result arrives after the timeout; it must be
    // dropped. The pause gives it time to show up if it were delivered.
    std::this_thread::sleep_for(300ms);
    BOOST_TEST(p.calls->load() == 1);
}

BOOST_AUTO_TEST_CASE(a_closed_port_fails_fast) {
    auto t = transport(10s, 5s);
    const auto port = closed_port();
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = send_sync(
        *t, form_request("http://127.0.0.1:" + std::to_string(port) + "/api-3/order/read", json{{"currentPage", 1}}),
        5s);
    BOOST_TEST_MESSAGE("closed port: " << r.error);
    BOOST_TEST(r.transport_failed);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.status == 0u);
    BOOST_TEST(r.error.find("connection failed") == 0u, r.error);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 2s));

    // An error never repeats a request header's value, whatever it holds:
    // a header carrying cpprest's own words has them scrubbed.
    const auto words = r.error.substr(r.error.find(": ") + 2);
    BOOST_TEST_REQUIRE(words.size() >= 6u, r.error);
    auto req = form_request("http://127.0.0.1:" + std::to_string(port) + "/api-3/order/read", json{{"page", 1}});
    req.headers.emplace_back("X-Probe", words);
    const auto scrubbed = send_sync(*t, req, 5s);
    BOOST_TEST(scrubbed.transport_failed);
    BOOST_TEST(scrubbed.error.find(words) == std::string::npos, scrubbed.error);
    BOOST_TEST(scrubbed.error.find("<redacted>") != std::string::npos, scrubbed.error);
}

BOOST_AUTO_TEST_CASE(a_connect_that_never_completes_is_bounded_by_connect_timeout) {
    // A listener with a full accept queue (backlog 0, one connection already
    // queued, never accepted): Linux drops further SYNs, so connect() hangs.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    BOOST_REQUIRE(listener >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    BOOST_REQUIRE(::listen(listener, 0) == 0);
    socklen_t len = sizeof a;
    BOOST_REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    const int filler = ::socket(AF_INET, SOCK_STREAM, 0);
    BOOST_REQUIRE(::connect(filler, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);

    auto t = transport(10s, 300ms);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = send_sync(*t,
                             form_request("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/api-3/order/read",
                                          json{{"currentPage", 1}}),
                             5s);
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    ::close(filler);
    ::close(listener);
    BOOST_TEST(r.transport_failed);
    BOOST_TEST(r.timed_out);
    BOOST_TEST(r.error.find("connect timed out after 300 ms") != std::string::npos, r.error);
    BOOST_TEST((elapsed >= 250ms));
    BOOST_TEST((elapsed < 3s));
}

BOOST_AUTO_TEST_CASE(a_truncated_body_is_delivered_as_is) {
    auto o = sandbox_options();
    o.rate_limits = false;
    // Both sandboxes must generate the same orders: their data is dated from
    // "now", so a second boundary crossed between the two starts (a loaded
    // CI machine) would otherwise change the bodies compared below.
    const auto pinned = std::chrono::system_clock::now();
    o.data_now = [pinned] { return pinned; };
    std::string full;
    {
        auto clean = start(o);
        auto t = transport();
        const auto r = send_sync(*t, form_request(clean->base_url() + "/order/read", json{{"currentPage", 1}}));
        BOOST_TEST_REQUIRE(r.status == 200u);
        full = r.body;
    }
    o.faults = {emag::sandbox::parse_fault_rule("order/read:truncate:1")};
    auto s = start(o);
    auto t = transport();
    const auto r = send_sync(*t, form_request(s->base_url() + "/order/read", json{{"currentPage", 1}}));
    BOOST_TEST(!r.transport_failed, r.error);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST_REQUIRE(full.size() > 100u);
    BOOST_TEST(r.body == full.substr(0, full.size() / 2));
    BOOST_TEST(json::parse(r.body, nullptr, false).is_discarded());
}

BOOST_AUTO_TEST_CASE(https_to_a_plain_http_port_fails_without_leaking_the_credential) {
    auto s = start(sandbox_options());
    auto t = transport(5s, 5s);
    auto req =
        form_request("https://127.0.0.1:" + std::to_string(s->port()) + "/api-3/order/read", json{{"currentPage", 1}});
    const auto r = send_sync(*t, req, 8s);
    BOOST_TEST_MESSAGE("https to http: " << r.error);
    BOOST_TEST(r.transport_failed);
    BOOST_TEST(r.status == 0u);
    BOOST_TEST(!r.error.empty());
    const auto auth = auth_header();
    const auto token = auth.substr(auth.find(' ') + 1);
    BOOST_TEST(r.error.find(auth) == std::string::npos, r.error);
    BOOST_TEST(r.error.find(token) == std::string::npos, r.error);
    BOOST_TEST(r.error.find(kPassword) == std::string::npos, r.error);
    BOOST_TEST(r.error.find("Authorization") == std::string::npos, r.error);
}

BOOST_AUTO_TEST_CASE(a_503_html_page_is_delivered_as_a_response) {
    auto o = sandbox_options();
    o.faults = {emag::sandbox::parse_fault_rule("order/read:503:1")};
    auto s = start(o);
    auto t = transport();
    const auto r = send_sync(*t, form_request(s->base_url() + "/order/read", json{{"currentPage", 1}}));
    BOOST_TEST(!r.transport_failed, r.error);
    BOOST_TEST(r.status == 503u);
    BOOST_TEST(r.content_type == "text/html");
    BOOST_TEST(r.body.find("<html>") == 0u, r.body);
    BOOST_TEST(json::parse(r.body, nullptr, false).is_discarded());
}

BOOST_AUTO_TEST_CASE(unusable_urls_are_answered_once_without_throwing) {
    auto t = transport();
    for (const std::string url : {"", "not a url", "ftp://127.0.0.1/x", "http:///nohost", "mailto:a@b.c"}) {
        BOOST_TEST_CONTEXT("url '" << url << "'") {
            HttpRequest req = api_request(url, "", "");
            const auto r = send_sync(*t, req, 5s);
            BOOST_TEST(r.transport_failed);
            BOOST_TEST(!r.timed_out);
            BOOST_TEST(r.error.find("invalid URL") != std::string::npos, r.error);
            BOOST_TEST(r.error.find(auth_header()) == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
