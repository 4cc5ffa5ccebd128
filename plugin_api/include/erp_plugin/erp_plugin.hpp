/*
 * erp_plugin.hpp — header-only C++ helpers over the C ABI in erp_plugin.h.
 *
 * Needs C++17 and the standard library only (no nlohmann, no spdlog), so an
 * integrator can include it alone. Nothing here changes the ABI: everything
 * that crosses the boundary is still the C structs of erp_plugin.h.
 *
 * What it gives a C++ plugin:
 *  - json_escape / append_json_string: JSON string literals that are always
 *    valid UTF-8 (error messages may come from anywhere).
 *  - StringSink / sink_write / write_error: the sink side of "whoever
 *    allocates frees".
 *  - Error + fence(): the exception fence. Every function the host calls goes
 *    through it, so no exception ever crosses the C ABI.
 *  - HostApi: the host's service table, read by the OBS rule (copy
 *    min(struct_size, sizeof) into a zeroed local, check ERP_HAS_FIELD).
 *  - Registrations: typed add_job/add_validator/... taking std::function, with
 *    fenced C trampolines and stable storage for the handlers.
 *  - ERP_CPP_PLUGIN(Class, "id", "version"): the whole entry point, version
 *    negotiation and fenced init/start/stop/shutdown in one line.
 *
 * Threading: every free function and every const member function here is
 * thread-safe (no shared mutable state). StringSink, Response and
 * Registrations are not: each belongs to one call or to one plugin instance.
 */
#ifndef ERP_PLUGIN_HPP
#define ERP_PLUGIN_HPP

#include "erp_plugin.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace erp::plugin {

/* ------------------------------------------------------------------------ */
/* Status names                                                             */
/* ------------------------------------------------------------------------ */

/** Stable snake_case name of a status, used as the default error "code".
 *  Unknown values map to "internal", as erp_plugin.h asks receivers to do. */
constexpr const char* status_name(erp_status status) noexcept {
    switch (status) {
    case ERP_OK:
        return "ok";
    case ERP_E_INVALID_ARGUMENT:
        return "invalid_argument";
    case ERP_E_NOT_FOUND:
        return "not_found";
    case ERP_E_UNSUPPORTED:
        return "unsupported";
    case ERP_E_VERSION:
        return "version";
    case ERP_E_CANCELLED:
        return "cancelled";
    case ERP_E_IO:
        return "io";
    case ERP_E_CONFIG:
        return "config";
    case ERP_E_CONFLICT:
        return "conflict";
    case ERP_E_UNAVAILABLE:
        return "unavailable";
    default:
        return "internal";
    }
}

/** "1.0" for ERP_MAKE_ABI_VERSION(1, 0). */
inline std::string abi_version_text(uint32_t version) {
    return std::to_string(ERP_ABI_VERSION_MAJOR_OF(version)) + "." + std::to_string(ERP_ABI_VERSION_MINOR_OF(version));
}

/* ------------------------------------------------------------------------ */
/* JSON strings                                                             */
/* ------------------------------------------------------------------------ */

namespace detail {

/** Length of the well-formed UTF-8 sequence starting at s[i], or 0 when the
 *  bytes there are not one (overlong forms, surrogates, > U+10FFFF and
 *  truncated sequences are all rejected, per RFC 3629). */
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    const std::size_t left = s.size() - i;
    const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
    if (b0 < 0x80u) {
        return 1;
    }
    if (b0 >= 0xC2u && b0 <= 0xDFu) {
        return left >= 2 && cont(i + 1) ? 2 : 0;
    }
    if (b0 >= 0xE0u && b0 <= 0xEFu) {
        if (left < 3 || !cont(i + 1) || !cont(i + 2)) {
            return 0;
        }
        const unsigned char b1 = byte(i + 1);
        if ((b0 == 0xE0u && b1 < 0xA0u) || (b0 == 0xEDu && b1 >= 0xA0u)) {
            return 0; // overlong, or a UTF-16 surrogate
        }
        return 3;
    }
    if (b0 >= 0xF0u && b0 <= 0xF4u) {
        if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) {
            return 0;
        }
        const unsigned char b1 = byte(i + 1);
        if ((b0 == 0xF0u && b1 < 0x90u) || (b0 == 0xF4u && b1 >= 0x90u)) {
            return 0; // overlong, or above U+10FFFF
        }
        return 4;
    }
    return 0;
}

} // namespace detail

/**
 * Appends `s` to `out` escaped for use inside a JSON string (no quotes added):
 * `"` and `\` are escaped, control characters become \n, \t, ... or \u00XX,
 * valid UTF-8 passes through unchanged, and each byte that is not part of a
 * valid UTF-8 sequence becomes U+FFFD, so the result is always valid JSON.
 * Throws only std::bad_alloc.
 */
inline void append_json_escaped(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.reserve(out.size() + s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        // Runs of printable ASCII other than `"` and `\` (most text) are
        // copied whole: this escapes every order a sync stores.
        const std::size_t run = i;
        while (i < s.size()) {
            const auto b = static_cast<unsigned char>(s[i]);
            if (b < 0x20u || b >= 0x80u || b == '"' || b == '\\') {
                break;
            }
            ++i;
        }
        if (i > run) {
            out.append(s.data() + run, i - run);
            continue;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80u) {
            const std::size_t n = detail::utf8_sequence_length(s, i);
            if (n == 0) {
                out += "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER
                ++i;
            } else {
                out.append(s.data() + i, n);
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20u) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0x0Fu];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
}

/** `s` escaped for the inside of a JSON string (see append_json_escaped). */
inline std::string json_escape(std::string_view s) {
    std::string out;
    append_json_escaped(out, s);
    return out;
}

/** `s` as a complete JSON string literal, quotes included. */
inline std::string json_string(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    append_json_escaped(out, s);
    out += '"';
    return out;
}

/* ------------------------------------------------------------------------ */
/* Reading foreign structs (the OBS rule)                                   */
/* ------------------------------------------------------------------------ */

/**
 * Copies min(p->struct_size, sizeof(T)) bytes of *p into a zeroed T. The
 * copy keeps the writer's struct_size, so ERP_HAS_FIELD(T, &copy, field)
 * still tells whether the writer knew `field`; fields it did not know read as
 * zero/NULL. A NULL `p` gives an all-zero T (struct_size 0: no field present).
 * Never reads past what the writer declared.
 */
template <class T>
T copy_struct(const T* p) noexcept {
    static_assert(std::is_trivially_copyable<T>::value, "ABI structs are plain C structs");
    T local;
    std::memset(static_cast<void*>(&local), 0, sizeof(T));
    if (p != nullptr) {
        uint32_t declared = 0;
        std::memcpy(&declared, p, sizeof(declared)); // struct_size is always first
        const std::size_t n = declared < sizeof(T) ? declared : sizeof(T);
        std::memcpy(static_cast<void*>(&local), static_cast<const void*>(p), n);
        local.struct_size = declared;
    }
    return local;
}

/* ------------------------------------------------------------------------ */
/* Sinks                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Writes `data` to a sink someone else owns. Checks that the sink is there
 * and that its creator's struct_size covers `write` before calling it.
 * Returns the sink's status, or ERP_E_INVALID_ARGUMENT for a NULL/short sink.
 * Empty data is not written (a no-op, ERP_OK). Never throws.
 * Thread: the sink's rules apply (host sinks: the calling thread only).
 */
inline erp_status sink_write(erp_sink* sink, std::string_view data) noexcept {
    const erp_sink local = copy_struct(sink);
    if (sink == nullptr || !ERP_HAS_FIELD(erp_sink, &local, write) || local.write == nullptr) {
        return ERP_E_INVALID_ARGUMENT;
    }
    if (data.empty()) {
        return ERP_OK;
    }
    return local.write(local.ctx, data.data(), data.size());
}

/**
 * An erp_sink backed by a std::string this object owns. Hand get() to any
 * ABI function that writes into a sink; read the text afterwards. Not
 * copyable or movable (the sink's ctx points at this object). Use from one
 * thread at a time. An optional byte limit makes write() fail with
 * ERP_E_INVALID_ARGUMENT instead of growing past it.
 */
class StringSink {
  public:
    explicit StringSink(std::size_t limit = std::numeric_limits<std::size_t>::max()) noexcept : limit_(limit) {
        sink_.struct_size = sizeof(erp_sink);
        sink_.ctx = this;
        sink_.write = &StringSink::write_cb;
    }
    StringSink(const StringSink&) = delete;
    StringSink& operator=(const StringSink&) = delete;

    erp_sink* get() noexcept { return &sink_; }
    const std::string& str() const noexcept { return text_; }
    std::string take() noexcept { return std::move(text_); }
    bool empty() const noexcept { return text_.empty(); }
    void clear() noexcept { text_.clear(); }

  private:
    // A C callback: may be called by the host, so it must never throw.
    static erp_status write_cb(void* ctx, const char* data, std::size_t len) noexcept {
        auto* self = static_cast<StringSink*>(ctx);
        if (self == nullptr || (data == nullptr && len != 0)) {
            return ERP_E_INVALID_ARGUMENT;
        }
        if (len > self->limit_ - self->text_.size()) {
            return ERP_E_INVALID_ARGUMENT;
        }
        try {
            self->text_.append(data, len);
        } catch (...) {
            return ERP_E_INTERNAL; // out of memory
        }
        return ERP_OK;
    }

    erp_sink sink_{};
    std::string text_;
    std::size_t limit_;
};

/**
 * Writes {"code":..,"message":..,"where":..} to an error sink. Never throws:
 * if even building the text fails (out of memory) a fixed object is written
 * instead. Returns the sink's status (callers usually ignore it: the error
 * they are reporting matters more than the report's delivery).
 */
inline erp_status write_error(erp_sink* error, std::string_view code, std::string_view message,
                              std::string_view where) noexcept {
    if (error == nullptr) {
        return ERP_E_INVALID_ARGUMENT;
    }
    try {
        std::string json;
        json.reserve(40 + code.size() + message.size() + where.size());
        json += "{\"code\":";
        json += json_string(code);
        json += ",\"message\":";
        json += json_string(message);
        json += ",\"where\":";
        json += json_string(where);
        json += '}';
        return sink_write(error, json);
    } catch (...) {
        return sink_write(error, R"({"code":"internal","message":"out of memory","where":""})");
    }
}

/* ------------------------------------------------------------------------ */
/* Errors and the exception fence                                           */
/* ------------------------------------------------------------------------ */

/**
 * Thrown by plugin code to make the current ABI call return `status` with
 * {"code","message","where"} in its error sink. `code` is a short machine
 * name ("config", "auth", ...); `message` is for humans and must never hold a
 * secret or a customer's personal data (it reaches logs). `where` is optional;
 * the fence fills in the entry point's name when it is empty.
 *
 * An Error may instead carry a complete error JSON object written by the
 * other side (error_json(), see from_error_json); the fence then forwards
 * that object unchanged, so e.g. a registrar's own diagnosis reaches the host.
 */
class Error : public std::exception {
  public:
    Error(erp_status status, std::string code, std::string message, std::string where = {})
        : status_(status), code_(std::move(code)), message_(std::move(message)), where_(std::move(where)) {}

    /** An Error forwarding `error_json` (a JSON object a callee wrote to an
     *  error sink). `context` prefixes what() for logs, e.g. "add_job(x)".
     *  If error_json is not an object, a {code,message,where} is built. */
    static Error from_error_json(erp_status status, std::string error_json, const std::string& context) {
        const bool is_object = looks_like_object(error_json);
        std::string message = context + " failed (" + status_name(status) + ")";
        if (is_object) {
            message += ": " + error_json;
        }
        Error e(status, status_name(status), std::move(message));
        if (is_object) {
            e.error_json_ = std::move(error_json);
        }
        return e;
    }

    erp_status status() const noexcept { return status_; }
    const std::string& code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }
    const std::string& where() const noexcept { return where_; }
    /** The forwarded error object, or empty. */
    const std::string& error_json() const noexcept { return error_json_; }
    const char* what() const noexcept override { return message_.c_str(); }

  private:
    static bool looks_like_object(std::string_view s) noexcept {
        const auto first = s.find_first_not_of(" \t\r\n");
        const auto last = s.find_last_not_of(" \t\r\n");
        return first != std::string_view::npos && s[first] == '{' && s[last] == '}';
    }

    erp_status status_;
    std::string code_;
    std::string message_;
    std::string where_;
    std::string error_json_;
};

namespace detail {

inline void report_error(erp_sink* error, const Error& e, const char* where) noexcept {
    if (!e.error_json().empty()) {
        sink_write(error, e.error_json());
        return;
    }
    const std::string_view w = !e.where().empty() ? std::string_view(e.where()) : std::string_view(where ? where : "");
    write_error(error, e.code().empty() ? std::string_view(status_name(e.status())) : std::string_view(e.code()),
                e.message(), w);
}

} // namespace detail

/**
 * The exception fence. Runs `f()` and turns every way it can fail into a
 * status plus an error JSON in `error`, so nothing is ever thrown across the
 * C ABI. Wrap the body of every function the host calls (entry points and
 * callbacks) in it:
 *
 *     return erp::plugin::fence(error, "emag.sync", [&] { return run(); });
 *
 *  - f returns erp_status: that status is returned as is (f reports its own
 *    details when it returns an error without throwing);
 *  - f returns void: ERP_OK;
 *  - throws erp::plugin::Error: its status (ERP_E_INTERNAL if it carried
 *    ERP_OK, which is a bug), its code/message/where;
 *  - throws std::exception: ERP_E_INTERNAL, code "internal", message what();
 *  - throws anything else: ERP_E_INTERNAL, "unknown exception".
 * `where` (NUL-terminated, may be NULL) names the entry point in the JSON.
 * `error` may be NULL (nothing is written). Writing the JSON may fail; the
 * status is returned regardless. Thread: whatever thread the caller is on.
 */
template <class F>
erp_status fence(erp_sink* error, const char* where, F&& f) noexcept {
    using R = std::invoke_result_t<F&>;
    static_assert(std::is_void<R>::value || std::is_same<R, erp_status>::value,
                  "a fenced function returns erp_status or void");
    try {
        if constexpr (std::is_void<R>::value) {
            f();
            return ERP_OK;
        } else {
            return f();
        }
    } catch (const Error& e) {
        detail::report_error(error, e, where);
        return e.status() == ERP_OK ? ERP_E_INTERNAL : e.status();
    } catch (const std::exception& e) {
        write_error(error, "internal", e.what(), where ? where : "");
        return ERP_E_INTERNAL;
    } catch (...) {
        write_error(error, "internal", "unknown exception", where ? where : "");
        return ERP_E_INTERNAL;
    }
}

/* ------------------------------------------------------------------------ */
/* Host services                                                            */
/* ------------------------------------------------------------------------ */

/**
 * The host's service table (erp_host_api), read safely. Construct it from the
 * pointer init() receives; the wrapper keeps a zeroed local copy of the first
 * min(struct_size, sizeof) bytes, and every method checks ERP_HAS_FIELD and a
 * non-NULL pointer before calling, so a host built against an older minor
 * simply lacks the newer services (methods then report ERP_E_UNSUPPORTED,
 * return empty/false, or fall back as documented).
 *
 * Lifetime: usable until shutdown() returns (the host's table lives that
 * long). Cheap to copy. Thread-safe: every method only calls the host, and
 * the host's services are callable from any thread (erp_plugin.h).
 */
class HostApi {
  public:
    HostApi() noexcept : api_(copy_struct<erp_host_api>(nullptr)) {}
    explicit HostApi(const erp_host_api* host) noexcept : api_(copy_struct(host)) {}

    /** The host's ERP_ABI_VERSION, 0 when unknown. */
    uint32_t abi_version() const noexcept {
        return ERP_HAS_FIELD(erp_host_api, &api_, abi_version) ? api_.abi_version : 0;
    }

    bool has_log() const noexcept { return ERP_HAS_FIELD(erp_host_api, &api_, log) && api_.log != nullptr; }

    /** One log line attributed to the plugin. Never log secrets or personal
     *  data. Silently dropped when the host offers no log. */
    void log(uint32_t level, std::string_view message) const noexcept {
        if (has_log()) {
            api_.log(api_.ctx, level, message.data(), message.size());
        }
    }
    void trace(std::string_view m) const noexcept { log(ERP_LOG_TRACE, m); }
    void debug(std::string_view m) const noexcept { log(ERP_LOG_DEBUG, m); }
    void info(std::string_view m) const noexcept { log(ERP_LOG_INFO, m); }
    void warn(std::string_view m) const noexcept { log(ERP_LOG_WARN, m); }
    void error(std::string_view m) const noexcept { log(ERP_LOG_ERROR, m); }

    /** The host database's SOCI connection string. Throws Error with the
     *  host's status (ERP_E_UNAVAILABLE: no database; ERP_E_UNSUPPORTED: the
     *  host lacks the service). */
    std::string database_url() const {
        const bool present = ERP_HAS_FIELD(erp_host_api, &api_, database_url);
        return read_string(present ? api_.database_url : nullptr, "database_url");
    }

    /** Absolute path of the plugin's own directory. Throws Error on failure. */
    std::string data_dir() const {
        const bool present = ERP_HAS_FIELD(erp_host_api, &api_, data_dir);
        return read_string(present ? api_.data_dir : nullptr, "data_dir");
    }

    /** Publishes an event on `topic` ("<plugin id>.<...>"). Best effort: the
     *  host's status is returned, not thrown, because a dropped live event
     *  must not fail the work that produced it. */
    erp_status publish(std::string_view topic, std::string_view json) const noexcept {
        if (!ERP_HAS_FIELD(erp_host_api, &api_, publish_event) || api_.publish_event == nullptr) {
            return ERP_E_UNSUPPORTED;
        }
        try {
            const std::string t(topic); // the ABI wants it NUL-terminated
            return api_.publish_event(api_.ctx, t.c_str(), json.data(), json.size());
        } catch (...) {
            return ERP_E_INTERNAL;
        }
    }

    /** The host's clock (UTC ms since the epoch). Tests may drive the host's
     *  clock, so prefer this to std::chrono; falls back to the system clock
     *  only when the host lacks the service. */
    int64_t now_ms() const noexcept {
        if (ERP_HAS_FIELD(erp_host_api, &api_, now_unix_ms) && api_.now_unix_ms != nullptr) {
            return api_.now_unix_ms(api_.ctx);
        }
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    }

    /** True once the host wants `job` to end. Call from the job's run() only
     *  (the handle is valid there); poll at least once a second. */
    bool job_cancelled(erp_job* job) const noexcept {
        if (!ERP_HAS_FIELD(erp_host_api, &api_, job_is_cancelled) || api_.job_is_cancelled == nullptr) {
            return false;
        }
        return api_.job_is_cancelled(api_.ctx, job) != 0;
    }

    /** Reports a running job's progress (a JSON object). Best effort, like
     *  publish(). */
    erp_status job_progress(erp_job* job, std::string_view json) const noexcept {
        if (!ERP_HAS_FIELD(erp_host_api, &api_, job_progress) || api_.job_progress == nullptr) {
            return ERP_E_UNSUPPORTED;
        }
        return api_.job_progress(api_.ctx, job, json.data(), json.size());
    }

    /** An optional host service table by name, or NULL when not offered. The
     *  caller reads the returned table with copy_struct() like any other. */
    const void* get_extension(std::string_view name, uint32_t min_version) const noexcept {
        if (!ERP_HAS_FIELD(erp_host_api, &api_, get_extension) || api_.get_extension == nullptr) {
            return nullptr;
        }
        try {
            const std::string n(name);
            return api_.get_extension(api_.ctx, n.c_str(), min_version);
        } catch (...) {
            return nullptr;
        }
    }

    /** The raw local copy (fields beyond the host's struct_size are zero). */
    const erp_host_api& raw() const noexcept { return api_; }

  private:
    using StringFn = erp_status (*)(erp_host_ctx*, erp_sink*);

    std::string read_string(StringFn fn, const char* what) const {
        if (fn == nullptr) {
            throw Error(ERP_E_UNSUPPORTED, "unsupported", std::string("the host does not offer ") + what);
        }
        StringSink out;
        const erp_status st = fn(api_.ctx, out.get());
        if (st != ERP_OK) {
            throw Error(st, status_name(st), std::string("host ") + what + " failed (" + status_name(st) + ")");
        }
        return out.take();
    }

    erp_host_api api_;
};

/* ------------------------------------------------------------------------ */
/* HTTP request and response views                                         */
/* ------------------------------------------------------------------------ */

/**
 * A route handler's view of the request. Every view borrows the host's
 * memory and is valid only during the handler call: copy what you keep.
 * Fields the host did not provide (older struct_size, NULL) read as "".
 */
class Request {
  public:
    explicit Request(const erp_http_request* req) noexcept {
        const erp_http_request r = copy_struct(req);
        method_ = ERP_HAS_FIELD(erp_http_request, &r, method) ? view(r.method) : std::string_view();
        path_ = ERP_HAS_FIELD(erp_http_request, &r, path) ? view(r.path) : std::string_view();
        query_ = ERP_HAS_FIELD(erp_http_request, &r, query) ? view(r.query) : std::string_view();
        params_json_ = ERP_HAS_FIELD(erp_http_request, &r, params_json) ? view(r.params_json) : std::string_view();
        headers_json_ = ERP_HAS_FIELD(erp_http_request, &r, headers_json) ? view(r.headers_json) : std::string_view();
        if (ERP_HAS_FIELD(erp_http_request, &r, body_len) && r.body != nullptr) {
            body_ = std::string_view(r.body, r.body_len);
        }
    }

    std::string_view method() const noexcept { return method_; }
    std::string_view path() const noexcept { return path_; }
    std::string_view query() const noexcept { return query_; }
    std::string_view params_json() const noexcept { return params_json_; }
    std::string_view headers_json() const noexcept { return headers_json_; }
    std::string_view body() const noexcept { return body_; }

    /** The first query parameter `name`, percent-decoded ('+' is a space);
     *  empty optional when absent or malformed (a bad %XX escape). */
    std::optional<std::string> query_param(std::string_view name) const {
        std::string_view q = query_;
        while (!q.empty()) {
            const std::size_t amp = q.find('&');
            const std::string_view pair = q.substr(0, amp);
            q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
            const std::size_t eq = pair.find('=');
            if (pair.substr(0, eq) != name) {
                continue;
            }
            const std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
            std::string out;
            for (std::size_t i = 0; i < raw.size(); ++i) {
                if (raw[i] == '+') {
                    out += ' ';
                } else if (raw[i] == '%') {
                    const auto hex = [](char c) {
                        return c >= '0' && c <= '9'   ? c - '0'
                               : c >= 'a' && c <= 'f' ? c - 'a' + 10
                               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
                    };
                    if (i + 2 >= raw.size()) {
                        return std::nullopt;
                    }
                    const int hi = hex(raw[i + 1]), lo = hex(raw[i + 2]);
                    if (hi < 0 || lo < 0) {
                        return std::nullopt;
                    }
                    out += static_cast<char>(hi * 16 + lo);
                    i += 2;
                } else {
                    out += raw[i];
                }
            }
            return out;
        }
        return std::nullopt;
    }

  private:
    static std::string_view view(const char* s) noexcept { return s != nullptr ? std::string_view(s) : ""; }

    std::string_view method_, path_, query_, params_json_, headers_json_, body_;
};

/**
 * A route handler's response: wraps the host's erp_http_response for the
 * duration of the handler call. Defaults (host side): 200, application/json.
 * Methods throw Error on misuse (bad status, CR/LF/NUL in a header) or when
 * the host refuses the body (e.g. over its size limit); the route's fence
 * turns that into an error status. Not thread-safe (one per call).
 */
class Response {
  public:
    explicit Response(erp_http_response* resp) noexcept : resp_(copy_struct(resp)) {}

    /** Sets the HTTP status (100..599). */
    void status(int code) {
        if (code < 100 || code > 599) {
            throw Error(ERP_E_INVALID_ARGUMENT, "invalid_argument",
                        "HTTP status out of range: " + std::to_string(code));
        }
        if (!ERP_HAS_FIELD(erp_http_response, &resp_, set_status) || resp_.set_status == nullptr) {
            throw Error(ERP_E_UNSUPPORTED, "unsupported", "the host response has no set_status");
        }
        resp_.set_status(resp_.ctx, static_cast<uint32_t>(code));
    }

    /** Sets (replaces) a header. */
    void header(std::string_view name, std::string_view value) {
        if (name.empty() || has_forbidden_char(name) || has_forbidden_char(value)) {
            // A CR/LF would split the header (response splitting); a NUL
            // would silently truncate it at the C boundary.
            throw Error(ERP_E_INVALID_ARGUMENT, "invalid_argument", "invalid HTTP header name or value");
        }
        if (!ERP_HAS_FIELD(erp_http_response, &resp_, set_header) || resp_.set_header == nullptr) {
            throw Error(ERP_E_UNSUPPORTED, "unsupported", "the host response has no set_header");
        }
        const std::string n(name), v(value);
        resp_.set_header(resp_.ctx, n.c_str(), v.c_str());
    }

    /** Appends to the body. */
    void body(std::string_view chunk) {
        if (!ERP_HAS_FIELD(erp_http_response, &resp_, body) || resp_.body == nullptr) {
            throw Error(ERP_E_UNSUPPORTED, "unsupported", "the host response has no body sink");
        }
        const erp_status st = sink_write(resp_.body, chunk);
        if (st != ERP_OK) {
            throw Error(st, status_name(st), "the host refused the response body");
        }
    }

    /** Content-Type: application/json and `json_text` as the body. */
    void json(std::string_view json_text) {
        header("content-type", "application/json");
        body(json_text);
    }

    /** Status, then json(json_text): e.g. json(404, R"({"error":"no such order"})"). */
    void json(int code, std::string_view json_text) {
        status(code);
        json(json_text);
    }

  private:
    static bool has_forbidden_char(std::string_view s) noexcept {
        return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
    }

    erp_http_response resp_;
};

/* ------------------------------------------------------------------------ */
/* Registrations                                                            */
/* ------------------------------------------------------------------------ */

/** A job's body. Runs on a host worker thread, never overlapping itself.
 *  Return ERP_OK, ERP_E_CANCELLED once HostApi::job_cancelled() turned true,
 *  or throw Error for a failure with details. */
using JobFn = std::function<erp_status(erp_job* job, std::string_view params_json)>;
/** Returns the problems JSON array text ("[]" = valid); throw Error
 *  (ERP_E_INVALID_ARGUMENT) when the input cannot be judged. Any thread,
 *  concurrently. */
using ValidatorFn = std::function<std::string(std::string_view json)>;
/** Returns {"metrics":[...]} text; "" means nothing to report right now
 *  (written as {"metrics":[]}). Any thread, concurrently. */
using CollectFn = std::function<std::string()>;
/** Returns {"status","score","detail"} text; "" means health is not known yet
 *  (the call fails with ERP_E_UNAVAILABLE). Any thread, concurrently. */
using HealthFn = std::function<std::string()>;
/** Handles one request. Any thread, concurrently. A 4xx is a normal answer
 *  (set it on the Response); throwing makes the host answer 500. */
using RouteFn = std::function<void(const Request& request, Response& response)>;

/**
 * Typed registration over the host's erp_registrar.
 *
 * Who: the plugin, during init only (ERP_CPP_PLUGIN hands it to the plugin's
 * constructor and closes it when the constructor returns; add_* after that
 * throws ERP_E_UNSUPPORTED). Thread: the host's control thread.
 *
 * Ownership: each handler is stored here, in storage whose addresses never
 * change (std::deque grows without moving elements); the C trampoline gets
 * the element's address as `user`. So this object must outlive every call
 * the host can make into the handlers, i.e. live until shutdown — with
 * ERP_CPP_PLUGIN it is owned by the plugin instance and destroyed right
 * after the plugin object. Every trampoline runs its handler inside fence().
 *
 * Every add_* throws Error when registration fails: with the registrar's own
 * error JSON (forwarded unchanged when init fails) and its status.
 */
class Registrations {
  public:
    /** `registrar` is borrowed; it is valid only during init. */
    explicit Registrations(const erp_registrar* registrar) noexcept
        : registrar_(copy_struct(registrar)), open_(registrar != nullptr) {}
    Registrations(const Registrations&) = delete;
    Registrations& operator=(const Registrations&) = delete;

    /** Ends registration: the registrar pointer dies with init. */
    void close() noexcept { open_ = false; }
    bool is_open() const noexcept { return open_; }

    /** A job "<plugin id>.<name>" run every interval_s (0 = on demand only)
     *  plus up to jitter_s of random delay. */
    void add_job(std::string_view id, std::string_view description, uint32_t interval_s, uint32_t jitter_s, JobFn run) {
        require_fn(static_cast<bool>(run), "add_job", id);
        auto& e = emplace(jobs_, std::move(run), "job " + std::string(id));
        const std::string id_s(id), desc_s(description);
        erp_job_def def{};
        def.struct_size = sizeof(def);
        def.id = id_s.c_str();
        def.description = desc_s.c_str();
        def.interval_seconds = interval_s;
        def.jitter_seconds = jitter_s;
        def.user = &e;
        def.run = &Registrations::job_trampoline;
        submit(jobs_, ERP_HAS_FIELD(erp_registrar, &registrar_, add_job) ? registrar_.add_job : nullptr, def,
               "add_job(" + id_s + ")");
    }

    /** A validator for entity kind "<plugin id>.<entity>". */
    void add_validator(std::string_view kind, ValidatorFn validate) {
        require_fn(static_cast<bool>(validate), "add_validator", kind);
        auto& e = emplace(validators_, std::move(validate), "validator " + std::string(kind));
        const std::string kind_s(kind);
        erp_validator_def def{};
        def.struct_size = sizeof(def);
        def.kind = kind_s.c_str();
        def.user = &e;
        def.validate = &Registrations::validator_trampoline;
        submit(validators_,
               ERP_HAS_FIELD(erp_registrar, &registrar_, add_validator) ? registrar_.add_validator : nullptr, def,
               "add_validator(" + kind_s + ")");
    }

    /** A monitoring hook. An empty std::function leaves that C callback NULL
     *  ("not provided"), as the ABI defines. */
    void add_monitor(std::string_view id, CollectFn collect, HealthFn health) {
        const bool has_collect = static_cast<bool>(collect);
        const bool has_health = static_cast<bool>(health);
        auto& e = emplace(monitors_, MonitorFns{std::move(collect), std::move(health)}, "monitor " + std::string(id));
        const std::string id_s(id);
        erp_monitor_def def{};
        def.struct_size = sizeof(def);
        def.id = id_s.c_str();
        def.user = &e;
        def.collect = has_collect ? &Registrations::collect_trampoline : nullptr;
        def.health = has_health ? &Registrations::health_trampoline : nullptr;
        submit(monitors_, ERP_HAS_FIELD(erp_registrar, &registrar_, add_monitor) ? registrar_.add_monitor : nullptr,
               def, "add_monitor(" + id_s + ")");
    }

    /** One version of the plugin's schema (see erp_db_mapping). The text is
     *  checksummed by the host: never change a released version. */
    void add_db_mapping(uint32_t version, std::string_view description, std::string_view declaration_json) {
        const std::string desc_s(description), decl_s(declaration_json);
        erp_db_mapping def{};
        def.struct_size = sizeof(def);
        def.version = version;
        def.description = desc_s.c_str();
        def.declaration_json = decl_s.c_str();
        const auto fn = ERP_HAS_FIELD(erp_registrar, &registrar_, add_db_mapping) ? registrar_.add_db_mapping : nullptr;
        call_registrar(fn, def, "add_db_mapping(" + std::to_string(version) + ")");
    }

    /** An HTTP route served at /plugins/<plugin id><pattern>; flags:
     *  ERP_ROUTE_ADMIN or 0. */
    void add_route(std::string_view method, std::string_view pattern, uint32_t flags, RouteFn handle) {
        require_fn(static_cast<bool>(handle), "add_route", pattern);
        const std::string method_s(method), pattern_s(pattern);
        auto& e = emplace(routes_, std::move(handle), "route " + method_s + " " + pattern_s);
        erp_route_def def{};
        def.struct_size = sizeof(def);
        def.method = method_s.c_str();
        def.pattern = pattern_s.c_str();
        def.flags = flags;
        def.user = &e;
        def.handle = &Registrations::route_trampoline;
        submit(routes_, ERP_HAS_FIELD(erp_registrar, &registrar_, add_route) ? registrar_.add_route : nullptr, def,
               "add_route(" + method_s + " " + pattern_s + ")");
    }

    /** A directory of static files served at /plugins/<plugin id><url_prefix>. */
    void add_static(std::string_view url_prefix, std::string_view directory) {
        const std::string prefix_s(url_prefix), dir_s(directory);
        erp_static_def def{};
        def.struct_size = sizeof(def);
        def.url_prefix = prefix_s.c_str();
        def.directory = dir_s.c_str();
        const auto fn = ERP_HAS_FIELD(erp_registrar, &registrar_, add_static) ? registrar_.add_static : nullptr;
        call_registrar(fn, def, "add_static(" + prefix_s + ")");
    }

  private:
    // One stored handler plus the `where` its fence reports.
    template <class Fn>
    struct Entry {
        Fn fn;
        std::string where;
    };
    struct MonitorFns {
        CollectFn collect;
        HealthFn health;
    };

    template <class Fn>
    static Entry<Fn>& emplace(std::deque<Entry<Fn>>& store, Fn fn, std::string where) {
        store.push_back(Entry<Fn>{std::move(fn), std::move(where)});
        return store.back();
    }

    static void require_fn(bool present, const char* what, std::string_view id) {
        if (!present) {
            throw Error(ERP_E_INVALID_ARGUMENT, "invalid_argument",
                        std::string(what) + "(" + std::string(id) + "): the handler is empty");
        }
    }

    template <class Def>
    void call_registrar(erp_status (*fn)(erp_registrar_ctx*, const Def*, erp_sink*), const Def& def,
                        const std::string& context) {
        if (!open_) {
            throw Error(ERP_E_UNSUPPORTED, "unsupported", context + ": registration is only possible during init");
        }
        if (fn == nullptr) {
            throw Error(ERP_E_UNSUPPORTED, "unsupported", context + ": the host's registrar does not offer it");
        }
        StringSink error;
        const erp_status st = fn(registrar_.ctx, &def, error.get());
        if (st != ERP_OK) {
            throw Error::from_error_json(st, error.take(), context);
        }
    }

    // Registers `def` whose handler was just appended to `store`; on failure
    // the handler is removed again (the host did not keep the pointer).
    template <class Store, class Def>
    void submit(Store& store, erp_status (*fn)(erp_registrar_ctx*, const Def*, erp_sink*), const Def& def,
                const std::string& context) {
        try {
            call_registrar(fn, def, context);
        } catch (...) {
            store.pop_back();
            throw;
        }
    }

    static erp_status job_trampoline(void* user, erp_job* job, const char* params, std::size_t len,
                                     erp_sink* error) noexcept {
        auto* e = static_cast<Entry<JobFn>*>(user);
        return fence(error, e->where.c_str(), [&]() -> erp_status {
            const std::string_view p = params != nullptr ? std::string_view(params, len) : std::string_view("{}");
            return e->fn(job, p);
        });
    }

    static erp_status validator_trampoline(void* user, const char* json, std::size_t len, erp_sink* problems,
                                           erp_sink* error) noexcept {
        auto* e = static_cast<Entry<ValidatorFn>*>(user);
        return fence(error, e->where.c_str(), [&] {
            const std::string out = e->fn(json != nullptr ? std::string_view(json, len) : std::string_view());
            write_or_throw(problems, out, "problems");
        });
    }

    static erp_status collect_trampoline(void* user, erp_sink* out, erp_sink* error) noexcept {
        auto* e = static_cast<Entry<MonitorFns>*>(user);
        return fence(error, e->where.c_str(), [&] {
            const std::string text = e->fn.collect();
            write_or_throw(out, text.empty() ? std::string_view(R"({"metrics":[]})") : std::string_view(text),
                           "metrics");
        });
    }

    static erp_status health_trampoline(void* user, erp_sink* out, erp_sink* error) noexcept {
        auto* e = static_cast<Entry<MonitorFns>*>(user);
        return fence(error, e->where.c_str(), [&] {
            const std::string text = e->fn.health();
            if (text.empty()) {
                throw Error(ERP_E_UNAVAILABLE, "unavailable", "health is not known yet");
            }
            write_or_throw(out, text, "health");
        });
    }

    static erp_status route_trampoline(void* user, const erp_http_request* req, erp_http_response* resp,
                                       erp_sink* error) noexcept {
        auto* e = static_cast<Entry<RouteFn>*>(user);
        return fence(error, e->where.c_str(), [&] {
            if (req == nullptr || resp == nullptr) {
                throw Error(ERP_E_INVALID_ARGUMENT, "invalid_argument", "NULL request or response");
            }
            const Request request(req);
            Response response(resp);
            e->fn(request, response);
        });
    }

    static void write_or_throw(erp_sink* sink, std::string_view text, const char* what) {
        const erp_status st = sink_write(sink, text);
        if (st != ERP_OK) {
            throw Error(st, status_name(st), std::string("the host refused the ") + what + " output");
        }
    }

    erp_registrar registrar_;
    bool open_;
    std::deque<Entry<JobFn>> jobs_;
    std::deque<Entry<ValidatorFn>> validators_;
    std::deque<Entry<MonitorFns>> monitors_;
    std::deque<Entry<RouteFn>> routes_;
};

/* ------------------------------------------------------------------------ */
/* The whole plugin: ERP_CPP_PLUGIN                                         */
/* ------------------------------------------------------------------------ */

/* Build fingerprint text: compiler, C++ library, C++ standard. A string
 * literal, so the plugin's erp_plugin_api can be a constant. Overridable. */
#define ERP_PLUGIN_HPP_STR2(x) #x
#define ERP_PLUGIN_HPP_STR(x) ERP_PLUGIN_HPP_STR2(x)
#if defined(__clang__)
#define ERP_PLUGIN_HPP_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define ERP_PLUGIN_HPP_COMPILER "gcc " __VERSION__
#elif defined(_MSC_VER)
#define ERP_PLUGIN_HPP_COMPILER "msvc " ERP_PLUGIN_HPP_STR(_MSC_FULL_VER)
#else
#define ERP_PLUGIN_HPP_COMPILER "unknown compiler"
#endif
#if defined(_LIBCPP_VERSION)
#define ERP_PLUGIN_HPP_STDLIB "libc++ " ERP_PLUGIN_HPP_STR(_LIBCPP_VERSION)
#elif defined(__GLIBCXX__)
#define ERP_PLUGIN_HPP_STDLIB "libstdc++ " ERP_PLUGIN_HPP_STR(_GLIBCXX_RELEASE) " (" ERP_PLUGIN_HPP_STR(__GLIBCXX__) ")"
#elif defined(_MSVC_STL_VERSION)
#define ERP_PLUGIN_HPP_STDLIB "msvc stl " ERP_PLUGIN_HPP_STR(_MSVC_STL_VERSION)
#else
#define ERP_PLUGIN_HPP_STDLIB "unknown C++ library"
#endif
#define ERP_PLUGIN_HPP_ABI                                                                                             \
    "ERP ABI " ERP_PLUGIN_HPP_STR(ERP_ABI_VERSION_MAJOR) "." ERP_PLUGIN_HPP_STR(ERP_ABI_VERSION_MINOR)
#define ERP_PLUGIN_HPP_CXX "C++ " ERP_PLUGIN_HPP_STR(__cplusplus)
#ifndef ERP_PLUGIN_BUILD_INFO
#define ERP_PLUGIN_BUILD_INFO                                                                                          \
    ERP_PLUGIN_HPP_COMPILER ", " ERP_PLUGIN_HPP_STDLIB ", " ERP_PLUGIN_HPP_CXX ", " ERP_PLUGIN_HPP_ABI
#endif

namespace detail {

/** [a-z][a-z0-9_]* — what erp_plugin_api.id must look like. */
constexpr bool is_valid_plugin_id(const char* id) noexcept {
    if (id == nullptr || !(id[0] >= 'a' && id[0] <= 'z')) {
        return false;
    }
    for (const char* p = id; *p != '\0'; ++p) {
        const char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

template <class T, class = void>
struct has_start : std::false_type {};
template <class T>
struct has_start<T, std::void_t<decltype(std::declval<T&>().start())>> : std::true_type {};
template <class T, class = void>
struct has_stop : std::false_type {};
template <class T>
struct has_stop<T, std::void_t<decltype(std::declval<T&>().stop())>> : std::true_type {};

/** What init creates and shutdown destroys. Member order is the point: the
 *  plugin object is destroyed first (joining its threads), then the handlers
 *  it registered, then nothing else needs the host. */
template <class P>
struct Instance {
    HostApi host;
    Registrations registrations;
    P plugin;

    Instance(const erp_host_api* h, std::string_view config_json, const erp_registrar* r)
        : host(h), registrations(r), plugin(host, config_json, registrations) {
        registrations.close();
    }
};

/** Fenced C trampolines for the lifecycle of plugin class P. */
template <class P>
struct Lifecycle {
    static Instance<P>& instance(erp_plugin_state* state) {
        if (state == nullptr) {
            throw Error(ERP_E_INVALID_ARGUMENT, "invalid_argument", "NULL plugin state");
        }
        return *reinterpret_cast<Instance<P>*>(state);
    }

    // Host control thread. On failure nothing is left behind: the instance
    // (and with it every registered handler) is destroyed before returning.
    static erp_status init(const erp_host_api* host, const char* config_json, std::size_t config_len,
                           const erp_registrar* registrar, erp_plugin_state** state, erp_sink* error) noexcept {
        return fence(error, "init", [&]() -> erp_status {
            if (state == nullptr || host == nullptr || registrar == nullptr) {
                throw Error(ERP_E_INVALID_ARGUMENT, "invalid_argument", "init: NULL host, registrar or state");
            }
            *state = nullptr;
            const std::string_view config =
                config_json != nullptr ? std::string_view(config_json, config_len) : std::string_view("{}");
            auto inst = std::make_unique<Instance<P>>(host, config, registrar);
            *state = reinterpret_cast<erp_plugin_state*>(inst.release());
            return ERP_OK;
        });
    }

    // Host control thread, after init; DB tables exist.
    static erp_status start(erp_plugin_state* state, erp_sink* error) noexcept {
        return fence(error, "start", [&] { return instance(state).plugin.start(); });
    }

    // Host control thread; running jobs are already cancelled and drained.
    static erp_status stop(erp_plugin_state* state, erp_sink* error) noexcept {
        return fence(error, "stop", [&] { return instance(state).plugin.stop(); });
    }

    // Host control thread, last call before unload. A destructor that
    // throws is logged through the host, since shutdown has no error sink.
    static void shutdown(erp_plugin_state* state) noexcept {
        if (state == nullptr) {
            return;
        }
        auto* inst = reinterpret_cast<Instance<P>*>(state);
        const HostApi host = inst->host;
        try {
            delete inst;
        } catch (const std::exception& e) {
            host.error(std::string_view(e.what()));
        } catch (...) {
            host.error("shutdown: unknown exception");
        }
    }
};

/** The constant erp_plugin_api for plugin class P. start/stop are left NULL
 *  (optional in the ABI) when P has no start()/stop() member. */
template <class P>
constexpr erp_plugin_api make_plugin_api(const char* id, const char* version) noexcept {
    erp_plugin_api api{};
    api.struct_size = sizeof(erp_plugin_api);
    api.abi_version = ERP_ABI_VERSION;
    api.id = id;
    api.version = version;
    api.init = &Lifecycle<P>::init;
    if constexpr (has_start<P>::value) {
        api.start = &Lifecycle<P>::start;
    }
    if constexpr (has_stop<P>::value) {
        api.stop = &Lifecycle<P>::stop;
    }
    api.shutdown = &Lifecycle<P>::shutdown;
    api.build_info = ERP_PLUGIN_BUILD_INFO;
    return api;
}

/** The body of erp_plugin_entry: refuses a host of another ABI major with
 *  ERP_E_VERSION ("host ABI 2.0, plugin built for 1.0"), else hands out
 *  `api`. Allocates nothing that outlives the call, starts no thread. */
inline erp_status negotiate(uint32_t host_abi_version, const erp_plugin_api* api, const erp_plugin_api** out_api,
                            erp_sink* error) noexcept {
    return fence(error, "erp_plugin_entry", [&]() -> erp_status {
        if (out_api == nullptr) {
            throw Error(ERP_E_INVALID_ARGUMENT, "invalid_argument", "out_api is NULL");
        }
        *out_api = nullptr;
        if (ERP_ABI_VERSION_MAJOR_OF(host_abi_version) != ERP_ABI_VERSION_MAJOR) {
            throw Error(ERP_E_VERSION, "version",
                        "host ABI " + abi_version_text(host_abi_version) + ", plugin built for " +
                            abi_version_text(ERP_ABI_VERSION));
        }
        *out_api = api;
        return ERP_OK;
    });
}

} // namespace detail
} // namespace erp::plugin

/**
 * ERP_CPP_PLUGIN(PluginClass, "id", "version") — defines the plugin's one
 * exported symbol, erp_plugin_entry. Use it in exactly one .cpp of the plugin,
 * at namespace scope (a second use is a duplicate-symbol link error).
 *
 * PluginClass must be constructible as
 *     PluginClass(erp::plugin::HostApi host, std::string_view config_json,
 *                 erp::plugin::Registrations& registrations)
 * — that constructor IS init: parse the config, register everything, throw
 * erp::plugin::Error (or anything) to fail init. The config view is borrowed
 * for the constructor only. Optional members `start()` and `stop()` (returning
 * void or erp_status) become the ABI's start/stop; the destructor is
 * shutdown and must join every thread the plugin started. All of them run on
 * the host's control thread, inside the exception fence. When start() fails
 * the host calls shutdown without stop, so start() must undo what it began
 * before throwing (hold it in RAII members or locals).
 *
 * The erp_plugin_api is a constant (no static constructor or destructor).
 */
#define ERP_CPP_PLUGIN(PluginClass, plugin_id, plugin_version)                                                         \
    static_assert(::erp::plugin::detail::is_valid_plugin_id(plugin_id), "plugin id must match [a-z][a-z0-9_]*");       \
    static_assert(std::is_constructible<PluginClass, ::erp::plugin::HostApi, std::string_view,                         \
                                        ::erp::plugin::Registrations&>::value,                                         \
                  "PluginClass(erp::plugin::HostApi, std::string_view, erp::plugin::Registrations&) is required");     \
    extern "C" ERP_PLUGIN_EXPORT erp_status erp_plugin_entry(uint32_t host_abi_version,                                \
                                                             const erp_plugin_api** out_api, erp_sink* error) {        \
        static constexpr erp_plugin_api erp_cpp_plugin_api =                                                           \
            ::erp::plugin::detail::make_plugin_api<PluginClass>(plugin_id, plugin_version);                            \
        return ::erp::plugin::detail::negotiate(host_abi_version, &erp_cpp_plugin_api, out_api, error);                \
    }

#endif /* ERP_PLUGIN_HPP */
