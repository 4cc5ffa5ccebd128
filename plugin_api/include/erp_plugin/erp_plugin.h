/*
 * erp_plugin.h — the ERP host <-> marketplace plugin C ABI, version 1.
 *
 * This header is the contract. It is pure C99, includes nothing but
 * <stddef.h> and <stdint.h>, and every declaration below says who calls it,
 * on which thread, who owns what, and what it returns. The walk-through for
 * integrators is plugin_api/docs/abi.md.
 *
 * Shape of the ABI
 * ----------------
 *  - A plugin exports exactly ONE symbol: erp_plugin_entry(). Everything else
 *    travels through tables of function pointers (erp_plugin_api from the
 *    plugin, erp_host_api and erp_registrar from the host).
 *  - Versions are negotiated both ways: the host passes its ERP_ABI_VERSION to
 *    the entry, the plugin answers with the version it was built against; each
 *    side refuses a different major. Minor versions only ever append fields.
 *  - Every struct that crosses the boundary begins with `uint32_t struct_size`
 *    set by whoever filled it to sizeof(that struct in *their* header). The
 *    reader copies min(struct_size, sizeof) into a zeroed local and reads a
 *    field only if it lies inside struct_size (see ERP_HAS_FIELD). So a plugin
 *    built against an older minor still loads in a newer host; a plugin that
 *    needs a newer host than the one loading it is refused with a message.
 *  - Data crosses as UTF-8 JSON text (pointer + length). No C++ type, no
 *    allocator and no exception ever crosses.
 *  - Ownership: whoever allocates frees. To return data, the callee writes
 *    into an erp_sink the caller provides; the sink copies what it is given.
 *    Pointers passed *into* a call are borrowed for the duration of that call
 *    unless the documentation of the field says otherwise.
 *  - Errors: functions return erp_status (ERP_OK == 0). Details go to the
 *    `error` sink as one JSON object {"code":"...","message":"...","where":"..."}
 *    where "code" is the lower-case status name without its prefix
 *    ("invalid_argument", "not_found", "config", ...) or a more specific
 *    plugin-defined code. `error` sinks passed by the host are never NULL.
 *
 * Lifecycle (each step on the host's control thread, never concurrently):
 *   dlopen(RTLD_NOW|RTLD_LOCAL) -> erp_plugin_entry -> init -> start
 *     -> [jobs, routes, validators, monitors run] -> stop -> shutdown -> dlclose
 *   A failure at any step is reported by the host with the plugin id and the
 *   step; the host then goes on without that plugin, calling shutdown (never
 *   stop) if init had succeeded: a plugin whose start failed must clean up
 *   what start began before returning. After shutdown returns, no thread of the plugin may still
 *   run and no memory it handed out may still be referenced: the library is
 *   unloaded next. Do not rely on global destructors of the library.
 *
 * Threading contract
 * ------------------
 *  - entry, init, start, stop, shutdown: the host's control thread, one at a
 *    time, never concurrently with each other.
 *  - A job's run(): a host worker thread. The host runs each job single-flight:
 *    two runs of the SAME job never overlap; DIFFERENT jobs of the same plugin
 *    may run concurrently on different threads.
 *  - Route handlers, validators and monitor callbacks: any host thread, possibly
 *    concurrently with each other and with jobs. They must be thread-safe.
 *    They are called only after start() returned ERP_OK, and none is in
 *    flight or begins once stop() is called.
 *  - Everything registered during an init() that fails is discarded unused:
 *    the host never calls a callback of a failed init.
 *  - Every function in erp_host_api may be called from any thread, including
 *    threads the plugin created itself, between init and the end of shutdown.
 *  - stop() must return promptly once running work has observed cancellation
 *    (erp_host_api.job_is_cancelled turns true for every running job before
 *    stop is called); the host waits for running jobs to return before stop.
 */
#ifndef ERP_PLUGIN_H
#define ERP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versioning                                                               */
/* ------------------------------------------------------------------------ */

/** Packs a major/minor pair into one uint32_t (major in the high 16 bits). */
#define ERP_MAKE_ABI_VERSION(major, minor) ((((uint32_t)(major)) << 16) | ((uint32_t)(minor)&0xFFFFu))
#define ERP_ABI_VERSION_MAJOR_OF(v) ((uint32_t)(v) >> 16)
#define ERP_ABI_VERSION_MINOR_OF(v) ((uint32_t)(v)&0xFFFFu)

/** The ABI this header describes. Major changes only when compatibility breaks
 *  (policy: avoid at all costs); minor grows when fields are appended. */
#define ERP_ABI_VERSION_MAJOR 1
#define ERP_ABI_VERSION_MINOR 0
#define ERP_ABI_VERSION ERP_MAKE_ABI_VERSION(ERP_ABI_VERSION_MAJOR, ERP_ABI_VERSION_MINOR)

/** Name of the one symbol a plugin exports. */
#define ERP_PLUGIN_ENTRY_SYMBOL "erp_plugin_entry"

/** True when `field` of struct `type` lies inside the `struct_size` the
 *  writer of `ptr` declared. Read an appended field only when this holds. */
#define ERP_HAS_FIELD(type, ptr, field)                                                                                \
    ((ptr) != NULL && (size_t)(ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

#if defined(_WIN32)
#define ERP_PLUGIN_EXPORT __declspec(dllexport)
#else
#define ERP_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

/** Every function that can fail returns one of these. Values are stable;
 *  new codes are only ever added. Unknown codes must be treated as
 *  ERP_E_INTERNAL by the receiver. */
typedef int32_t erp_status;
#define ERP_OK 0
#define ERP_E_INVALID_ARGUMENT 1 /* a parameter or JSON document is wrong */
#define ERP_E_NOT_FOUND 2        /* the named thing does not exist */
#define ERP_E_UNSUPPORTED 3      /* the receiver does not implement this */
#define ERP_E_VERSION 4          /* ABI version mismatch */
#define ERP_E_CANCELLED 5        /* the work was cancelled (stop, shutdown) */
#define ERP_E_INTERNAL 6         /* a bug or an unexpected exception */
#define ERP_E_IO 7               /* file, network or database failure */
#define ERP_E_CONFIG 8           /* the configuration is invalid */
#define ERP_E_CONFLICT 9         /* duplicate registration, busy, state clash */
#define ERP_E_UNAVAILABLE 10     /* temporarily unavailable; retry later */

/* ------------------------------------------------------------------------ */
/* Sinks: how data is returned without an allocator crossing                */
/* ------------------------------------------------------------------------ */

/**
 * A byte sink owned by whoever passes it. The callee calls write() zero or
 * more times; the sink appends (copies) the bytes, so the callee may free its
 * buffer right after write() returns. write() returns ERP_OK, or an error
 * (e.g. ERP_E_INVALID_ARGUMENT when a size limit is exceeded) after which the
 * callee should stop writing. A sink is valid only during the call it was
 * passed to. Sinks passed by the host are safe to write from the calling
 * thread only.
 */
typedef struct erp_sink {
    uint32_t struct_size; /* sizeof(erp_sink) of the creator */
    void* ctx;            /* creator's state; opaque to the writer */
    erp_status (*write)(void* ctx, const char* data, size_t len);
} erp_sink;

/* ------------------------------------------------------------------------ */
/* Host services                                                            */
/* ------------------------------------------------------------------------ */

/** Log levels, as uint32_t values. */
#define ERP_LOG_TRACE 0u
#define ERP_LOG_DEBUG 1u
#define ERP_LOG_INFO 2u
#define ERP_LOG_WARN 3u
#define ERP_LOG_ERROR 4u

/** Opaque per-plugin host context: identifies the calling plugin. */
typedef struct erp_host_ctx erp_host_ctx;
/** Opaque handle of one running job execution (valid during run()). */
typedef struct erp_job erp_job;

/**
 * Services the host offers a plugin. Passed to init(); the pointer and the
 * table stay valid until shutdown() returns. All functions are thread-safe
 * (see the threading contract above). `ctx` must be passed back unchanged.
 */
typedef struct erp_host_api {
    uint32_t struct_size;
    /** ERP_ABI_VERSION of the host. @since 1.0 */
    uint32_t abi_version;
    /** Pass back as the first argument of every call below. @since 1.0 */
    erp_host_ctx* ctx;

    /** Writes one log line attributed to the plugin. `msg` is UTF-8, not
     *  NUL-terminated necessarily, borrowed for the call. Never log secrets or
     *  customers' personal data. @since 1.0 */
    void (*log)(erp_host_ctx* ctx, uint32_t level, const char* msg, size_t len);

    /** Writes into `out` the connection string of the host's database in
     *  SOCI form: "sqlite3://db=/path/file.db" or
     *  "postgresql://host=... dbname=...". The plugin opens its own sessions
     *  with it; tables declared as DB mappings exist by the time start() is
     *  called. Returns ERP_E_UNAVAILABLE when the host has no database. (Host
     *  services have no error sink: the host logs the reason of a failure.)
     *  @since 1.0 */
    erp_status (*database_url)(erp_host_ctx* ctx, erp_sink* out);

    /** Writes into `out` the absolute path of a directory the plugin may use
     *  for its own files (created by the host). @since 1.0 */
    erp_status (*data_dir)(erp_host_ctx* ctx, erp_sink* out);

    /** Publishes an event to the host's live feed (/ws). `topic` is NUL-
     *  terminated and must begin with "<plugin id>."; `json` is one JSON value
     *  (borrowed). Non-blocking: slow subscribers drop events, never the
     *  publisher. Returns ERP_E_INVALID_ARGUMENT for a bad topic or JSON.
     *  @since 1.0 */
    erp_status (*publish_event)(erp_host_ctx* ctx, const char* topic, const char* json, size_t len);

    /** Wall-clock time, UTC, in milliseconds since the Unix epoch. Tests may
     *  run the host with a controllable clock. @since 1.0 */
    int64_t (*now_unix_ms)(erp_host_ctx* ctx);

    /** Non-zero once the host wants `job` to end (stop, shutdown, or an admin
     *  cancelling it). Long runs must poll it at least once a second and then
     *  return ERP_E_CANCELLED. Valid only during that job's run(). @since 1.0 */
    int (*job_is_cancelled)(erp_host_ctx* ctx, erp_job* job);

    /** Reports progress of a running job as a JSON object, e.g.
     *  {"processed":120,"total":5000,"rate":95.5,"eta_s":51,"errors":0}.
     *  The host stamps it with the job id and publishes it on topic "jobs"
     *  as {"job":id,"state":"progress","progress":{...}}. Call at most a few
     *  times a second; the host may drop or merge reports. @since 1.0 */
    erp_status (*job_progress)(erp_host_ctx* ctx, erp_job* job, const char* json, size_t len);

    /** Looks up an optional, separately versioned host service by name (e.g.
     *  "erp.foo.v1") with at least `min_version`. Returns NULL when the host
     *  does not offer it — never crashes. Returned tables begin with
     *  struct_size and live until shutdown. Host ABI 1.0 offers none yet.
     *  @since 1.0 */
    const void* (*get_extension)(erp_host_ctx* ctx, const char* name, uint32_t min_version);
} erp_host_api;

/* ------------------------------------------------------------------------ */
/* Things a plugin registers                                                */
/* ------------------------------------------------------------------------ */

/**
 * A job: work the host schedules. Ids are "<plugin id>.<name>", unique in the
 * host. The host runs a job every `interval_seconds` (0 = only on demand, e.g.
 * `erp-host run-job ID`), adds a random delay of up to `jitter_seconds` to each
 * run (remote APIs ask clients not to fire at round clock times), never runs
 * two executions of the same job at once (single-flight: a due run while one is
 * in progress is skipped, not queued), and cancels it at stop. The admin may
 * override the interval in the host config.
 */
typedef struct erp_job_def {
    uint32_t struct_size;
    const char* id;          /* NUL-terminated, copied by the host at registration */
    const char* description; /* human-readable, may be NULL; copied */
    uint32_t interval_seconds;
    uint32_t jitter_seconds;
    void* user; /* passed back to run(); owned by the plugin */
    /** Runs once. `params_json` is a JSON object ("{}" when none), borrowed.
     *  Thread: a host worker (see threading contract). Return ERP_OK,
     *  ERP_E_CANCELLED when cancellation was observed, or an error with
     *  details in `error`. Required. */
    erp_status (*run)(void* user, erp_job* job, const char* params_json, size_t params_len, erp_sink* error);
} erp_job_def;

/**
 * A validator: checks one entity given as JSON. The host exposes it to its own
 * code and at POST /api/validate/<kind>. Kinds are "<plugin id>.<entity>".
 */
typedef struct erp_validator_def {
    uint32_t struct_size;
    const char* kind; /* e.g. "emag.order"; copied */
    void* user;
    /** Writes to `problems` a JSON array of {"field","code","message"}
     *  objects; "[]" means valid. Returns ERP_OK when it could judge (valid or
     *  not), an error (e.g. ERP_E_INVALID_ARGUMENT for malformed JSON) when it
     *  could not. Thread: any, concurrently. Required. */
    erp_status (*validate)(void* user, const char* json, size_t len, erp_sink* problems, erp_sink* error);
} erp_validator_def;

/**
 * A monitoring hook: feeds the host's /metrics and /health.
 */
typedef struct erp_monitor_def {
    uint32_t struct_size;
    const char* id; /* "<plugin id>.<name>"; copied */
    void* user;
    /** Writes {"metrics":[{"name":"emag_requests_total","type":"counter"|
     *  "gauge","help":"...","labels":{"account":"ro1"},"value":12}, ...]}.
     *  Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and begin with the plugin id.
     *  Optional (NULL = no metrics). Thread: any, concurrently. */
    erp_status (*collect)(void* user, erp_sink* out, erp_sink* error);
    /** Writes {"status":"ok"|"degraded"|"down","score":0..100,"detail":{...}}.
     *  Optional (NULL = not reported). Thread: any, concurrently. */
    erp_status (*health)(void* user, erp_sink* out, erp_sink* error);
} erp_monitor_def;

/**
 * A DB mapping: one version of the plugin's schema, declared portably. The
 * host applies versions in increasing order, each in one transaction on the
 * backend the admin configured (SQLite, PostgreSQL), records it in
 * erp_schema_migrations(plugin, version, applied_at, checksum) and skips it
 * next time. Changing an applied version is an error (checksum mismatch): add
 * a new version instead. `declaration_json`:
 *
 *   {"create_tables":[{"name":"hello_c_greetings",
 *       "columns":[{"name":"id","type":"bigint","nullable":false},
 *                  {"name":"text","type":"string","size":200},
 *                  {"name":"amount","type":"decimal","precision":18,"scale":4},
 *                  {"name":"at","type":"timestamp"}],
 *       "primary_key":["id"]}],
 *    "add_columns":[{"table":"t","column":{"name":"c","type":"integer"}}],
 *    "indexes":[{"table":"t","name":"t_by_c","columns":["c"],"unique":false}],
 *    "sql":{"sqlite3":["..."],"postgresql":["..."]}}
 *
 * Types: "string" (text, or varchar(size)), "integer" (32-bit), "bigint"
 * (64-bit), "double", "decimal" (numeric(precision, scale): exact on
 * PostgreSQL, but SQLite stores it with floating-point affinity, so store
 * money as "bigint" minor units or as decimal text in a "string" to keep it
 * exact everywhere), "timestamp" (text "YYYY-MM-DDTHH:MM:SSZ", always UTC, on
 * every backend), "json" (text), "blob" (SQLite blob; on PostgreSQL SOCI 4 stores a
 * large object (oid) that deleting the row does not free: prefer base64
 * text). Table and index names must begin with the plugin id and "_".
 * "sql" is the escape hatch for what the portable form cannot say; its
 * statements run after the portable ones, for the active backend only, and a
 * backend without an entry is an error if any other backend has one.
 */
typedef struct erp_db_mapping {
    uint32_t struct_size;
    uint32_t version;             /* 1, 2, 3, ... strictly increasing */
    const char* description;      /* short text, may be NULL; copied */
    const char* declaration_json; /* NUL-terminated; copied */
} erp_db_mapping;

/** Route flags. */
#define ERP_ROUTE_ADMIN 1u /* require the admin token even for GET/HEAD */

/** An HTTP request as a route handler sees it. All strings are NUL-terminated,
 *  UTF-8 and borrowed for the duration of the handler call. */
typedef struct erp_http_request {
    uint32_t struct_size;
    const char* method;       /* "GET", "POST", ... */
    const char* path;         /* below the plugin's prefix, e.g. "/api/status" */
    const char* query;        /* raw query string without '?', "" when none */
    const char* params_json;  /* path parameters: {"id":"42"} */
    const char* headers_json; /* {"content-type":"..."}; names lower-case; the
                                 Authorization header is never passed */
    const char* body;         /* may contain NULs; not NUL-terminated */
    size_t body_len;
} erp_http_request;

/** The response a handler fills. Owned by the host; valid during the call;
 *  all three members are always provided. Defaults: status 200,
 *  Content-Type application/json. */
typedef struct erp_http_response {
    uint32_t struct_size;
    void* ctx;
    void (*set_status)(void* ctx, uint32_t status);
    /** Sets (replaces) a header; NUL-terminated, copied. */
    void (*set_header)(void* ctx, const char* name, const char* value);
    /** Appends to the body. */
    erp_sink* body;
} erp_http_response;

/**
 * An HTTP route, served by the host at /plugins/<plugin id><pattern>.
 * `pattern` is a path with {name} segments, e.g. "/api/offers/{id}/price".
 * Routes are matched before static roots; a path that matches a route with
 * another method gets 405 with an Allow header.
 * Methods other than GET and HEAD always require the admin token; GET/HEAD
 * require it when flags has ERP_ROUTE_ADMIN.
 */
typedef struct erp_route_def {
    uint32_t struct_size;
    const char* method;  /* "GET", "POST", "PUT", "PATCH", "DELETE"; copied */
    const char* pattern; /* copied */
    uint32_t flags;
    void* user;
    /** Handles one request. Return ERP_OK having set status and body; any other
     *  status makes the host answer 500 with the `error` JSON (a handler that
     *  wants a 4xx sets it and returns ERP_OK). Thread: any, concurrently.
     *  Required. */
    erp_status (*handle)(void* user, const erp_http_request* req, erp_http_response* resp, erp_sink* error);
} erp_route_def;

/** A directory of static files served at /plugins/<plugin id><url_prefix>.
 *  `directory` is absolute or relative to the plugin's manifest directory.
 *  "index.html" answers for a directory. No path may escape `directory`. */
typedef struct erp_static_def {
    uint32_t struct_size;
    const char* url_prefix; /* e.g. "/" or "/assets"; copied */
    const char* directory;  /* copied */
} erp_static_def;

/** Opaque registrar context. */
typedef struct erp_registrar_ctx erp_registrar_ctx;

/**
 * Handed to init(); valid only during init(). Each add_* copies what it needs,
 * checks required fields and struct_size, and returns ERP_E_INVALID_ARGUMENT
 * (missing callback, bad id or JSON) or ERP_E_CONFLICT (duplicate id) with
 * details in `error`. A plugin should fail init when a registration fails.
 */
typedef struct erp_registrar {
    uint32_t struct_size;
    erp_registrar_ctx* ctx;
    erp_status (*add_job)(erp_registrar_ctx* ctx, const erp_job_def* def, erp_sink* error);
    erp_status (*add_validator)(erp_registrar_ctx* ctx, const erp_validator_def* def, erp_sink* error);
    erp_status (*add_monitor)(erp_registrar_ctx* ctx, const erp_monitor_def* def, erp_sink* error);
    erp_status (*add_db_mapping)(erp_registrar_ctx* ctx, const erp_db_mapping* def, erp_sink* error);
    erp_status (*add_route)(erp_registrar_ctx* ctx, const erp_route_def* def, erp_sink* error);
    erp_status (*add_static)(erp_registrar_ctx* ctx, const erp_static_def* def, erp_sink* error);
} erp_registrar;

/* ------------------------------------------------------------------------ */
/* The plugin                                                               */
/* ------------------------------------------------------------------------ */

/** Opaque plugin instance state, created by init(). */
typedef struct erp_plugin_state erp_plugin_state;

/**
 * What a plugin is and does. The entry returns a pointer to one of these that
 * stays valid until the library is unloaded (typically a static const).
 */
typedef struct erp_plugin_api {
    uint32_t struct_size;
    /** The minimum host ABI this plugin needs: normally ERP_ABI_VERSION of the
     *  header it was built with. The host refuses a different major, and a
     *  minor above its own ("upgrade the host"); it must also equal the
     *  manifest's "abi_version". Fields a newer plugin appends beyond what
     *  the host knows are ignored. @since 1.0 */
    uint32_t abi_version;
    /** Must equal the manifest's "id": [a-z][a-z0-9_]* . @since 1.0 */
    const char* id;
    /** Must equal the manifest's "version". @since 1.0 */
    const char* version;
    /**
     * Creates the plugin instance. `config_json` is the plugin's own section
     * of the host config as a JSON object, "{}" when there is none (secrets
     * are not in it: the config names env variables or files), already
     * checked against the manifest's config_schema. Register everything through `registrar`
     * here. On success set *state (may be NULL). On failure write details to
     * `error` and release everything: shutdown is not called. Required.
     */
    erp_status (*init)(const erp_host_api* host, const char* config_json, size_t config_len,
                       const erp_registrar* registrar, erp_plugin_state** state, erp_sink* error);
    /** Begins background work (threads, connections). Database tables exist.
     *  Optional. */
    erp_status (*start)(erp_plugin_state* state, erp_sink* error);
    /** Stops background work; running jobs were already cancelled and drained.
     *  Must return promptly. Optional. */
    erp_status (*stop)(erp_plugin_state* state, erp_sink* error);
    /** Frees the instance; joins every thread the plugin started. Required. */
    void (*shutdown)(erp_plugin_state* state);

    /* Optional fields follow the required ones, so a plugin may declare a
     * struct_size that ends right after `shutdown`. */

    /** Build fingerprint, free text (compiler, C++ library), for diagnostics;
     *  may be NULL. @since 1.0 */
    const char* build_info;
} erp_plugin_api;

/**
 * The one exported symbol. Called once, first, on the host's control thread.
 * `host_abi_version` is the host's ERP_ABI_VERSION: a plugin must return
 * ERP_E_VERSION (with a message naming both versions in `error`) when the
 * major differs from its own. On ERP_OK, *out_api points at the plugin's
 * description. Must not start threads or allocate anything that needs freeing.
 */
typedef erp_status (*erp_plugin_entry_fn)(uint32_t host_abi_version, const erp_plugin_api** out_api, erp_sink* error);

ERP_PLUGIN_EXPORT erp_status erp_plugin_entry(uint32_t host_abi_version, const erp_plugin_api** out_api,
                                              erp_sink* error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ERP_PLUGIN_H */
