/*
 * bad_plugin.c — deliberately broken or unusual plugins for the host's tests.
 *
 * One source, many libraries: tests/plugins/CMakeLists.txt builds it once per
 * behaviour with exactly one TP_<BEHAVIOUR> macro defined. Each library is a
 * test subject, so each does the one odd thing its name says and is otherwise
 * a correct plugin (the host must be refusing it for the right reason).
 *
 *  macro               library (plugin id)           what it does
 *  TP_GOOD             good_plugin (good_plugin)     correct and minimal: job
 *                      good_plugin.tick (on demand), GET /ping, monitor
 *                      good_plugin.monitor (counter good_plugin_ticks_total),
 *                      DB mapping v1 creating good_plugin_items
 *  TP_ABI_MAJOR        bad_abi_major                 entry says OK but reports
 *                      abi_version 2.0: the host must refuse it
 *  TP_ENTRY_REFUSES    bad_entry_refuses             needs ABI 2.x: the entry
 *                      returns ERP_E_VERSION, "plugin requires ABI 2.x, host
 *                      offers 1.0"
 *  TP_NEWER_MINOR      bad_newer_minor               built "against 1.7": abi
 *                      1.7, struct_size = sizeof + 16: the host must refuse
 *  TP_NO_ENTRY         bad_no_entry                  exports erp_plugin_entry_v0
 *                      instead of erp_plugin_entry
 *  TP_INIT_ERROR       bad_init_error                registers a job, then init
 *                      fails with ERP_E_CONFIG: the host must drop the job
 *  TP_MISSING_CALLBACK bad_missing_callback          registers a job without
 *                      run(); init fails with the registrar's status/message
 *  TP_BAD_MIGRATION    bad_migration                 mapping v1's escape-hatch
 *                      SQL fails: the host must roll the whole version back
 *  TP_MIG_V1           mig_v1 (migtest)              mapping v1: migtest_items
 *  TP_MIG_V1_CHANGED   mig_v1_changed (migtest)      the same v1 with an extra
 *                      column: refused once mig_v1's v1 was applied
 *  TP_OLD_STRUCT       old_struct (old_struct)       an "older" plugin: its api
 *                      struct ends before build_info, its monitor def before
 *                      health; the fields beyond hold traps a host that reads
 *                      past struct_size would expose. Must load and work.
 *  TP_SLOW_JOB         slow_job (slow_job)           job slow_job.wait polls
 *                      cancellation every 10 ms until cancelled; GET /ping
 *
 * All report version "1.0.0" (what tests/support's install_plugin writes in
 * the manifest by default) and leave start/stop NULL (optional callbacks).
 */

/* nanosleep and pthreads are POSIX; the build is strict -std=c99. */
#define _POSIX_C_SOURCE 200809L

#include <erp_plugin/erp_plugin.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* Behaviour table                                                          */
/* ------------------------------------------------------------------------ */

#if (defined(TP_GOOD) + defined(TP_ABI_MAJOR) + defined(TP_ENTRY_REFUSES) + defined(TP_NEWER_MINOR) +             \
     defined(TP_NO_ENTRY) + defined(TP_INIT_ERROR) + defined(TP_MISSING_CALLBACK) + defined(TP_BAD_MIGRATION) +     \
     defined(TP_MIG_V1) + defined(TP_MIG_V1_CHANGED) + defined(TP_OLD_STRUCT) + defined(TP_SLOW_JOB)) != 1
#error "define exactly one TP_<BEHAVIOUR> (see tests/plugins/CMakeLists.txt)"
#endif

#if defined(TP_GOOD)
#define TP_ID "good_plugin"
#define TP_TICK_JOB 1
#define TP_PING 1
#define TP_MONITOR 1
#define TP_SCHEMA_V1                                                                                                  \
    "{\"create_tables\":[{\"name\":\"good_plugin_items\",\"columns\":["                                               \
    "{\"name\":\"id\",\"type\":\"bigint\",\"nullable\":false},"                                                       \
    "{\"name\":\"name\",\"type\":\"string\",\"size\":100},"                                                           \
    "{\"name\":\"created_at\",\"type\":\"timestamp\"}],"                                                              \
    "\"primary_key\":[\"id\"]}]}"

#elif defined(TP_ABI_MAJOR)
#define TP_ID "bad_abi_major"
#define TP_REPORTED_ABI ERP_MAKE_ABI_VERSION(2, 0)

#elif defined(TP_ENTRY_REFUSES)
#define TP_ID "bad_entry_refuses"
#define TP_REQUIRED_MAJOR 2u

#elif defined(TP_NEWER_MINOR)
#define TP_ID "bad_newer_minor"
#define TP_REPORTED_ABI ERP_MAKE_ABI_VERSION(1, 7)
#define TP_API_EXTRA 16 /* "fields of ABI 1.7" the host does not know */

#elif defined(TP_NO_ENTRY)
#define TP_ID "bad_no_entry"
#define TP_ENTRY_NAME erp_plugin_entry_v0

#elif defined(TP_INIT_ERROR)
#define TP_ID "bad_init_error"
#define TP_TICK_JOB 1 /* registered before init fails: the host must drop it */
#define TP_INIT_FAILS 1

#elif defined(TP_MISSING_CALLBACK)
#define TP_ID "bad_missing_callback"
#define TP_JOB_WITHOUT_RUN 1

#elif defined(TP_BAD_MIGRATION)
#define TP_ID "bad_migration"
#define TP_SCHEMA_V1                                                                                                  \
    "{\"create_tables\":[{\"name\":\"bad_migration_items\",\"columns\":["                                             \
    "{\"name\":\"id\",\"type\":\"bigint\",\"nullable\":false}],"                                                      \
    "\"primary_key\":[\"id\"]}],"                                                                                     \
    "\"sql\":{\"sqlite3\":[\"INSERT INTO no_such_table VALUES (1)\"],"                                                \
    "\"postgresql\":[\"INSERT INTO no_such_table VALUES (1)\"]}}"

#elif defined(TP_MIG_V1) || defined(TP_MIG_V1_CHANGED)
#define TP_ID "migtest"
#if defined(TP_MIG_V1)
#define TP_MIGTEST_EXTRA_COLUMN ""
#else
#define TP_MIGTEST_EXTRA_COLUMN ",{\"name\":\"note\",\"type\":\"string\",\"size\":200}"
#endif
#define TP_SCHEMA_V1                                                                                                  \
    "{\"create_tables\":[{\"name\":\"migtest_items\",\"columns\":["                                                   \
    "{\"name\":\"id\",\"type\":\"bigint\",\"nullable\":false},"                                                       \
    "{\"name\":\"name\",\"type\":\"string\",\"size\":50}" TP_MIGTEST_EXTRA_COLUMN "],"                                \
    "\"primary_key\":[\"id\"]}]}"

#elif defined(TP_OLD_STRUCT)
#define TP_ID "old_struct"
#define TP_TICK_JOB 1
#define TP_PING 1
#define TP_MONITOR 1
#define TP_OLD_SIZES 1

#elif defined(TP_SLOW_JOB)
#define TP_ID "slow_job"
#define TP_SLOW 1
#define TP_PING 1
#endif

/* Defaults: a plugin that behaves. */
#ifndef TP_REPORTED_ABI
#define TP_REPORTED_ABI ERP_ABI_VERSION
#endif
#ifndef TP_REQUIRED_MAJOR
#define TP_REQUIRED_MAJOR ((uint32_t)ERP_ABI_VERSION_MAJOR)
#endif
#ifndef TP_ENTRY_NAME
#define TP_ENTRY_NAME erp_plugin_entry
#endif

/* ------------------------------------------------------------------------ */
/* State and helpers                                                        */
/* ------------------------------------------------------------------------ */

struct erp_plugin_state {
    const erp_host_api* host; /* borrowed until shutdown returns */
    pthread_mutex_t lock;     /* guards ticks: jobs write, monitors read */
    unsigned long long ticks;
};

static erp_status sink_write(erp_sink* sink, const char* data, size_t len) {
    if (!ERP_HAS_FIELD(erp_sink, sink, write) || sink->write == NULL) {
        return ERP_E_INVALID_ARGUMENT;
    }
    return len == 0 ? ERP_OK : sink->write(sink->ctx, data, len);
}

static erp_status sink_puts(erp_sink* sink, const char* text) { return sink_write(sink, text, strlen(text)); }

static const char* status_code(erp_status status) {
    switch (status) {
    case ERP_E_INVALID_ARGUMENT: return "invalid_argument";
    case ERP_E_NOT_FOUND: return "not_found";
    case ERP_E_UNSUPPORTED: return "unsupported";
    case ERP_E_VERSION: return "version";
    case ERP_E_CANCELLED: return "cancelled";
    case ERP_E_IO: return "io";
    case ERP_E_CONFIG: return "config";
    case ERP_E_CONFLICT: return "conflict";
    case ERP_E_UNAVAILABLE: return "unavailable";
    default: return "internal";
    }
}

/* Writes {"code","message","where"} to `error` and returns `status`. The
 * messages of this file contain no character that JSON needs escaped. */
static erp_status tp_fail(erp_sink* error, erp_status status, const char* where, const char* fmt, ...) {
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(message, sizeof message, fmt, ap) < 0) {
        message[0] = '\0';
    }
    va_end(ap);
    if (sink_puts(error, "{\"code\":\"") == ERP_OK && sink_puts(error, status_code(status)) == ERP_OK &&
        sink_puts(error, "\",\"message\":\"") == ERP_OK && sink_puts(error, message) == ERP_OK &&
        sink_puts(error, "\",\"where\":\"") == ERP_OK && sink_puts(error, where) == ERP_OK) {
        (void)sink_puts(error, "\"}");
    }
    return status;
}

#if defined(TP_TICK_JOB) || defined(TP_SLOW)
static void tp_progress(erp_plugin_state* st, erp_job* job, unsigned long processed) {
    char json[64];
    const int n = snprintf(json, sizeof json, "{\"processed\":%lu}", processed);
    if (n > 0 && (size_t)n < sizeof json) {
        (void)st->host->job_progress(st->host->ctx, job, json, (size_t)n);
    }
}
#endif

/* ------------------------------------------------------------------------ */
/* Jobs                                                                     */
/* ------------------------------------------------------------------------ */

#if defined(TP_TICK_JOB)
/* <id>.tick: counts one tick. */
static erp_status tick_run(void* user, erp_job* job, const char* params_json, size_t params_len, erp_sink* error) {
    erp_plugin_state* st = (erp_plugin_state*)user;
    unsigned long long ticks;
    (void)params_json;
    (void)params_len;
    if (st->host->job_is_cancelled(st->host->ctx, job)) {
        return tp_fail(error, ERP_E_CANCELLED, TP_ID ".tick", "cancelled before it began");
    }
    pthread_mutex_lock(&st->lock);
    ticks = ++st->ticks;
    pthread_mutex_unlock(&st->lock);
    tp_progress(st, job, (unsigned long)ticks);
    return ERP_OK;
}
#endif

#if defined(TP_SLOW)
/* slow_job.wait: runs until the host cancels it, as a long sync would. The
 * 10 ms sleep is the poll interval of this test subject: cancellation is
 * observed within ~10 ms, well inside the contract's one second. */
static erp_status slow_run(void* user, erp_job* job, const char* params_json, size_t params_len, erp_sink* error) {
    erp_plugin_state* st = (erp_plugin_state*)user;
    const struct timespec poll_interval = {0, 10L * 1000L * 1000L};
    unsigned long polls = 0;
    (void)params_json;
    (void)params_len;
    while (!st->host->job_is_cancelled(st->host->ctx, job)) {
        ++polls;
        tp_progress(st, job, polls);
        nanosleep(&poll_interval, NULL);
    }
    return tp_fail(error, ERP_E_CANCELLED, TP_ID ".wait", "cancelled after %lu polls", polls);
}
#endif

/* ------------------------------------------------------------------------ */
/* Routes and monitors                                                      */
/* ------------------------------------------------------------------------ */

#if defined(TP_PING)
/* GET /ping -> {"pong":true}, with the default status and content type. */
static erp_status ping_handle(void* user, const erp_http_request* req, erp_http_response* resp, erp_sink* error) {
    const erp_status s = sink_puts(resp->body, "{\"pong\":true}");
    (void)user;
    (void)req;
    return s == ERP_OK ? ERP_OK : tp_fail(error, s, "GET /ping", "could not write the body");
}
#endif

#if defined(TP_MONITOR)
static erp_status monitor_collect(void* user, erp_sink* out, erp_sink* error) {
    erp_plugin_state* st = (erp_plugin_state*)user;
    unsigned long long ticks;
    char json[192];
    int n;
    erp_status s;
    pthread_mutex_lock(&st->lock);
    ticks = st->ticks;
    pthread_mutex_unlock(&st->lock);
    n = snprintf(json, sizeof json,
                 "{\"metrics\":[{\"name\":\"" TP_ID "_ticks_total\",\"type\":\"counter\","
                 "\"help\":\"Runs of " TP_ID ".tick\",\"value\":%llu}]}",
                 ticks);
    if (n <= 0 || (size_t)n >= sizeof json) {
        return tp_fail(error, ERP_E_INTERNAL, TP_ID ".monitor", "metrics buffer too small");
    }
    s = sink_write(out, json, (size_t)n);
    return s == ERP_OK ? ERP_OK : tp_fail(error, s, TP_ID ".monitor", "could not write the metrics");
}

#if defined(TP_OLD_SIZES)
/* A trap: old_struct registers its monitor with struct_size ending before
 * `health`, so a host that honours struct_size never calls this. One that
 * reads past it reports the plugin down, which a test sees in /health. */
static erp_status monitor_health(void* user, erp_sink* out, erp_sink* error) {
    const erp_status s = sink_puts(
        out, "{\"status\":\"down\",\"score\":0,\"detail\":{\"bug\":\"host read erp_monitor_def.health beyond struct_size\"}}");
    (void)user;
    return s == ERP_OK ? ERP_OK : tp_fail(error, s, TP_ID ".monitor", "could not write the health");
}
#else
static erp_status monitor_health(void* user, erp_sink* out, erp_sink* error) {
    const erp_status s = sink_puts(out, "{\"status\":\"ok\",\"score\":100}");
    (void)user;
    return s == ERP_OK ? ERP_OK : tp_fail(error, s, TP_ID ".monitor", "could not write the health");
}
#endif
#endif /* TP_MONITOR */

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

static void tp_destroy(erp_plugin_state* st) {
    if (st != NULL) {
        pthread_mutex_destroy(&st->lock);
        free(st);
    }
}

static erp_status tp_register(erp_plugin_state* st, const erp_registrar* reg, erp_sink* error) {
    erp_status s = ERP_OK;
    (void)st; /* some behaviours register nothing */
    (void)reg;
    (void)error;
#if defined(TP_TICK_JOB)
    {
        const erp_job_def job = {.struct_size = sizeof(erp_job_def),
                                 .id = TP_ID ".tick",
                                 .description = "counts ticks",
                                 .interval_seconds = 0, /* on demand only */
                                 .user = st,
                                 .run = tick_run};
        if ((s = reg->add_job(reg->ctx, &job, error)) != ERP_OK) {
            return s;
        }
    }
#endif
#if defined(TP_SLOW)
    {
        const erp_job_def job = {.struct_size = sizeof(erp_job_def),
                                 .id = TP_ID ".wait",
                                 .description = "waits until cancelled",
                                 .interval_seconds = 0,
                                 .user = st,
                                 .run = slow_run};
        if ((s = reg->add_job(reg->ctx, &job, error)) != ERP_OK) {
            return s;
        }
    }
#endif
#if defined(TP_JOB_WITHOUT_RUN)
    {
        /* run is required and left NULL: add_job must refuse it now, not
         * crash at the first run. Its status and message (already in
         * `error`) become init's. */
        const erp_job_def job = {.struct_size = sizeof(erp_job_def),
                                 .id = TP_ID ".job",
                                 .description = "has no run callback",
                                 .interval_seconds = 60,
                                 .user = st};
        if ((s = reg->add_job(reg->ctx, &job, error)) != ERP_OK) {
            return s;
        }
    }
#endif
#if defined(TP_PING)
    {
        const erp_route_def ping = {.struct_size = sizeof(erp_route_def),
                                    .method = "GET",
                                    .pattern = "/ping",
                                    .user = st,
                                    .handle = ping_handle};
        if ((s = reg->add_route(reg->ctx, &ping, error)) != ERP_OK) {
            return s;
        }
    }
#endif
#if defined(TP_MONITOR)
    {
        const erp_monitor_def monitor = {
#if defined(TP_OLD_SIZES)
            /* As a plugin built before `health` existed would declare it. */
            .struct_size = (uint32_t)offsetof(erp_monitor_def, health),
#else
            .struct_size = sizeof(erp_monitor_def),
#endif
            .id = TP_ID ".monitor",
            .user = st,
            .collect = monitor_collect,
            .health = monitor_health};
        if ((s = reg->add_monitor(reg->ctx, &monitor, error)) != ERP_OK) {
            return s;
        }
    }
#endif
#if defined(TP_SCHEMA_V1)
    {
        const erp_db_mapping v1 = {.struct_size = sizeof(erp_db_mapping),
                                   .version = 1,
                                   .description = TP_ID " schema v1",
                                   .declaration_json = TP_SCHEMA_V1};
        if ((s = reg->add_db_mapping(reg->ctx, &v1, error)) != ERP_OK) {
            return s;
        }
    }
#endif
    return s;
}

static erp_status tp_init(const erp_host_api* host, const char* config_json, size_t config_len,
                          const erp_registrar* registrar, erp_plugin_state** state, erp_sink* error) {
    erp_plugin_state* st;
    erp_status s;
    (void)config_json;
    (void)config_len;
    if (host == NULL || registrar == NULL || state == NULL) {
        return tp_fail(error, ERP_E_INVALID_ARGUMENT, "init", "host, registrar and state are required");
    }
    *state = NULL;
    st = (erp_plugin_state*)calloc(1, sizeof *st);
    if (st == NULL) {
        return tp_fail(error, ERP_E_INTERNAL, "init", "out of memory");
    }
    st->host = host;
    if (pthread_mutex_init(&st->lock, NULL) != 0) {
        free(st);
        return tp_fail(error, ERP_E_INTERNAL, "init", "cannot create a mutex");
    }
    s = tp_register(st, registrar, error);
#if defined(TP_INIT_FAILS)
    if (s == ERP_OK) {
        s = tp_fail(error, ERP_E_CONFIG, "init", "greeting must not be empty");
    }
#endif
    if (s != ERP_OK) {
        tp_destroy(st); /* shutdown is not called after a failed init */
        return s;
    }
    *state = st;
    return ERP_OK;
}

static void tp_shutdown(erp_plugin_state* st) { tp_destroy(st); }

/* ------------------------------------------------------------------------ */
/* The plugin description and the entry                                     */
/* ------------------------------------------------------------------------ */

#if defined(TP_OLD_SIZES)
/* Ends before build_info, as an older plugin's would; the value beyond is a
 * trap a host must not read (a test can look for it in /api/plugins). */
#define TP_API_SIZE ((uint32_t)offsetof(erp_plugin_api, build_info))
#define TP_BUILD_INFO "TRAP: old_struct's build_info lies beyond its struct_size and must not be read"
#elif defined(TP_API_EXTRA)
#define TP_API_SIZE ((uint32_t)(sizeof(erp_plugin_api) + TP_API_EXTRA))
#define TP_BUILD_INFO "erp test plugin " TP_ID
#else
#define TP_API_SIZE ((uint32_t)sizeof(erp_plugin_api))
#define TP_BUILD_INFO "erp test plugin " TP_ID
#endif

#define TP_API_INIT                                                                                                   \
    {                                                                                                                 \
        .struct_size = TP_API_SIZE, .abi_version = TP_REPORTED_ABI, .id = TP_ID, .version = "1.0.0",                  \
        .init = tp_init, .start = NULL, .stop = NULL, .shutdown = tp_shutdown, .build_info = TP_BUILD_INFO            \
    }

#if defined(TP_API_EXTRA)
/* The declared struct_size exceeds sizeof(erp_plugin_api): back it with real,
 * zeroed memory so a host that copies struct_size bytes reads nothing wild. */
static const struct {
    erp_plugin_api api;
    unsigned char newer_fields[TP_API_EXTRA];
} TP_API_STORAGE = {.api = TP_API_INIT};
#define TP_API (TP_API_STORAGE.api)
#else
static const erp_plugin_api TP_API = TP_API_INIT;
#endif

ERP_PLUGIN_EXPORT erp_status TP_ENTRY_NAME(uint32_t host_abi_version, const erp_plugin_api** out_api,
                                           erp_sink* error) {
    if (out_api == NULL) {
        return tp_fail(error, ERP_E_INVALID_ARGUMENT, "erp_plugin_entry", "out_api is NULL");
    }
    *out_api = NULL;
    if (ERP_ABI_VERSION_MAJOR_OF(host_abi_version) != TP_REQUIRED_MAJOR) {
        return tp_fail(error, ERP_E_VERSION, "erp_plugin_entry", "plugin requires ABI %u.x, host offers %u.%u",
                       (unsigned)TP_REQUIRED_MAJOR, (unsigned)ERP_ABI_VERSION_MAJOR_OF(host_abi_version),
                       (unsigned)ERP_ABI_VERSION_MINOR_OF(host_abi_version));
    }
    *out_api = &TP_API;
    return ERP_OK;
}
