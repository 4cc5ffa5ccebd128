#define BOOST_TEST_MODULE cpp_helpers
#include <boost/test/unit_test.hpp>

// The C++ helpers of erp_plugin.hpp against fakes of the host's C tables:
// a recording registrar that calls the trampolines the way the host would,
// a host table whose struct_size can be cut short, and fake HTTP responses.
// The ERP_CPP_PLUGIN macro is used once here (TestPlugin), so this executable
// itself exports an erp_plugin_entry that the tests call like a host.

#include "test_support.hpp"

#include <erp_plugin/erp_plugin.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using erp::plugin::Error;
using erp::plugin::StringSink;
using json = nlohmann::json;

namespace {

// Parses an error sink's text and checks it is exactly {code,message,where}.
json parse_error(const std::string& text) {
    const json j = json::parse(text); // throws (fails the test) when invalid
    BOOST_TEST_REQUIRE(j.is_object());
    BOOST_TEST(j.size() == 3u);
    BOOST_TEST_REQUIRE(j.contains("code"));
    BOOST_TEST_REQUIRE(j.contains("message"));
    BOOST_TEST_REQUIRE(j.contains("where"));
    BOOST_TEST(j["code"].is_string());
    BOOST_TEST(j["message"].is_string());
    BOOST_TEST(j["where"].is_string());
    return j;
}

// ---- a host table whose calls are recorded ----------------------------------

struct FakeHost {
    std::vector<std::pair<uint32_t, std::string>> logs;
    std::vector<std::pair<std::string, std::string>> events;
    std::string progress;
    bool cancelled = false;
    std::map<std::string, int> calls; // service name -> times called
    erp_status database_status = ERP_OK;
    erp_host_api api{};

    FakeHost() {
        api.struct_size = sizeof(erp_host_api);
        api.abi_version = ERP_ABI_VERSION;
        api.ctx = reinterpret_cast<erp_host_ctx*>(this);
        api.log = [](erp_host_ctx* c, uint32_t level, const char* msg, size_t len) {
            self(c).calls["log"]++;
            self(c).logs.emplace_back(level, std::string(msg, len));
        };
        api.database_url = [](erp_host_ctx* c, erp_sink* out) -> erp_status {
            self(c).calls["database_url"]++;
            if (self(c).database_status != ERP_OK) {
                return self(c).database_status;
            }
            return erp::plugin::sink_write(out, "sqlite3://db=/tmp/x.db");
        };
        api.data_dir = [](erp_host_ctx* c, erp_sink* out) -> erp_status {
            self(c).calls["data_dir"]++;
            return erp::plugin::sink_write(out, "/var/lib/erp/plugins/test");
        };
        api.publish_event = [](erp_host_ctx* c, const char* topic, const char* j, size_t len) -> erp_status {
            self(c).calls["publish_event"]++;
            self(c).events.emplace_back(topic, std::string(j, len));
            return ERP_OK;
        };
        api.now_unix_ms = [](erp_host_ctx* c) -> int64_t {
            self(c).calls["now_unix_ms"]++;
            return 1234;
        };
        api.job_is_cancelled = [](erp_host_ctx* c, erp_job*) -> int {
            self(c).calls["job_is_cancelled"]++;
            return self(c).cancelled ? 1 : 0;
        };
        api.job_progress = [](erp_host_ctx* c, erp_job*, const char* j, size_t len) -> erp_status {
            self(c).calls["job_progress"]++;
            self(c).progress.assign(j, len);
            return ERP_OK;
        };
        api.get_extension = [](erp_host_ctx* c, const char*, uint32_t) -> const void* {
            self(c).calls["get_extension"]++;
            return c; // any non-NULL pointer
        };
    }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    static FakeHost& self(erp_host_ctx* c) { return *reinterpret_cast<FakeHost*>(c); }
};

// The first `n` bytes of a host table, alone in a heap block of exactly that
// size: a wrapper reading past struct_size would read outside the block
// (which the sanitizer build reports) and would call the recorded services.
struct CutHostTable {
    std::unique_ptr<unsigned char[]> bytes;
    CutHostTable(const erp_host_api& full, size_t n) : bytes(new unsigned char[n]) {
        erp_host_api copy = full;
        copy.struct_size = static_cast<uint32_t>(n);
        std::memcpy(bytes.get(), &copy, n);
    }
    const erp_host_api* get() const { return reinterpret_cast<const erp_host_api*>(bytes.get()); }
};

// ---- a registrar that records and calls back --------------------------------

struct RecordingRegistrar {
    struct Job {
        uint32_t struct_size;
        std::string id, description;
        uint32_t interval, jitter;
        void* user;
        decltype(erp_job_def::run) run;
    };
    struct Validator {
        std::string kind;
        void* user;
        decltype(erp_validator_def::validate) validate;
    };
    struct Monitor {
        std::string id;
        void* user;
        decltype(erp_monitor_def::collect) collect;
        decltype(erp_monitor_def::health) health;
    };
    struct Mapping {
        uint32_t version;
        std::string description, declaration;
    };
    struct Route {
        std::string method, pattern;
        uint32_t flags;
        void* user;
        decltype(erp_route_def::handle) handle;
    };
    struct Static {
        std::string prefix, directory;
    };

    std::vector<Job> jobs;
    std::vector<Validator> validators;
    std::vector<Monitor> monitors;
    std::vector<Mapping> mappings;
    std::vector<Route> routes;
    std::vector<Static> statics;
    // When set, the named add_* fails with this status and error JSON.
    std::string fail_kind;
    erp_status fail_status = ERP_E_CONFLICT;
    std::string fail_json;
    erp_registrar table{};

    RecordingRegistrar() {
        table.struct_size = sizeof(erp_registrar);
        table.ctx = reinterpret_cast<erp_registrar_ctx*>(this);
        table.add_job = [](erp_registrar_ctx* c, const erp_job_def* d, erp_sink* e) -> erp_status {
            if (self(c).fails("job", e)) {
                return self(c).fail_status;
            }
            self(c).jobs.push_back({d->struct_size, d->id, d->description ? d->description : "", d->interval_seconds,
                                    d->jitter_seconds, d->user, d->run});
            return ERP_OK;
        };
        table.add_validator = [](erp_registrar_ctx* c, const erp_validator_def* d, erp_sink* e) -> erp_status {
            if (self(c).fails("validator", e)) {
                return self(c).fail_status;
            }
            self(c).validators.push_back({d->kind, d->user, d->validate});
            return ERP_OK;
        };
        table.add_monitor = [](erp_registrar_ctx* c, const erp_monitor_def* d, erp_sink* e) -> erp_status {
            if (self(c).fails("monitor", e)) {
                return self(c).fail_status;
            }
            self(c).monitors.push_back({d->id, d->user, d->collect, d->health});
            return ERP_OK;
        };
        table.add_db_mapping = [](erp_registrar_ctx* c, const erp_db_mapping* d, erp_sink* e) -> erp_status {
            if (self(c).fails("db_mapping", e)) {
                return self(c).fail_status;
            }
            self(c).mappings.push_back({d->version, d->description ? d->description : "", d->declaration_json});
            return ERP_OK;
        };
        table.add_route = [](erp_registrar_ctx* c, const erp_route_def* d, erp_sink* e) -> erp_status {
            if (self(c).fails("route", e)) {
                return self(c).fail_status;
            }
            self(c).routes.push_back({d->method, d->pattern, d->flags, d->user, d->handle});
            return ERP_OK;
        };
        table.add_static = [](erp_registrar_ctx* c, const erp_static_def* d, erp_sink* e) -> erp_status {
            if (self(c).fails("static", e)) {
                return self(c).fail_status;
            }
            self(c).statics.push_back({d->url_prefix, d->directory});
            return ERP_OK;
        };
    }
    RecordingRegistrar(const RecordingRegistrar&) = delete;
    RecordingRegistrar& operator=(const RecordingRegistrar&) = delete;

    static RecordingRegistrar& self(erp_registrar_ctx* c) { return *reinterpret_cast<RecordingRegistrar*>(c); }
    bool fails(const std::string& kind, erp_sink* error) const {
        if (kind != fail_kind) {
            return false;
        }
        erp::plugin::sink_write(error, fail_json);
        return true;
    }
};

// ---- an HTTP response as the host would hand it ------------------------------

struct FakeResponse {
    uint32_t status = 200;
    std::map<std::string, std::string> headers;
    StringSink body;
    erp_http_response resp{};

    FakeResponse() {
        resp.struct_size = sizeof(resp);
        resp.ctx = this;
        resp.set_status = [](void* c, uint32_t s) { static_cast<FakeResponse*>(c)->status = s; };
        resp.set_header = [](void* c, const char* n, const char* v) { static_cast<FakeResponse*>(c)->headers[n] = v; };
        resp.body = body.get();
    }
    FakeResponse(const FakeResponse&) = delete;
    FakeResponse& operator=(const FakeResponse&) = delete;
};

erp_http_request make_request(const char* method, const char* path, const char* body, size_t body_len) {
    erp_http_request r{};
    r.struct_size = sizeof(r);
    r.method = method;
    r.path = path;
    r.query = "page=2";
    r.params_json = R"({"id":"42"})";
    r.headers_json = R"({"accept":"application/json"})";
    r.body = body;
    r.body_len = body_len;
    return r;
}

} // namespace

// ---- the plugin this executable exports -------------------------------------

namespace {

// Observable from the tests: the plugin's lifecycle calls.
struct Lifecycle {
    int constructed = 0, started = 0, stopped = 0, destroyed = 0;
    std::string last_config;
};
Lifecycle g_lifecycle;
// Captured by the job handler TestPlugin registers: its use_count shows
// whether that handler is still stored somewhere.
const auto g_handler_token = std::make_shared<int>(0);

// Config strings steer the constructor:
//   "throw-std"       registers a job, then throws std::runtime_error
//   "throw-config"    throws Error{ERP_E_CONFIG, ...}
//   anything else     registers one of everything
class TestPlugin {
  public:
    TestPlugin(erp::plugin::HostApi host, std::string_view config, erp::plugin::Registrations& reg) : host_(host) {
        g_lifecycle.constructed++;
        g_lifecycle.last_config = std::string(config);
        if (config == "throw-config") {
            throw Error(ERP_E_CONFIG, "config", "accounts[0].platform: unknown platform \"pl\"");
        }
        reg.add_job("cpp_test.job", "a job", 30, 3,
                    [this, token = g_handler_token](erp_job* job, std::string_view params) -> erp_status {
                        host_.info("job ran with " + std::string(params));
                        return host_.job_cancelled(job) ? ERP_E_CANCELLED : ERP_OK;
                    });
        if (config == "throw-std") {
            throw std::runtime_error("boom in the constructor");
        }
        reg.add_route("GET", "/api/status", 0,
                      [](const erp::plugin::Request&, erp::plugin::Response& resp) { resp.json(R"({"ok":true})"); });
    }
    ~TestPlugin() { g_lifecycle.destroyed++; }
    erp_status start() {
        g_lifecycle.started++;
        return ERP_OK;
    }
    void stop() { g_lifecycle.stopped++; }

  private:
    erp::plugin::HostApi host_;
};

// Has neither start() nor stop(): the ABI's optional slots stay NULL.
struct MinimalPlugin {
    MinimalPlugin(erp::plugin::HostApi, std::string_view, erp::plugin::Registrations&) {}
};

} // namespace

ERP_CPP_PLUGIN(TestPlugin, "cpp_test", "1.2.3")

// ============================================================================

BOOST_AUTO_TEST_SUITE(json_escaping)

BOOST_AUTO_TEST_CASE(quotes_backslashes_and_control_characters) {
    BOOST_TEST(erp::plugin::json_escape("say \"hi\"") == "say \\\"hi\\\"");
    BOOST_TEST(erp::plugin::json_escape("C:\\dir") == "C:\\\\dir");
    BOOST_TEST(erp::plugin::json_escape("a\nb\tc\rd\be\ff") == "a\\nb\\tc\\rd\\be\\ff");
    BOOST_TEST(erp::plugin::json_escape(std::string_view("\x01\x1f\0", 3)) == "\\u0001\\u001f\\u0000");
    BOOST_TEST(erp::plugin::json_escape("\x7f/") == "\x7f/"); // DEL and '/' need no escape
    BOOST_TEST(erp::plugin::json_string("x\"y") == "\"x\\\"y\"");
}

BOOST_AUTO_TEST_CASE(valid_utf8_passes_through) {
    const std::string text = "Comandă în București — 5 € 😀";
    BOOST_TEST(erp::plugin::json_escape(text) == text);
    BOOST_TEST(json::parse(erp::plugin::json_string(text)).get<std::string>() == text);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_replacement_characters) {
    const std::string fffd = "\xEF\xBF\xBD";
    BOOST_TEST(erp::plugin::json_escape("a\xFF"
                                        "b") == "a" + fffd + "b");
    BOOST_TEST(erp::plugin::json_escape("\xC0\xAF") == fffd + fffd);                            // overlong '/'
    BOOST_TEST(erp::plugin::json_escape("\xED\xA0\x80") == fffd + fffd + fffd);                 // UTF-16 surrogate
    BOOST_TEST(erp::plugin::json_escape("\xF4\x90\x80\x80").find('\xF4') == std::string::npos); // > U+10FFFF
    BOOST_TEST(erp::plugin::json_escape("end\xE2\x82") == "end" + fffd + fffd);                 // truncated '€'
    // Whatever bytes go in, what comes out parses as JSON.
    std::string all;
    for (int c = 0; c < 256; ++c) {
        all += static_cast<char>(c);
    }
    BOOST_CHECK_NO_THROW(json::parse(erp::plugin::json_string(all)));
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(sinks)

BOOST_AUTO_TEST_CASE(string_sink_collects_writes_and_enforces_its_limit) {
    StringSink s(5);
    BOOST_TEST(erp::plugin::sink_write(s.get(), "abc") == ERP_OK);
    BOOST_TEST(erp::plugin::sink_write(s.get(), "de") == ERP_OK);
    BOOST_TEST(erp::plugin::sink_write(s.get(), "f") == ERP_E_INVALID_ARGUMENT);
    BOOST_TEST(s.str() == "abcde");
}

BOOST_AUTO_TEST_CASE(sink_write_refuses_missing_or_short_sinks) {
    BOOST_TEST(erp::plugin::sink_write(nullptr, "x") == ERP_E_INVALID_ARGUMENT);
    StringSink s;
    erp_sink short_sink = *s.get();
    short_sink.struct_size = offsetof(erp_sink, write); // `write` lies outside
    BOOST_TEST(erp::plugin::sink_write(&short_sink, "x") == ERP_E_INVALID_ARGUMENT);
    BOOST_TEST(s.str().empty());
}

BOOST_AUTO_TEST_CASE(write_error_writes_code_message_where) {
    StringSink s;
    BOOST_TEST(erp::plugin::write_error(s.get(), "io", "disk \"full\"\n", "emag.sync") == ERP_OK);
    const json j = parse_error(s.str());
    BOOST_TEST(j["code"] == "io");
    BOOST_TEST(j["message"] == "disk \"full\"\n");
    BOOST_TEST(j["where"] == "emag.sync");
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(fence)

BOOST_AUTO_TEST_CASE(returns_the_functions_status_and_writes_nothing) {
    StringSink err;
    BOOST_TEST(erp::plugin::fence(err.get(), "w", [] {}) == ERP_OK);
    BOOST_TEST(erp::plugin::fence(err.get(), "w", []() -> erp_status { return ERP_E_CANCELLED; }) == ERP_E_CANCELLED);
    BOOST_TEST(err.str().empty());
}

BOOST_AUTO_TEST_CASE(plugin_error_keeps_status_code_and_message) {
    StringSink err;
    const erp_status st = erp::plugin::fence(
        err.get(), "init", [] { throw Error(ERP_E_CONFIG, "config", "accounts[1].platform: unknown platform"); });
    BOOST_TEST(st == ERP_E_CONFIG);
    const json j = parse_error(err.str());
    BOOST_TEST(j["code"] == "config");
    BOOST_TEST(j["message"] == "accounts[1].platform: unknown platform");
    BOOST_TEST(j["where"] == "init");
}

BOOST_AUTO_TEST_CASE(plugin_error_with_its_own_where_and_default_code) {
    StringSink err;
    const erp_status st =
        erp::plugin::fence(err.get(), "init", [] { throw Error(ERP_E_NOT_FOUND, "", "no such offer", "offers"); });
    BOOST_TEST(st == ERP_E_NOT_FOUND);
    const json j = parse_error(err.str());
    BOOST_TEST(j["code"] == "not_found");
    BOOST_TEST(j["where"] == "offers");
}

BOOST_AUTO_TEST_CASE(std_exception_becomes_internal_with_what) {
    StringSink err;
    const erp_status st =
        erp::plugin::fence(err.get(), "start", []() -> erp_status { throw std::runtime_error("db \"gone\""); });
    BOOST_TEST(st == ERP_E_INTERNAL);
    const json j = parse_error(err.str());
    BOOST_TEST(j["code"] == "internal");
    BOOST_TEST(j["message"] == "db \"gone\"");
    BOOST_TEST(j["where"] == "start");
}

BOOST_AUTO_TEST_CASE(anything_else_becomes_unknown_exception) {
    StringSink err;
    BOOST_TEST(erp::plugin::fence(err.get(), nullptr, [] { throw 42; }) == ERP_E_INTERNAL);
    const json j = parse_error(err.str());
    BOOST_TEST(j["message"] == "unknown exception");
    BOOST_TEST(j["where"] == "");
}

BOOST_AUTO_TEST_CASE(an_error_claiming_ok_is_reported_as_internal) {
    StringSink err;
    BOOST_TEST(erp::plugin::fence(err.get(), "w", [] { throw Error(ERP_OK, "x", "bug"); }) == ERP_E_INTERNAL);
}

BOOST_AUTO_TEST_CASE(forwarded_error_json_is_written_unchanged) {
    StringSink err;
    const std::string from_host = R"({"code":"conflict","message":"job exists","where":"registrar"})";
    const erp_status st = erp::plugin::fence(
        err.get(), "init", [&] { throw Error::from_error_json(ERP_E_CONFLICT, from_host, "add_job(x)"); });
    BOOST_TEST(st == ERP_E_CONFLICT);
    BOOST_TEST(err.str() == from_host);
}

BOOST_AUTO_TEST_CASE(never_throws_when_the_error_sink_fails_or_is_missing) {
    erp_sink broken{};
    broken.struct_size = sizeof(broken);
    broken.write = [](void*, const char*, size_t) -> erp_status { return ERP_E_INVALID_ARGUMENT; };
    BOOST_TEST(erp::plugin::fence(&broken, "w", [] { throw std::runtime_error("x"); }) == ERP_E_INTERNAL);
    BOOST_TEST(erp::plugin::fence(nullptr, "w", [] { throw Error(ERP_E_IO, "io", "x"); }) == ERP_E_IO);
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(host_api)

BOOST_AUTO_TEST_CASE(full_table_forwards_every_service) {
    FakeHost fake;
    const erp::plugin::HostApi host(&fake.api);
    BOOST_TEST(host.abi_version() == ERP_ABI_VERSION);
    host.warn("careful");
    BOOST_TEST_REQUIRE(fake.logs.size() == 1u);
    BOOST_TEST(fake.logs[0].first == ERP_LOG_WARN);
    BOOST_TEST(fake.logs[0].second == "careful");
    BOOST_TEST(host.database_url() == "sqlite3://db=/tmp/x.db");
    BOOST_TEST(host.data_dir() == "/var/lib/erp/plugins/test");
    BOOST_TEST(host.publish("cpp_test.alert", R"({"a":1})") == ERP_OK);
    BOOST_TEST_REQUIRE(fake.events.size() == 1u);
    BOOST_TEST(fake.events[0].first == "cpp_test.alert");
    BOOST_TEST(host.now_ms() == 1234);
    BOOST_TEST(!host.job_cancelled(nullptr));
    fake.cancelled = true;
    BOOST_TEST(host.job_cancelled(nullptr));
    BOOST_TEST(host.job_progress(nullptr, R"({"processed":1})") == ERP_OK);
    BOOST_TEST(fake.progress == R"({"processed":1})");
    BOOST_TEST(host.get_extension("erp.none.v1", 1) != nullptr);
}

BOOST_AUTO_TEST_CASE(database_url_failure_throws_error_with_the_hosts_status) {
    FakeHost fake;
    fake.database_status = ERP_E_UNAVAILABLE;
    const erp::plugin::HostApi host(&fake.api);
    BOOST_CHECK_EXCEPTION(host.database_url(), Error, [](const Error& e) { return e.status() == ERP_E_UNAVAILABLE; });
}

BOOST_AUTO_TEST_CASE(fields_beyond_struct_size_are_treated_as_absent) {
    FakeHost fake;
    // An "older host" whose table ends right before job_is_cancelled.
    const CutHostTable cut(fake.api, offsetof(erp_host_api, job_is_cancelled));
    const erp::plugin::HostApi host(cut.get());

    BOOST_TEST(host.now_ms() == 1234); // inside: used
    BOOST_TEST(!host.job_cancelled(nullptr));
    BOOST_TEST(host.job_progress(nullptr, "{}") == ERP_E_UNSUPPORTED);
    BOOST_TEST(host.get_extension("erp.x.v1", 1) == nullptr);
    BOOST_TEST(fake.calls["job_is_cancelled"] == 0);
    BOOST_TEST(fake.calls["job_progress"] == 0);
    BOOST_TEST(fake.calls["get_extension"] == 0);
    BOOST_TEST(host.raw().job_progress == nullptr); // zero-filled, not copied
}

BOOST_AUTO_TEST_CASE(a_table_cut_before_the_clock_falls_back_to_system_time) {
    FakeHost fake;
    const CutHostTable cut(fake.api, offsetof(erp_host_api, now_unix_ms));
    const erp::plugin::HostApi host(cut.get());
    BOOST_TEST(host.now_ms() > 1600000000000LL); // system clock, not the fake's 1234
    BOOST_TEST(fake.calls["now_unix_ms"] == 0);
    BOOST_TEST(host.publish("cpp_test.x", "{}") == ERP_OK); // publish_event is still inside
}

BOOST_AUTO_TEST_CASE(a_table_cut_before_the_log_drops_logs_and_refuses_strings) {
    FakeHost fake;
    const CutHostTable cut(fake.api, offsetof(erp_host_api, log));
    const erp::plugin::HostApi host(cut.get());
    BOOST_TEST(host.abi_version() == ERP_ABI_VERSION);
    host.error("dropped");
    BOOST_TEST(fake.logs.empty());
    BOOST_CHECK_EXCEPTION(host.database_url(), Error, [](const Error& e) { return e.status() == ERP_E_UNSUPPORTED; });
    BOOST_TEST(fake.calls["database_url"] == 0);
}

BOOST_AUTO_TEST_CASE(a_null_host_is_harmless) {
    const erp::plugin::HostApi host(nullptr);
    host.info("nowhere");
    BOOST_TEST(host.abi_version() == 0u);
    BOOST_TEST(host.publish("x.y", "{}") == ERP_E_UNSUPPORTED);
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(registrations)

BOOST_AUTO_TEST_CASE(job_is_registered_with_full_struct_and_its_function_runs) {
    FakeHost fake;
    RecordingRegistrar reg;
    erp::plugin::Registrations r(&reg.table);
    const erp::plugin::HostApi host(&fake.api);
    std::string seen_params;
    r.add_job("cpp_test.sync", "sync things", 60, 7, [&](erp_job* job, std::string_view params) -> erp_status {
        seen_params = std::string(params);
        return host.job_cancelled(job) ? ERP_E_CANCELLED : ERP_OK;
    });
    BOOST_TEST_REQUIRE(reg.jobs.size() == 1u);
    const auto& j = reg.jobs[0];
    BOOST_TEST(j.struct_size == sizeof(erp_job_def));
    BOOST_TEST(j.id == "cpp_test.sync");
    BOOST_TEST(j.description == "sync things");
    BOOST_TEST(j.interval == 60u);
    BOOST_TEST(j.jitter == 7u);
    BOOST_TEST_REQUIRE(j.run != nullptr);

    StringSink err;
    const std::string params = R"({"full":true})";
    BOOST_TEST(j.run(j.user, nullptr, params.data(), params.size(), err.get()) == ERP_OK);
    BOOST_TEST(seen_params == params);
    fake.cancelled = true;
    BOOST_TEST(j.run(j.user, nullptr, nullptr, 0, err.get()) == ERP_E_CANCELLED);
    BOOST_TEST(seen_params == "{}"); // NULL params read as an empty object
    BOOST_TEST(err.str().empty());
}

BOOST_AUTO_TEST_CASE(throwing_job_yields_status_and_json_not_an_exception) {
    RecordingRegistrar reg;
    erp::plugin::Registrations r(&reg.table);
    r.add_job("cpp_test.fail", "", 0, 0, [](erp_job*, std::string_view) -> erp_status {
        throw Error(ERP_E_UNAVAILABLE, "rate_limited", "eMAG said 429");
    });
    StringSink err;
    const auto& j = reg.jobs.at(0);
    BOOST_TEST(j.run(j.user, nullptr, "{}", 2, err.get()) == ERP_E_UNAVAILABLE);
    const json e = parse_error(err.str());
    BOOST_TEST(e["code"] == "rate_limited");
    BOOST_TEST(e["where"] == "job cpp_test.fail");
}

BOOST_AUTO_TEST_CASE(validator_writes_problems_and_reports_unjudgeable_input) {
    RecordingRegistrar reg;
    erp::plugin::Registrations r(&reg.table);
    r.add_validator("cpp_test.order", [](std::string_view in) -> std::string {
        if (in.empty() || in.front() != '{') {
            throw Error(ERP_E_INVALID_ARGUMENT, "invalid_argument", "not a JSON object");
        }
        return R"([{"field":"id","code":"missing","message":"id is required"}])";
    });
    BOOST_TEST_REQUIRE(reg.validators.size() == 1u);
    const auto& v = reg.validators[0];
    BOOST_TEST(v.kind == "cpp_test.order");
    StringSink problems, err;
    BOOST_TEST(v.validate(v.user, "{}", 2, problems.get(), err.get()) == ERP_OK);
    BOOST_TEST(json::parse(problems.str())[0]["field"] == "id");
    StringSink problems2, err2;
    BOOST_TEST(v.validate(v.user, "[", 1, problems2.get(), err2.get()) == ERP_E_INVALID_ARGUMENT);
    BOOST_TEST(parse_error(err2.str())["message"] == "not a JSON object");
}

BOOST_AUTO_TEST_CASE(monitor_leaves_absent_callbacks_null) {
    RecordingRegistrar reg;
    erp::plugin::Registrations r(&reg.table);
    r.add_monitor("cpp_test.only_health", {}, [] { return std::string(R"({"status":"ok","score":100})"); });
    r.add_monitor("cpp_test.only_metrics", [] { return std::string(); }, {});
    BOOST_TEST_REQUIRE(reg.monitors.size() == 2u);
    const auto& h = reg.monitors[0];
    BOOST_TEST((h.collect == nullptr));
    BOOST_TEST_REQUIRE(h.health != nullptr);
    StringSink out, err;
    BOOST_TEST(h.health(h.user, out.get(), err.get()) == ERP_OK);
    BOOST_TEST(json::parse(out.str())["score"] == 100);

    const auto& m = reg.monitors[1];
    BOOST_TEST((m.health == nullptr));
    BOOST_TEST_REQUIRE(m.collect != nullptr);
    StringSink out2, err2;
    BOOST_TEST(m.collect(m.user, out2.get(), err2.get()) == ERP_OK);
    BOOST_TEST(json::parse(out2.str()) == json::parse(R"({"metrics":[]})")); // "" = nothing to report
}

BOOST_AUTO_TEST_CASE(db_mapping_and_static_are_passed_through) {
    RecordingRegistrar reg;
    erp::plugin::Registrations r(&reg.table);
    r.add_db_mapping(2, "add things", R"({"create_tables":[]})");
    r.add_static("/", "web");
    BOOST_TEST_REQUIRE(reg.mappings.size() == 1u);
    BOOST_TEST(reg.mappings[0].version == 2u);
    BOOST_TEST(reg.mappings[0].description == "add things");
    BOOST_TEST(reg.mappings[0].declaration == R"({"create_tables":[]})");
    BOOST_TEST_REQUIRE(reg.statics.size() == 1u);
    BOOST_TEST(reg.statics[0].prefix == "/");
    BOOST_TEST(reg.statics[0].directory == "web");
}

BOOST_AUTO_TEST_CASE(route_sees_the_request_and_fills_the_response) {
    RecordingRegistrar reg;
    erp::plugin::Registrations r(&reg.table);
    std::string seen;
    r.add_route("POST", "/api/things/{id}", ERP_ROUTE_ADMIN,
                [&](const erp::plugin::Request& req, erp::plugin::Response& resp) {
                    seen = std::string(req.method()) + "|" + std::string(req.path()) + "|" + std::string(req.query()) +
                           "|" + std::string(req.params_json()) + "|" + std::string(req.headers_json()) + "|" +
                           std::to_string(req.body().size());
                    resp.header("x-things", "1");
                    resp.json(201, R"({"created":true})");
                });
    BOOST_TEST_REQUIRE(reg.routes.size() == 1u);
    const auto& rt = reg.routes[0];
    BOOST_TEST(rt.method == "POST");
    BOOST_TEST(rt.pattern == "/api/things/{id}");
    BOOST_TEST(rt.flags == ERP_ROUTE_ADMIN);

    const char body[] = {'a', '\0', 'b'}; // bodies may hold NULs
    const erp_http_request req = make_request("POST", "/api/things/42", body, sizeof(body));
    FakeResponse resp;
    StringSink err;
    BOOST_TEST(rt.handle(rt.user, &req, &resp.resp, err.get()) == ERP_OK);
    BOOST_TEST(seen == R"(POST|/api/things/42|page=2|{"id":"42"}|{"accept":"application/json"}|3)");
    BOOST_TEST(resp.status == 201u);
    BOOST_TEST(resp.headers["x-things"] == "1");
    BOOST_TEST(resp.headers["content-type"] == "application/json");
    BOOST_TEST(json::parse(resp.body.str())["created"] == true);
    BOOST_TEST(err.str().empty());
}

BOOST_AUTO_TEST_CASE(throwing_route_yields_error_status_and_json) {
    RecordingRegistrar reg;
    erp::plugin::Registrations r(&reg.table);
    r.add_route("GET", "/boom", 0, [](const erp::plugin::Request&, erp::plugin::Response&) {
        throw std::logic_error("handler exploded");
    });
    r.add_route("GET", "/bad-header", 0, [](const erp::plugin::Request&, erp::plugin::Response& resp) {
        resp.header("x-injected", "a\r\nset-cookie: x=1");
    });
    const erp_http_request req = make_request("GET", "/boom", nullptr, 0);
    FakeResponse resp;
    StringSink err;
    const auto& boom = reg.routes.at(0);
    BOOST_TEST(boom.handle(boom.user, &req, &resp.resp, err.get()) == ERP_E_INTERNAL);
    const json e = parse_error(err.str());
    BOOST_TEST(e["message"] == "handler exploded");
    BOOST_TEST(e["where"] == "route GET /boom");

    StringSink err2;
    const auto& bad = reg.routes.at(1);
    BOOST_TEST(bad.handle(bad.user, &req, &resp.resp, err2.get()) == ERP_E_INVALID_ARGUMENT);
    BOOST_TEST(resp.headers.count("x-injected") == 0u);
}

BOOST_AUTO_TEST_CASE(a_refused_registration_throws_the_registrars_error_and_frees_the_handler) {
    RecordingRegistrar reg;
    reg.fail_kind = "job";
    reg.fail_status = ERP_E_CONFLICT;
    reg.fail_json = R"({"code":"conflict","message":"job cpp_test.sync already registered","where":"registrar"})";
    erp::plugin::Registrations r(&reg.table);
    auto captured = std::make_shared<int>(1);
    BOOST_CHECK_EXCEPTION(
        r.add_job("cpp_test.sync", "", 0, 0, [captured](erp_job*, std::string_view) -> erp_status { return ERP_OK; }),
        Error, [&](const Error& e) {
            return e.status() == ERP_E_CONFLICT && e.error_json() == reg.fail_json &&
                   std::string(e.what()).find("add_job(cpp_test.sync)") != std::string::npos;
        });
    BOOST_TEST(captured.use_count() == 1); // the stored handler was dropped
}

BOOST_AUTO_TEST_CASE(empty_handlers_closed_registrations_and_short_registrars_are_refused) {
    RecordingRegistrar reg;
    erp::plugin::Registrations r(&reg.table);
    BOOST_CHECK_EXCEPTION(r.add_job("cpp_test.j", "", 0, 0, {}), Error,
                          [](const Error& e) { return e.status() == ERP_E_INVALID_ARGUMENT; });
    r.close();
    BOOST_CHECK_EXCEPTION(r.add_static("/", "web"), Error,
                          [](const Error& e) { return e.status() == ERP_E_UNSUPPORTED; });

    erp_registrar short_table = reg.table;
    short_table.struct_size = offsetof(erp_registrar, add_static); // an older host
    erp::plugin::Registrations r2(&short_table);
    BOOST_CHECK_EXCEPTION(r2.add_static("/", "web"), Error,
                          [](const Error& e) { return e.status() == ERP_E_UNSUPPORTED; });
    BOOST_TEST(reg.statics.empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(plugin_macro)

BOOST_AUTO_TEST_CASE(entry_hands_out_the_api_for_the_same_major) {
    const erp_plugin_api* api = nullptr;
    StringSink err;
    BOOST_TEST(erp_plugin_entry(ERP_MAKE_ABI_VERSION(1, 7), &api, err.get()) == ERP_OK);
    BOOST_TEST_REQUIRE(api != nullptr);
    BOOST_TEST(api->struct_size == sizeof(erp_plugin_api));
    BOOST_TEST(api->abi_version == ERP_ABI_VERSION);
    BOOST_TEST(std::string(api->id) == "cpp_test");
    BOOST_TEST(std::string(api->version) == "1.2.3");
    BOOST_TEST((api->init != nullptr && api->start != nullptr && api->stop != nullptr && api->shutdown != nullptr));
    BOOST_TEST_REQUIRE(api->build_info != nullptr);
    BOOST_TEST(std::string(api->build_info).find("C++ ") != std::string::npos);
    BOOST_TEST(std::string(api->build_info).find("libstdc++") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(entry_refuses_another_major_naming_both_versions) {
    const erp_plugin_api* api = reinterpret_cast<const erp_plugin_api*>(&api); // garbage, must be reset
    StringSink err;
    BOOST_TEST(erp_plugin_entry(ERP_MAKE_ABI_VERSION(2, 0), &api, err.get()) == ERP_E_VERSION);
    BOOST_TEST(api == nullptr);
    const json e = parse_error(err.str());
    BOOST_TEST(e["code"] == "version"); // the status name, as erp_plugin.h asks
    BOOST_TEST(e["message"] == "host ABI 2.0, plugin built for 1.0");
    BOOST_TEST(e["where"] == "erp_plugin_entry");
}

BOOST_AUTO_TEST_CASE(start_and_stop_are_null_when_the_class_has_none) {
    constexpr erp_plugin_api api = erp::plugin::detail::make_plugin_api<MinimalPlugin>("minimal", "1.0");
    BOOST_TEST((api.start == nullptr));
    BOOST_TEST((api.stop == nullptr));
    BOOST_TEST((api.init != nullptr && api.shutdown != nullptr));
}

BOOST_AUTO_TEST_CASE(full_lifecycle_through_the_c_table) {
    FakeHost fake;
    RecordingRegistrar reg;
    const erp_plugin_api* api = nullptr;
    StringSink err;
    BOOST_TEST_REQUIRE(erp_plugin_entry(ERP_ABI_VERSION, &api, err.get()) == ERP_OK);
    g_lifecycle = {};

    const std::string config = R"({"accounts":[]})";
    erp_plugin_state* state = nullptr;
    BOOST_TEST_REQUIRE(api->init(&fake.api, config.data(), config.size(), &reg.table, &state, err.get()) == ERP_OK);
    BOOST_TEST(state != nullptr);
    BOOST_TEST(g_lifecycle.constructed == 1);
    BOOST_TEST(g_lifecycle.last_config == config);
    BOOST_TEST_REQUIRE(reg.jobs.size() == 1u);
    BOOST_TEST_REQUIRE(reg.routes.size() == 1u);

    BOOST_TEST(api->start(state, err.get()) == ERP_OK);
    BOOST_TEST(g_lifecycle.started == 1);

    // The job registered in init calls back into the host through HostApi.
    const auto& job = reg.jobs[0];
    BOOST_TEST(job.run(job.user, nullptr, "{}", 2, err.get()) == ERP_OK);
    BOOST_TEST_REQUIRE(!fake.logs.empty());
    BOOST_TEST(fake.logs.back().second == "job ran with {}");

    BOOST_TEST(api->stop(state, err.get()) == ERP_OK);
    BOOST_TEST(g_lifecycle.stopped == 1);
    BOOST_TEST(g_handler_token.use_count() == 2); // the job handler is stored
    api->shutdown(state);
    BOOST_TEST(g_lifecycle.destroyed == 1);
    BOOST_TEST(g_handler_token.use_count() == 1); // ... and freed by shutdown
    BOOST_TEST(err.str().empty());
}

BOOST_AUTO_TEST_CASE(init_failures_are_statuses_with_json_and_leave_nothing_behind) {
    FakeHost fake;
    const erp_plugin_api* api = nullptr;
    StringSink entry_err;
    BOOST_TEST_REQUIRE(erp_plugin_entry(ERP_ABI_VERSION, &api, entry_err.get()) == ERP_OK);
    g_lifecycle = {};

    {
        RecordingRegistrar reg;
        erp_plugin_state* state = reinterpret_cast<erp_plugin_state*>(&reg); // garbage, must be reset
        StringSink err;
        const std::string cfg = "throw-std";
        BOOST_TEST(api->init(&fake.api, cfg.data(), cfg.size(), &reg.table, &state, err.get()) == ERP_E_INTERNAL);
        BOOST_TEST(state == nullptr);
        const json e = parse_error(err.str());
        BOOST_TEST(e["message"] == "boom in the constructor");
        BOOST_TEST(e["where"] == "init");
        BOOST_TEST(reg.jobs.size() == 1u);            // registered before the throw...
        BOOST_TEST(g_handler_token.use_count() == 1); // ...and its handler freed with init
    }
    {
        RecordingRegistrar reg;
        erp_plugin_state* state = nullptr;
        StringSink err;
        const std::string cfg = "throw-config";
        BOOST_TEST(api->init(&fake.api, cfg.data(), cfg.size(), &reg.table, &state, err.get()) == ERP_E_CONFIG);
        BOOST_TEST(parse_error(err.str())["code"] == "config");
    }
    {
        // The host refuses the route: init fails with the registrar's JSON.
        RecordingRegistrar reg;
        reg.fail_kind = "route";
        reg.fail_status = ERP_E_INVALID_ARGUMENT;
        reg.fail_json = R"({"code":"invalid_argument","message":"bad pattern","where":"registrar.add_route"})";
        erp_plugin_state* state = nullptr;
        StringSink err;
        BOOST_TEST(api->init(&fake.api, "{}", 2, &reg.table, &state, err.get()) == ERP_E_INVALID_ARGUMENT);
        BOOST_TEST(err.str() == reg.fail_json);
        BOOST_TEST(state == nullptr);
        BOOST_TEST(g_handler_token.use_count() == 1);
    }
    // A constructor that throws never runs the destructor: nothing to count.
    BOOST_TEST(g_lifecycle.constructed == 3);
    BOOST_TEST(g_lifecycle.destroyed == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================

BOOST_AUTO_TEST_SUITE(real_plugin_library)

// libbad_init_throws.so (tests/plugins) is a real plugin built with the macro
// and the plugin link flags: its entry works, its init fails cleanly.
BOOST_AUTO_TEST_CASE(bad_init_throws_reports_its_exception_through_the_abi) {
    const auto lib = erp::test::test_plugin_library("libbad_init_throws.so");
    void* handle = ::dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
    BOOST_TEST_REQUIRE(handle != nullptr, "dlopen " << lib << ": " << ::dlerror());
    auto entry = reinterpret_cast<erp_plugin_entry_fn>(::dlsym(handle, ERP_PLUGIN_ENTRY_SYMBOL));
    BOOST_TEST_REQUIRE(entry != nullptr);

    const erp_plugin_api* api = nullptr;
    StringSink err;
    BOOST_TEST_REQUIRE(entry(ERP_ABI_VERSION, &api, err.get()) == ERP_OK);
    BOOST_TEST(std::string(api->id) == "bad_init_throws");

    FakeHost fake;
    RecordingRegistrar reg;
    erp_plugin_state* state = nullptr;
    BOOST_TEST(api->init(&fake.api, "{}", 2, &reg.table, &state, err.get()) == ERP_E_INTERNAL);
    BOOST_TEST(state == nullptr);
    const json e = parse_error(err.str());
    BOOST_TEST(e["message"] == "boom: init failed on purpose");
    BOOST_TEST(e["where"] == "init");
    ::dlclose(handle);
}

BOOST_AUTO_TEST_SUITE_END()
