/* ProductGraph publisher plugin C ABI, major version 1.
 *
 * This header is the whole contract between productgraphd (the host) and a
 * publisher plugin (a shared library that forwards events to one provider).
 * It is C99 and depends only on <stdint.h> and <stddef.h>, so plugins can be
 * written in C, C++, Rust, Zig or anything else that speaks the C ABI.
 *
 * Rules that keep it stable (see sdk/docs/ABI.md for the full promise):
 *  - The only exported symbol is pgraph_publisher_entry_v1. A future major
 *    version gets a new entry name; the host may load both.
 *  - Every struct starts with `uint32_t struct_size` and only ever grows at the
 *    end. A reader uses a field only when it fits inside struct_size
 *    (PGRAPH_HAS_FIELD). Arrays of structs carry their element size (a
 *    "stride") so that elements can grow too.
 *  - A NULL function pointer means "not implemented".
 *  - Status numbers are never reused or renumbered.
 *  - Strings are (pointer, length) views in UTF-8, not NUL-terminated unless
 *    a field says so.
 *  - No C++ exception, longjmp, exit() or signal crosses this boundary.
 */
#ifndef PRODUCTGRAPH_PUBLISHER_H
#define PRODUCTGRAPH_PUBLISHER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PGRAPH_ABI_MAJOR 1
#define PGRAPH_ABI_MINOR 0

/* The name the host looks up; carries the major version on purpose. */
#define PGRAPH_PUBLISHER_ENTRY_SYMBOL "pgraph_publisher_entry_v1"

#if defined(_WIN32)
#define PGRAPH_EXPORT __declspec(dllexport)
#else
#define PGRAPH_EXPORT __attribute__((visibility("default")))
#endif

/* True when `field` lies wholly inside a struct whose struct_size is `s->struct_size`. */
#define PGRAPH_HAS_FIELD(s, type, field) \
    ((s)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* ---- Status codes --------------------------------------------------------- */

/* Result of create, publish and flush. Never renumbered. */
typedef int32_t pgraph_status;
/* Every event in the batch was delivered (or is a harmless duplicate). */
#define PGRAPH_OK 0
/* Some events differ: the host reads each entry of pgraph_publish_result.events. */
#define PGRAPH_PARTIAL 1
/* Nothing was delivered; send the whole batch again later (429, 5xx, timeout,
 * connection refused). retry_after_ms, when non-zero, is the earliest retry. */
#define PGRAPH_RETRY 2
/* The whole batch can never be delivered (e.g. a 400 for the payload); the host
 * drops every event in it with a log line and counts them as rejected. */
#define PGRAPH_REJECT 3
/* The instance cannot work at all (bad API key, revoked account). The host stops
 * feeding it and reports it failed with the message; other plugins go on. */
#define PGRAPH_FATAL 4

/* Per-event result, used when a publish returns PGRAPH_PARTIAL. */
typedef int32_t pgraph_event_status;
#define PGRAPH_EVENT_OK 0
#define PGRAPH_EVENT_RETRY 1
#define PGRAPH_EVENT_REJECT 2

/* Log levels for pgraph_host.log. */
#define PGRAPH_LOG_DEBUG 0
#define PGRAPH_LOG_INFO 1
#define PGRAPH_LOG_WARN 2
#define PGRAPH_LOG_ERROR 3

/* ---- Small shared types ---------------------------------------------------- */

/* A borrowed UTF-8 string. ptr may be NULL only when len is 0. */
typedef struct pgraph_str {
    const char *ptr;
    size_t len;
} pgraph_str;

/* A configuration value handed to create: the variable name and its value. */
typedef struct pgraph_config_entry {
    uint32_t struct_size;
    uint32_t reserved0; /* zero; names the padding */
    pgraph_str name;
    pgraph_str value;
} pgraph_config_entry;

/* ---- Negotiation ----------------------------------------------------------- */

/* Host -> plugin, valid only during the entry call. */
typedef struct pgraph_negotiation {
    uint32_t struct_size;
    uint32_t host_abi_major;
    uint32_t host_abi_minor;
    uint32_t reserved0; /* zero; names the padding */
    /* Host-provided buffer for a NUL-terminated reason when the entry refuses. */
    char *error;
    size_t error_capacity;
} pgraph_negotiation;

/* ---- Environment variables a plugin declares -------------------------------- */

/* The host refuses to start when an enabled plugin lacks this variable. */
#define PGRAPH_ENV_REQUIRED 0x1u
/* The value is never logged or shown in admin output. */
#define PGRAPH_ENV_SECRET 0x2u

/* One environment variable the plugin reads. Static storage, owned by the plugin.
 * The host reads the environment (plugins never call getenv), applies the
 * default, checks `required`, and passes the values to create. */
typedef struct pgraph_env_var {
    uint32_t struct_size;
    uint32_t flags;            /* PGRAPH_ENV_* bits */
    const char *name;          /* NUL-terminated, e.g. "AMPLITUDE_API_KEY" */
    const char *default_value; /* NUL-terminated, or NULL for "no default" */
    const char *description;   /* NUL-terminated one-line help text */
} pgraph_env_var;

/* ---- The host table ------------------------------------------------------- */

/* Host -> plugin, passed to create and valid until destroy returns.
 * Every function is thread-safe and may be called from any plugin thread. */
typedef struct pgraph_host {
    uint32_t struct_size;
    uint32_t abi_minor; /* the host's minor version */
    void *context;      /* pass back as the first argument of every call below */
    /* Writes one log line attributed to this plugin instance; msg is copied. */
    void (*log)(void *context, int32_t level, const char *msg, size_t len);
    /* Non-zero when a line at `level` would be written (skip costly formatting). */
    int32_t (*log_enabled)(void *context, int32_t level);
    /* Wall clock, milliseconds since the Unix epoch. */
    int64_t (*now_unix_ms)(void *context);
    /* Monotonic clock in milliseconds, for timeouts. */
    int64_t (*monotonic_ms)(void *context);
} pgraph_host;

/* ---- Events and batches ---------------------------------------------------- */

/* One accepted event, already validated and normalised by the host. Plugins never
 * re-validate. Every view is host-owned and valid only during the publish call;
 * copy what you keep. Empty views mean "absent". */
typedef struct pgraph_event {
    uint32_t struct_size;
    uint32_t reserved0;    /* zero; keeps the 64-bit fields aligned */
    pgraph_str event_id;   /* the client's event_id: the dedupe key downstream */
    pgraph_str type;       /* event.type, e.g. "ui.click" */
    pgraph_str name;       /* event.name, or empty */
    pgraph_str user_id;    /* user.id, or empty */
    pgraph_str device_id;  /* device.id, or empty */
    pgraph_str session_id; /* session.id */
    pgraph_str client_ip;  /* peer address, or X-Forwarded-For from a trusted proxy */
    pgraph_str user_agent; /* User-Agent header of the request, or empty */
    int64_t timestamp_ms;  /* event.timestamp as Unix milliseconds (UTC) */
    int64_t received_ms;   /* when the host accepted it, Unix milliseconds */
    pgraph_str json;       /* the canonical compact JSON object as accepted */
} pgraph_event;

/* A batch handed to publish. Host-owned, valid only during the call. */
typedef struct pgraph_batch {
    uint32_t struct_size;
    uint32_t attempt;          /* 1 on the first try, 2 on the first retry, ... */
    const pgraph_event *events;
    size_t event_count;
    uint32_t event_size;       /* stride of `events`: use pgraph_batch_event() */
    uint32_t reserved0;
    int64_t deadline_unix_ms;  /* publish should return by then (give up = RETRY) */
} pgraph_batch;

/* The i-th event of a batch, honouring the host's element size. */
static inline const pgraph_event *pgraph_batch_event(const pgraph_batch *batch, size_t i)
{
    return (const pgraph_event *)((const char *)batch->events + i * batch->event_size);
}

/* ---- Publish results -------------------------------------------------------- */

/* Capacity of an event result's reason, including the terminating NUL. */
#define PGRAPH_REASON_CAPACITY 128

/* Host-allocated, plugin-written. The host pre-fills status with
 * PGRAPH_EVENT_RETRY and an empty reason, so an event the plugin forgets to
 * mark is re-sent, never lost. */
typedef struct pgraph_event_result {
    uint32_t struct_size;
    pgraph_event_status status;
    char reason[PGRAPH_REASON_CAPACITY]; /* NUL-terminated, e.g. "invalid user_id" */
} pgraph_event_result;

/* Host-allocated, plugin-written; what publish says beyond its status. */
typedef struct pgraph_publish_result {
    uint32_t struct_size;
    uint32_t event_result_size; /* stride of `events`: use pgraph_event_result_at() */
    pgraph_event_result *events; /* batch->event_count entries, read on PARTIAL */
    int64_t retry_after_ms;      /* with RETRY or PARTIAL: earliest retry, 0 = host policy */
    int32_t http_status;         /* last provider status, 0 when none; for the admin view */
    uint32_t reserved0;
    char *message;               /* host buffer for a NUL-terminated summary/reason */
    size_t message_capacity;
} pgraph_publish_result;

/* The i-th per-event result, honouring the host's element size. */
static inline pgraph_event_result *pgraph_event_result_at(pgraph_publish_result *result, size_t i)
{
    return (pgraph_event_result *)((char *)result->events + i * result->event_result_size);
}

/* ---- Creation --------------------------------------------------------------- */

/* Host -> plugin, valid only during create (copy what you keep), except `host`,
 * which stays valid until destroy returns. */
typedef struct pgraph_create_args {
    uint32_t struct_size;
    uint32_t reserved0;
    const pgraph_host *host;
    /* One entry per declared variable that has a value (set or defaulted). */
    const pgraph_config_entry *config;
    size_t config_count;
    uint32_t config_entry_size; /* stride of `config` */
    uint32_t reserved1;
} pgraph_create_args;

/* ---- Read-only admin requests ------------------------------------------------ */

/* GET /v1/plugins/<name>/<path>?<query>, host-owned, valid during the call. */
typedef struct pgraph_request {
    uint32_t struct_size;
    uint32_t reserved0;
    pgraph_str method; /* "GET" */
    pgraph_str path;   /* the part after /v1/plugins/<name>, e.g. "/events" */
    pgraph_str query;  /* the raw query string without '?', percent-encoded */
} pgraph_request;

/* Host-provided response sink. The plugin sets status (default 200) and
 * content_type (default application/json; a static NUL-terminated string) and
 * appends the body in as many pieces as it likes; the host copies each piece. */
typedef struct pgraph_response {
    uint32_t struct_size;
    int32_t status;
    const char *content_type;
    void *context;
    void (*append_body)(void *context, const char *data, size_t len);
} pgraph_response;

/* ---- The descriptor ----------------------------------------------------------- */

/* The plugin counts as an analytics provider: it runs only when ANALYTICS_ENABLED
 * is true as well as its own enable variable. */
#define PGRAPH_PLUGIN_ANALYTICS_PROVIDER 0x1u
/* The plugin runs when its enable variable is unset (the memory store does). */
#define PGRAPH_PLUGIN_ENABLED_BY_DEFAULT 0x2u

/* Plugin -> host, static storage owned by the plugin, never freed. */
typedef struct pgraph_publisher_descriptor {
    uint32_t struct_size;
    uint32_t abi_major;      /* must equal the host's major: PGRAPH_ABI_MAJOR */
    uint32_t abi_minor;      /* the minor the plugin was built against */
    uint32_t min_host_minor; /* the oldest host minor it can work with */
    const char *name;        /* NUL-terminated, [a-z0-9_-]+, unique: "amplitude" */
    const char *version;     /* NUL-terminated plugin version, e.g. "1.2.0" */
    const char *description; /* NUL-terminated one-line summary */
    uint32_t flags;          /* PGRAPH_PLUGIN_* bits */
    uint32_t max_batch_events; /* at most this many events per publish (>= 1) */
    uint64_t max_batch_bytes;  /* sum of event json lengths per publish; 0 = no limit */
    /* NUL-terminated name of the variable that switches the plugin on, e.g.
     * "AMPLITUDE_ENABLED" (true/false). */
    const char *enable_variable;
    const pgraph_env_var *env_vars; /* declared variables, static */
    uint32_t env_var_count;
    uint32_t env_var_size;          /* stride of env_vars: sizeof(pgraph_env_var) */

    /* Creates one instance. Control thread; never concurrent with anything on the
     * same plugin's other calls for that instance. On failure returns non-OK,
     * writes a NUL-terminated reason into error and leaves *instance untouched.
     * Secrets from config must never be copied into `error`. Required. */
    pgraph_status (*create)(const pgraph_create_args *args, void **instance,
                            char *error, size_t error_capacity);

    /* Delivers a batch. Called from the instance's own worker thread, never
     * concurrently on one instance; different instances run in parallel. May
     * block, but should return by batch->deadline_unix_ms. The batch and its
     * views are lent for the call; write results only into `result`. Required. */
    pgraph_status (*publish)(void *instance, const pgraph_batch *batch,
                             pgraph_publish_result *result);

    /* Pushes out anything the plugin buffers internally, by deadline_unix_ms.
     * Worker thread, after the last publish at shutdown. Optional (NULL). */
    pgraph_status (*flush)(void *instance, int64_t deadline_unix_ms);

    /* Frees the instance and everything it owns; joins its own threads first.
     * Control thread, after the last publish/flush/handle_request returned.
     * Never fails. Required. */
    void (*destroy)(void *instance);

    /* Answers a read-only GET under /v1/plugins/<name>/. Called from HTTP
     * threads, possibly concurrently with publish and with itself: the plugin
     * synchronises its own state. Must not block on the network. Optional. */
    void (*handle_request)(void *instance, const pgraph_request *request,
                           pgraph_response *response);
} pgraph_publisher_descriptor;

/* The single exported entry point. The host calls it once after loading, on the
 * control thread. Return a pointer to a static descriptor, or NULL to refuse
 * (writing a NUL-terminated reason into negotiation->error). */
typedef const pgraph_publisher_descriptor *(*pgraph_publisher_entry_v1_fn)(
    const pgraph_negotiation *negotiation);

PGRAPH_EXPORT const pgraph_publisher_descriptor *pgraph_publisher_entry_v1(
    const pgraph_negotiation *negotiation);

#ifdef __cplusplus
}
#endif

#endif /* PRODUCTGRAPH_PUBLISHER_H */
