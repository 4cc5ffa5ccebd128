/*
 * hello_c.c — the ERP plugin ABI's example plugin, in plain C99.
 *
 * It is small on purpose but uses every part of the contract in
 * <erp_plugin/erp_plugin.h>, the way a real plugin should. The guide
 * plugin_api/docs/abi.md quotes it section by section.
 *
 *   entry      erp_plugin_entry: version negotiation, the one exported symbol
 *   init       reads {"greeting": "..."} from its config, registers:
 *     job        hello_c.greet       every 60 s (+ up to 5 s jitter): counts a
 *                                    run, reports progress, publishes an event
 *     validator  hello_c.greeting    an entity needs a non-empty "text"
 *     DB mapping version 1           table hello_c_greetings + an index
 *     monitor    hello_c.monitor     metric hello_c_greet_runs_total, health
 *     routes     GET  /hello         {"greeting":"...","runs":N}
 *                POST /echo          the request body, sent back
 *                GET  /status/{name} {"name":"..."}  (a path parameter)
 *     static     /  ->  web/         (next to manifest.json)
 *   start/stop no threads of its own; shows host services answering in a sink
 *   shutdown   frees the state
 *
 * Rules this file follows (they are the ABI's, not just style):
 *   - Only erp_plugin_entry is exported (built with -fvisibility=hidden and
 *     cmake/plugin_exports.map); everything else is `static`.
 *   - Borrowed pointers (config, requests, sinks, the registrar) are used only
 *     during the call that passed them; anything kept is copied. The host table
 *     is the exception: it is documented to stay valid until shutdown returns.
 *   - Every failure returns an erp_status and writes one JSON object
 *     {"code","message","where"} to the error sink it was given.
 *   - Route handlers, the validator and the monitor may run on any host
 *     thread at once, and concurrently with the job: shared mutable state
 *     (the run counter) is behind a mutex; everything else is immutable after
 *     init.
 *   - No global constructors or destructors, no threads left behind: the
 *     library is dlclose()d right after shutdown.
 *
 * The JSON handling here is a deliberately tiny hand-written scan, enough for
 * flat objects. A real plugin uses a JSON library (the C++ helpers in
 * erp_plugin.hpp use nlohmann::json).
 */

/* pthread mutexes are POSIX, not C99: ask for them explicitly, since the
 * build uses -std=c99 (no GNU extensions). */
#define _POSIX_C_SOURCE 200809L

#include <erp_plugin/erp_plugin.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELLO_ID "hello_c"
#define HELLO_VERSION "1.0.0" /* must equal manifest.json's "version" */
#define HELLO_DEFAULT_GREETING "hello"
/* Upper bound for the greeting, in bytes of JSON string text. It matches the
 * hello_c_greetings.text column and keeps every JSON document below inside a
 * small fixed buffer. */
#define HELLO_MAX_GREETING 200

#if defined(__VERSION__)
#define HELLO_COMPILER __VERSION__
#else
#define HELLO_COMPILER "unknown compiler"
#endif

/* ------------------------------------------------------------------------ */
/* Plugin state                                                             */
/* ------------------------------------------------------------------------ */

/* The header declares erp_plugin_state as an opaque type; each plugin defines
 * it. The host never looks inside, it only passes the pointer back. */
struct erp_plugin_state {
    /* Borrowed: valid from init until shutdown returns (erp_host_api docs).
     * Safe to call from any thread, including route handlers. */
    const erp_host_api* host;
    /* Owned, immutable after init, so readable from any thread without a
     * lock. Kept as JSON string text (escapes as they came in the config), so
     * it can be pasted between quotes into any JSON we produce. */
    char* greeting;
    /* Guards `runs`: the job writes it while routes and monitors read it. */
    pthread_mutex_t lock;
    unsigned long long runs;
};

/* ------------------------------------------------------------------------ */
/* Small helpers: sinks, errors, logging                                    */
/* ------------------------------------------------------------------------ */

/* Writes to a sink someone else owns. The sink copies the bytes, so `data`
 * may be a stack buffer. A sink is only valid during the call it came with. */
static erp_status sink_write(erp_sink* sink, const char* data, size_t len) {
    /* ERP_HAS_FIELD checks the field lies inside the struct_size its creator
     * declared: the way to read any struct that crossed the boundary. */
    if (!ERP_HAS_FIELD(erp_sink, sink, write) || sink->write == NULL) {
        return ERP_E_INVALID_ARGUMENT;
    }
    return len == 0 ? ERP_OK : sink->write(sink->ctx, data, len);
}

static erp_status sink_puts(erp_sink* sink, const char* text) { return sink_write(sink, text, strlen(text)); }

/* Writes `text` as the inside of a JSON string: quotes, backslashes and
 * control characters escaped. Writes runs of plain bytes in one call. */
static erp_status sink_write_json_escaped(erp_sink* sink, const char* text, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t run_start = 0;
    size_t i;
    for (i = 0; i < len; ++i) {
        const unsigned char c = (unsigned char)text[i];
        char esc[7];
        size_t esc_len = 0;
        erp_status s;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            esc_len = 2;
        } else if (c < 0x20) {
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xF];
            esc_len = 6;
        } else {
            continue;
        }
        if ((s = sink_write(sink, text + run_start, i - run_start)) != ERP_OK ||
            (s = sink_write(sink, esc, esc_len)) != ERP_OK) {
            return s;
        }
        run_start = i + 1;
    }
    return sink_write(sink, text + run_start, len - run_start);
}

/* The "code" of the error JSON: the status's name, lower case. One fixed
 * vocabulary keeps the host's error reports and logs greppable. */
static const char* status_code(erp_status status) {
    switch (status) {
    case ERP_OK: return "ok";
    case ERP_E_INVALID_ARGUMENT: return "invalid_argument";
    case ERP_E_NOT_FOUND: return "not_found";
    case ERP_E_UNSUPPORTED: return "unsupported";
    case ERP_E_VERSION: return "version";
    case ERP_E_CANCELLED: return "cancelled";
    case ERP_E_IO: return "io";
    case ERP_E_CONFIG: return "config";
    case ERP_E_CONFLICT: return "conflict";
    case ERP_E_UNAVAILABLE: return "unavailable";
    default: return "internal"; /* unknown codes count as internal errors */
    }
}

/* Reports a failure: writes {"code","message","where"} to `error` and returns
 * `status`, so every failure path is a single `return hello_fail(...)`.
 * `where` names the step or callback, e.g. "init" or "hello_c.greet". */
static erp_status hello_fail(erp_sink* error, erp_status status, const char* where, const char* fmt, ...) {
    char message[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (n < 0) {
        n = 0;
        message[0] = '\0';
    } else if ((size_t)n >= sizeof message) {
        n = (int)sizeof message - 1; /* truncated: still a useful message */
    }
    /* The status is what counts; if the sink refuses the text there is nothing
     * better to do than return the status anyway. */
    if (sink_puts(error, "{\"code\":\"") == ERP_OK && sink_puts(error, status_code(status)) == ERP_OK &&
        sink_puts(error, "\",\"message\":\"") == ERP_OK &&
        sink_write_json_escaped(error, message, (size_t)n) == ERP_OK && sink_puts(error, "\",\"where\":\"") == ERP_OK &&
        sink_write_json_escaped(error, where, strlen(where)) == ERP_OK) {
        (void)sink_puts(error, "\"}");
    }
    return status;
}

/* One log line through the host, which adds time, level and plugin id. Never
 * pass secrets here (tokens, passwords, the database URL) nor customers'
 * personal data. */
static void hello_log(const erp_plugin_state* st, uint32_t level, const char* fmt, ...) {
    char line[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n >= sizeof line) {
        n = (int)sizeof line - 1;
    }
    /* The message is pointer + length; it need not be NUL-terminated. */
    st->host->log(st->host->ctx, level, line, (size_t)n);
}

/* formats into a fixed buffer; returns the length, or 0 when it did not fit
 * (the callers size their buffers for the longest greeting, so 0 means a
 * bug, reported as ERP_E_INTERNAL). */
static size_t format_json(char* buf, size_t size, const char* fmt, ...) {
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return (n < 0 || (size_t)n >= size) ? 0 : (size_t)n;
}

static unsigned long long read_runs(erp_plugin_state* st) {
    unsigned long long runs;
    pthread_mutex_lock(&st->lock);
    runs = st->runs;
    pthread_mutex_unlock(&st->lock);
    return runs;
}

/* ------------------------------------------------------------------------ */
/* A plugin-owned sink: how host services hand data back                   */
/* ------------------------------------------------------------------------ */

/* When the plugin asks the host for data (database_url, data_dir), it passes
 * a sink it owns; the host writes into it. This one grows a NUL-terminated
 * heap buffer. */
struct text_buf {
    char* data;
    size_t len;
    size_t cap;
};

#define TEXT_BUF_LIMIT 65536u /* refuse absurd answers rather than grow forever */

static erp_status text_buf_write(void* ctx, const char* data, size_t len) {
    struct text_buf* b = (struct text_buf*)ctx;
    if (len > TEXT_BUF_LIMIT - b->len) {
        return ERP_E_INVALID_ARGUMENT; /* the writer must stop writing */
    }
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char* grown;
        while (cap < b->len + len + 1) {
            cap *= 2;
        }
        grown = (char*)realloc(b->data, cap);
        if (grown == NULL) {
            return ERP_E_INTERNAL;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return ERP_OK;
}

static erp_sink text_buf_sink(struct text_buf* b) {
    erp_sink sink;
    sink.struct_size = sizeof(erp_sink); /* the creator of a struct sets its size */
    sink.ctx = b;
    sink.write = text_buf_write;
    return sink;
}

/* ------------------------------------------------------------------------ */
/* A tiny JSON scan (enough for flat objects; use a JSON library for more)  */
/* ------------------------------------------------------------------------ */

enum scan_result { SCAN_FOUND, SCAN_ABSENT, SCAN_NOT_STRING, SCAN_MALFORMED };

static size_t skip_ws(const char* s, size_t len, size_t i) {
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
        ++i;
    }
    return i;
}

/* s[open] is '"'. Sets *close to the index of the closing quote, skipping
 * escapes; returns 0 when the string is unterminated. */
static int skip_string(const char* s, size_t len, size_t open, size_t* close) {
    size_t k = open + 1;
    while (k < len) {
        if (s[k] == '\\') {
            k += 2;
        } else if (s[k] == '"') {
            *close = k;
            return 1;
        } else {
            ++k;
        }
    }
    return 0;
}

/* Looks for `"key": "value"` in a JSON text given as pointer + length (not
 * necessarily NUL-terminated). On SCAN_FOUND, *val and *val_len give the bytes
 * between the value's quotes, escapes left as they are — still valid JSON
 * string text. Strings are skipped whole, so a key-like text inside a value
 * is not mistaken for a key; a key in a nested object would be found too,
 * which is fine for the flat objects this plugin reads. */
static enum scan_result json_find_string(const char* json, size_t len, const char* key, const char** val,
                                         size_t* val_len) {
    const size_t key_len = strlen(key);
    size_t i = 0;
    while (i < len) {
        size_t close;
        if (json[i] != '"') {
            ++i;
            continue;
        }
        if (!skip_string(json, len, i, &close)) {
            return SCAN_MALFORMED;
        }
        if (close - i - 1 == key_len && memcmp(json + i + 1, key, key_len) == 0) {
            size_t j = skip_ws(json, len, close + 1);
            if (j < len && json[j] == ':') {
                size_t end;
                j = skip_ws(json, len, j + 1);
                if (j >= len) {
                    return SCAN_MALFORMED;
                }
                if (json[j] != '"') {
                    return SCAN_NOT_STRING;
                }
                if (!skip_string(json, len, j, &end)) {
                    return SCAN_MALFORMED;
                }
                *val = json + j + 1;
                *val_len = end - j - 1;
                return SCAN_FOUND;
            }
        }
        i = close + 1;
    }
    return SCAN_ABSENT;
}

/* ------------------------------------------------------------------------ */
/* The job: hello_c.greet                                                   */
/* ------------------------------------------------------------------------ */

/* Progress is a JSON object; the host stamps it with the job id and publishes
 * it on topic "jobs". A failed progress report is not worth failing the run. */
static void report_progress(const erp_host_api* host, erp_job* job, unsigned processed, unsigned total) {
    char json[64];
    const size_t n = format_json(json, sizeof json, "{\"processed\":%u,\"total\":%u}", processed, total);
    if (n > 0) {
        (void)host->job_progress(host->ctx, job, json, n);
    }
}

/* Thread: a host worker. Never two runs of this job at once (single-flight),
 * but routes and the monitor may read `runs` meanwhile: hence the mutex. */
static erp_status greet_run(void* user, erp_job* job, const char* params_json, size_t params_len,
                            erp_sink* error) {
    erp_plugin_state* st = (erp_plugin_state*)user;
    const erp_host_api* host = st->host;
    unsigned long long runs;
    char event[HELLO_MAX_GREETING + 64];
    size_t n;
    erp_status s;

    (void)params_json; /* hello_c.greet takes no parameters ("{}") */
    (void)params_len;

    /* A long job polls this at least once a second; this one is short, so
     * once before doing anything is enough. */
    if (host->job_is_cancelled(host->ctx, job)) {
        return hello_fail(error, ERP_E_CANCELLED, HELLO_ID ".greet", "cancelled before it began");
    }
    report_progress(host, job, 0, 1);

    pthread_mutex_lock(&st->lock);
    runs = ++st->runs;
    pthread_mutex_unlock(&st->lock);

    /* Topics begin with "<plugin id>."; the payload is one JSON value. The
     * call never blocks: a slow /ws subscriber loses events, not this job. */
    n = format_json(event, sizeof event, "{\"runs\":%llu,\"greeting\":\"%s\"}", runs, st->greeting);
    if (n == 0) {
        return hello_fail(error, ERP_E_INTERNAL, HELLO_ID ".greet", "event buffer too small");
    }
    s = host->publish_event(host->ctx, HELLO_ID ".greeted", event, n);
    if (s != ERP_OK) {
        return hello_fail(error, s, HELLO_ID ".greet", "could not publish " HELLO_ID ".greeted");
    }

    hello_log(st, ERP_LOG_INFO, "%s (run %llu)", st->greeting, runs);
    report_progress(host, job, 1, 1);
    return ERP_OK;
}

/* ------------------------------------------------------------------------ */
/* The validator: hello_c.greeting                                          */
/* ------------------------------------------------------------------------ */

/* Thread: any, concurrently; it reads nothing but its arguments. Returns
 * ERP_OK whenever it could judge the entity, valid or not: problems go to the
 * `problems` sink as a JSON array, "[]" meaning valid. An error status means
 * "could not judge" (here: not a JSON object). */
static erp_status greeting_validate(void* user, const char* json, size_t len, erp_sink* problems,
                                    erp_sink* error) {
    const char* text = NULL;
    size_t text_len = 0;
    const char* problem = NULL;
    const size_t first = skip_ws(json, len, 0);

    (void)user;
    if (first >= len || json[first] != '{') {
        return hello_fail(error, ERP_E_INVALID_ARGUMENT, HELLO_ID ".greeting", "the entity must be a JSON object");
    }
    switch (json_find_string(json, len, "text", &text, &text_len)) {
    case SCAN_FOUND:
        if (text_len == 0) {
            problem = "{\"field\":\"text\",\"code\":\"empty\",\"message\":\"text must not be empty\"}";
        }
        break;
    case SCAN_ABSENT:
        problem = "{\"field\":\"text\",\"code\":\"required\",\"message\":\"text is required\"}";
        break;
    case SCAN_NOT_STRING:
        problem = "{\"field\":\"text\",\"code\":\"type\",\"message\":\"text must be a string\"}";
        break;
    case SCAN_MALFORMED:
        return hello_fail(error, ERP_E_INVALID_ARGUMENT, HELLO_ID ".greeting", "the entity is not valid JSON");
    }
    if (problem == NULL) {
        return sink_puts(problems, "[]");
    }
    {
        erp_status s;
        if ((s = sink_puts(problems, "[")) != ERP_OK || (s = sink_puts(problems, problem)) != ERP_OK ||
            (s = sink_puts(problems, "]")) != ERP_OK) {
            return hello_fail(error, s, HELLO_ID ".greeting", "could not write the problems");
        }
    }
    return ERP_OK;
}

/* ------------------------------------------------------------------------ */
/* The monitor: hello_c.monitor                                             */
/* ------------------------------------------------------------------------ */

/* Feeds /metrics. Names begin with the plugin id; counters end in _total
 * (Prometheus convention). Thread: any, concurrently. */
static erp_status monitor_collect(void* user, erp_sink* out, erp_sink* error) {
    erp_plugin_state* st = (erp_plugin_state*)user;
    char json[256];
    const size_t n = format_json(json, sizeof json,
                                 "{\"metrics\":[{\"name\":\"hello_c_greet_runs_total\",\"type\":\"counter\","
                                 "\"help\":\"Runs of the hello_c.greet job since the host started\","
                                 "\"labels\":{},\"value\":%llu}]}",
                                 read_runs(st));
    erp_status s;
    if (n == 0) {
        return hello_fail(error, ERP_E_INTERNAL, HELLO_ID ".monitor", "metrics buffer too small");
    }
    if ((s = sink_write(out, json, n)) != ERP_OK) {
        return hello_fail(error, s, HELLO_ID ".monitor", "could not write the metrics");
    }
    return ERP_OK;
}

/* Feeds /health: "ok" | "degraded" | "down", a score 0..100 and free detail.
 * hello_c has nothing that can degrade, so it is always healthy. */
static erp_status monitor_health(void* user, erp_sink* out, erp_sink* error) {
    erp_plugin_state* st = (erp_plugin_state*)user;
    char json[128];
    const size_t n = format_json(json, sizeof json, "{\"status\":\"ok\",\"score\":100,\"detail\":{\"runs\":%llu}}",
                                 read_runs(st));
    erp_status s;
    if (n == 0) {
        return hello_fail(error, ERP_E_INTERNAL, HELLO_ID ".monitor", "health buffer too small");
    }
    if ((s = sink_write(out, json, n)) != ERP_OK) {
        return hello_fail(error, s, HELLO_ID ".monitor", "could not write the health");
    }
    return ERP_OK;
}

/* ------------------------------------------------------------------------ */
/* HTTP routes (served at /plugins/hello_c<pattern>)                        */
/* ------------------------------------------------------------------------ */

/* Appends to the response body; a refused write becomes the handler's error
 * (the host then answers 500 with the error JSON). */
static erp_status body_write(erp_http_response* resp, const char* data, size_t len, erp_sink* error,
                             const char* where) {
    const erp_status s = sink_write(resp->body, data, len);
    return s == ERP_OK ? ERP_OK : hello_fail(error, s, where, "could not write the response body");
}

static erp_status body_puts(erp_http_response* resp, const char* text, erp_sink* error, const char* where) {
    return body_write(resp, text, strlen(text), error, where);
}

/* GET /hello -> {"greeting":"...","runs":N}. Thread: any, concurrently. */
static erp_status route_hello(void* user, const erp_http_request* req, erp_http_response* resp,
                              erp_sink* error) {
    erp_plugin_state* st = (erp_plugin_state*)user;
    char json[HELLO_MAX_GREETING + 64];
    const size_t n =
        format_json(json, sizeof json, "{\"greeting\":\"%s\",\"runs\":%llu}", st->greeting, read_runs(st));
    (void)req;
    if (n == 0) {
        return hello_fail(error, ERP_E_INTERNAL, "GET /hello", "response buffer too small");
    }
    /* Status 200 and Content-Type application/json are the defaults: a JSON
     * answer only writes its body. */
    return body_write(resp, json, n, error, "GET /hello");
}

/* POST /echo -> the request body, with the request's Content-Type (or
 * application/json). Non-GET routes need the admin token; the host checks it
 * before calling, and never passes the Authorization header on. */
static erp_status route_echo(void* user, const erp_http_request* req, erp_http_response* resp,
                             erp_sink* error) {
    const char* headers = req->headers_json != NULL ? req->headers_json : "{}";
    const char* value = NULL;
    size_t value_len = 0;
    char content_type[128] = "application/json";

    (void)user;
    /* Header names arrive lower-case. The value is JSON string text; take it
     * only when it needs no unescaping, so nothing odd reaches set_header. */
    if (json_find_string(headers, strlen(headers), "content-type", &value, &value_len) == SCAN_FOUND &&
        value_len > 0 && value_len < sizeof content_type && memchr(value, '\\', value_len) == NULL) {
        memcpy(content_type, value, value_len);
        content_type[value_len] = '\0';
    }
    resp->set_status(resp->ctx, 200);
    resp->set_header(resp->ctx, "Content-Type", content_type); /* copied by the host */
    /* The body may contain NUL bytes: always use body_len, never strlen. */
    return body_write(resp, req->body, req->body_len, error, "POST /echo");
}

/* GET /status/{name} -> {"name":"<name>"}. Path parameters arrive as a JSON
 * object, {"name":"..."}, already JSON-escaped by the host. */
static erp_status route_status(void* user, const erp_http_request* req, erp_http_response* resp,
                               erp_sink* error) {
    const char* params = req->params_json != NULL ? req->params_json : "{}";
    const char* name = NULL;
    size_t name_len = 0;
    erp_status s;

    (void)user;
    if (json_find_string(params, strlen(params), "name", &name, &name_len) != SCAN_FOUND) {
        /* A handler that wants a 4xx sets it and returns ERP_OK; a non-OK
         * return is for failures, which the host turns into a 500. */
        resp->set_status(resp->ctx, 404);
        return body_puts(resp, "{\"error\":\"no name in the path\"}", error, "GET /status/{name}");
    }
    /* The sink appends, so a response can be written in pieces. */
    if ((s = body_puts(resp, "{\"name\":\"", error, "GET /status/{name}")) != ERP_OK ||
        (s = body_write(resp, name, name_len, error, "GET /status/{name}")) != ERP_OK) {
        return s;
    }
    return body_puts(resp, "\"}", error, "GET /status/{name}");
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

/* Frees the state; used by shutdown and by a failing init. */
static void hello_destroy(erp_plugin_state* st) {
    if (st == NULL) {
        return;
    }
    pthread_mutex_destroy(&st->lock);
    free(st->greeting);
    free(st);
}

/* Reads {"greeting":"..."} from the plugin's config (its [plugins.hello_c]
 * table, as JSON). `config` is borrowed: the greeting is copied. */
static erp_status parse_config(const char* config, size_t config_len, char** greeting, erp_sink* error) {
    const char* value = HELLO_DEFAULT_GREETING;
    size_t value_len = strlen(HELLO_DEFAULT_GREETING);

    switch (json_find_string(config != NULL ? config : "", config != NULL ? config_len : 0, "greeting", &value,
                             &value_len)) {
    case SCAN_ABSENT:
        break; /* the greeting is optional: keep the default */
    case SCAN_FOUND:
        if (value_len == 0) {
            return hello_fail(error, ERP_E_CONFIG, "init", "greeting must not be empty");
        }
        if (value_len > HELLO_MAX_GREETING) {
            return hello_fail(error, ERP_E_CONFIG, "init", "greeting must be at most %d bytes, got %lu",
                              HELLO_MAX_GREETING, (unsigned long)value_len);
        }
        break;
    case SCAN_NOT_STRING:
        return hello_fail(error, ERP_E_CONFIG, "init", "greeting must be a string");
    case SCAN_MALFORMED:
        return hello_fail(error, ERP_E_CONFIG, "init", "the plugin config is not valid JSON");
    }
    *greeting = (char*)malloc(value_len + 1);
    if (*greeting == NULL) {
        return hello_fail(error, ERP_E_INTERNAL, "init", "out of memory");
    }
    memcpy(*greeting, value, value_len);
    (*greeting)[value_len] = '\0';
    return ERP_OK;
}

/* Version 1 of hello_c's schema. The host records a checksum of this exact
 * text once applied: never edit it after a release, add version 2 instead.
 * Times are stored as ISO-8601 UTC text ("timestamp"), on every backend. */
static const char HELLO_SCHEMA_V1[] =
    "{\"create_tables\":[{\"name\":\"hello_c_greetings\","
    "\"columns\":[{\"name\":\"id\",\"type\":\"bigint\",\"nullable\":false},"
    "{\"name\":\"text\",\"type\":\"string\",\"size\":200},"
    "{\"name\":\"created_at\",\"type\":\"timestamp\"}],"
    "\"primary_key\":[\"id\"]}],"
    "\"indexes\":[{\"table\":\"hello_c_greetings\",\"name\":\"hello_c_greetings_by_created_at\","
    "\"columns\":[\"created_at\"],\"unique\":false}]}";

/* Registers everything hello_c offers. The registrar copies each definition,
 * so they can live on the stack; `user` is handed back to every callback.
 * Designated initializers leave unnamed fields zero (NULL). The registrar's
 * own error goes straight to init's error sink, and the first failure fails
 * init: a half-registered plugin is worse than none. */
static erp_status hello_register(erp_plugin_state* st, const erp_registrar* reg, erp_sink* error) {
    const erp_job_def greet = {
        .struct_size = sizeof(erp_job_def),
        .id = HELLO_ID ".greet",
        .description = "Greets once a minute: counts, publishes hello_c.greeted, logs",
        .interval_seconds = 60, /* the admin may override it: [schedule] "hello_c.greet" = N */
        .jitter_seconds = 5,    /* spreads runs so plugins do not fire at round times */
        .user = st,
        .run = greet_run,
    };
    const erp_validator_def validator = {
        .struct_size = sizeof(erp_validator_def),
        .kind = HELLO_ID ".greeting",
        .user = st,
        .validate = greeting_validate,
    };
    const erp_db_mapping schema_v1 = {
        .struct_size = sizeof(erp_db_mapping),
        .version = 1,
        .description = "greetings table",
        .declaration_json = HELLO_SCHEMA_V1,
    };
    const erp_monitor_def monitor = {
        .struct_size = sizeof(erp_monitor_def),
        .id = HELLO_ID ".monitor",
        .user = st,
        .collect = monitor_collect,
        .health = monitor_health,
    };
    const erp_route_def routes[] = {
        {.struct_size = sizeof(erp_route_def), .method = "GET", .pattern = "/hello", .user = st,
         .handle = route_hello},
        {.struct_size = sizeof(erp_route_def), .method = "POST", .pattern = "/echo", .user = st,
         .handle = route_echo},
        {.struct_size = sizeof(erp_route_def), .method = "GET", .pattern = "/status/{name}", .user = st,
         .handle = route_status},
    };
    /* Relative to the directory of manifest.json: the build copies web/ there. */
    const erp_static_def web = {
        .struct_size = sizeof(erp_static_def),
        .url_prefix = "/",
        .directory = "web",
    };
    erp_status s;
    size_t i;

    if ((s = reg->add_job(reg->ctx, &greet, error)) != ERP_OK ||
        (s = reg->add_validator(reg->ctx, &validator, error)) != ERP_OK ||
        (s = reg->add_db_mapping(reg->ctx, &schema_v1, error)) != ERP_OK ||
        (s = reg->add_monitor(reg->ctx, &monitor, error)) != ERP_OK) {
        return s;
    }
    for (i = 0; i < sizeof routes / sizeof routes[0]; ++i) {
        if ((s = reg->add_route(reg->ctx, &routes[i], error)) != ERP_OK) {
            return s;
        }
    }
    return reg->add_static(reg->ctx, &web, error);
}

/* Thread: the host's control thread. Creates the state and registers; on
 * failure releases everything itself, because shutdown is then not called.
 * `host` stays valid until shutdown returns; `config_json`, `registrar` and
 * `error` only during this call. */
static erp_status hello_init(const erp_host_api* host, const char* config_json, size_t config_len,
                             const erp_registrar* registrar, erp_plugin_state** state, erp_sink* error) {
    erp_plugin_state* st;
    erp_status s;

    if (host == NULL || registrar == NULL || state == NULL) {
        return hello_fail(error, ERP_E_INVALID_ARGUMENT, "init", "host, registrar and state are required");
    }
    *state = NULL;
    /* A host that accepted this plugin offers at least the ABI minor it was
     * built against, so every field of this header is there. Checking the
     * last one anyway costs nothing and turns a broken host into a message
     * instead of a crash. */
    if (!ERP_HAS_FIELD(erp_host_api, host, get_extension) || !ERP_HAS_FIELD(erp_registrar, registrar, add_static)) {
        return hello_fail(error, ERP_E_VERSION, "init", "the host's tables are shorter than ABI 1.0 defines");
    }

    st = (erp_plugin_state*)calloc(1, sizeof *st);
    if (st == NULL) {
        return hello_fail(error, ERP_E_INTERNAL, "init", "out of memory");
    }
    st->host = host;
    if (pthread_mutex_init(&st->lock, NULL) != 0) {
        free(st);
        return hello_fail(error, ERP_E_INTERNAL, "init", "cannot create a mutex");
    }
    s = parse_config(config_json, config_len, &st->greeting, error);
    if (s == ERP_OK) {
        s = hello_register(st, registrar, error);
    }
    if (s != ERP_OK) {
        hello_destroy(st); /* the host drops what was registered */
        return s;
    }
    hello_log(st, ERP_LOG_INFO, "initialised, greeting \"%s\"", st->greeting);
    *state = st;
    return ERP_OK;
}

/* Thread: the control thread, after the host applied the DB mappings. A
 * plugin with background work starts it here. hello_c has none, so it only
 * shows host services that answer through a sink the plugin owns. */
static erp_status hello_start(erp_plugin_state* st, erp_sink* error) {
    const erp_host_api* host = st->host;
    struct text_buf buf = {NULL, 0, 0};
    erp_sink sink = text_buf_sink(&buf);
    erp_status s;

    (void)error; /* nothing here can fail hello_c's start */

    s = host->data_dir(host->ctx, &sink);
    if (s == ERP_OK) {
        hello_log(st, ERP_LOG_DEBUG, "files would go to %s", buf.data != NULL ? buf.data : "");
    } else {
        hello_log(st, ERP_LOG_WARN, "no data directory (status %d); hello_c needs none", (int)s);
    }
    buf.len = 0; /* reuse the buffer for the next answer */

    /* The connection string may carry a password: use it, never log it. */
    s = host->database_url(host->ctx, &sink);
    hello_log(st, ERP_LOG_INFO, "started; database %s",
              s == ERP_OK ? "configured" : s == ERP_E_UNAVAILABLE ? "not configured" : "unreadable");
    free(buf.data);

    /* Optional services are looked up by name and may be absent (NULL), never
     * a crash; "erp.foo.v1" is the header's placeholder name, offered by no
     * host: this only shows the pattern. */
    if (host->get_extension(host->ctx, "erp.foo.v1", 1) == NULL) {
        hello_log(st, ERP_LOG_DEBUG, "optional service erp.foo.v1 not offered; carrying on without it");
    }
    return ERP_OK;
}

/* Thread: the control thread. Running jobs were already cancelled and have
 * returned. A plugin with threads tells them to finish here and returns
 * promptly; hello_c has none. */
static erp_status hello_stop(erp_plugin_state* st, erp_sink* error) {
    (void)error;
    hello_log(st, ERP_LOG_INFO, "stopped after %llu runs", read_runs(st));
    return ERP_OK;
}

/* Thread: the control thread, last call before dlclose. Joins any thread the
 * plugin started and frees everything: nothing may outlive it. */
static void hello_shutdown(erp_plugin_state* st) { hello_destroy(st); }

/* ------------------------------------------------------------------------ */
/* The entry point: the only exported symbol                                */
/* ------------------------------------------------------------------------ */

/* What hello_c is. Static, so it outlives every call until dlclose; its
 * struct_size and abi_version are those of the header it was compiled with. */
static const erp_plugin_api HELLO_API = {
    .struct_size = sizeof(erp_plugin_api),
    .abi_version = ERP_ABI_VERSION,
    .id = HELLO_ID,           /* must equal manifest.json "id" */
    .version = HELLO_VERSION, /* must equal manifest.json "version" */
    .init = hello_init,
    .start = hello_start,
    .stop = hello_stop,
    .shutdown = hello_shutdown,
    .build_info = "hello_c " HELLO_VERSION ", C99, " HELLO_COMPILER,
};

/* Called once, first, on the host's control thread. Version negotiation, the
 * plugin's half: refuse a host of another major (its tables may be laid out
 * differently). The host does the other half with HELLO_API.abi_version: it
 * refuses a different major and a minor above its own. Nothing is allocated
 * and no thread started here. */
ERP_PLUGIN_EXPORT erp_status erp_plugin_entry(uint32_t host_abi_version, const erp_plugin_api** out_api,
                                              erp_sink* error) {
    if (out_api == NULL) {
        return hello_fail(error, ERP_E_INVALID_ARGUMENT, "erp_plugin_entry", "out_api is NULL");
    }
    *out_api = NULL;
    if (ERP_ABI_VERSION_MAJOR_OF(host_abi_version) != ERP_ABI_VERSION_MAJOR) {
        return hello_fail(error, ERP_E_VERSION, "erp_plugin_entry",
                          "hello_c was built for plugin ABI %u.%u; the host offers ABI %u.%u (a different major)",
                          (unsigned)ERP_ABI_VERSION_MAJOR, (unsigned)ERP_ABI_VERSION_MINOR,
                          (unsigned)ERP_ABI_VERSION_MAJOR_OF(host_abi_version),
                          (unsigned)ERP_ABI_VERSION_MINOR_OF(host_abi_version));
    }
    *out_api = &HELLO_API;
    return ERP_OK;
}
