/* Optional C99 helpers for writing a publisher plugin against publisher.h: config
 * lookup, bounded copies into the host's buffers, printf-style logging, per-event
 * results, and one macro that writes the descriptor and the entry point.
 *
 * Everything is `static inline` or a macro built on publisher.h alone, so using it
 * adds no symbol to the plugin and changes nothing in the ABI. C++ authors want
 * publisher.hpp instead (the descriptor macro below uses C99 designated initialisers,
 * which C++ only takes in declaration order). */
#ifndef PRODUCTGRAPH_PUBLISHER_UTIL_H
#define PRODUCTGRAPH_PUBLISHER_UTIL_H

#include <productgraph/publisher.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define PGRAPH_PRINTF_FORMAT(format_index, first_argument) __attribute__((format(printf, format_index, first_argument)))
#else
#define PGRAPH_PRINTF_FORMAT(format_index, first_argument)
#endif

/* The number of elements of a static array, as the uint32_t the descriptor wants. */
#define PGRAPH_COUNT(array) ((uint32_t)(sizeof(array) / sizeof((array)[0])))

/* printf arguments for a pgraph_str: printf("%.*s", PGRAPH_STR_ARGS(s)). */
#define PGRAPH_STR_ARGS(s) (int)((s).len), ((s).ptr != NULL ? (s).ptr : "")

/* ---- Bounded copies into host buffers (error, reason, message) ---------------- */

/* Copies `len` bytes of text into a buffer of `capacity` bytes, truncating and
 * always NUL-terminating. Does nothing when buffer is NULL or capacity is 0. */
static inline void pgraph_copy_bytes(char *buffer, size_t capacity, const char *text, size_t len)
{
    if (buffer == NULL || capacity == 0) return;
    if (len > capacity - 1) len = capacity - 1;
    if (len > 0) memcpy(buffer, text, len);
    buffer[len] = '\0';
}

/* The same for a NUL-terminated text (NULL counts as empty). */
static inline void pgraph_copy_text(char *buffer, size_t capacity, const char *text)
{
    pgraph_copy_bytes(buffer, capacity, text != NULL ? text : "", text != NULL ? strlen(text) : 0);
}

/* Writes `reason` into create's error buffer and returns PGRAPH_FATAL, for
 * `return pgraph_fail(error, capacity, "X_URL: must be set");`. Never put a secret in it. */
static inline pgraph_status pgraph_fail(char *error, size_t capacity, const char *reason)
{
    pgraph_copy_text(error, capacity, reason);
    return PGRAPH_FATAL;
}

/* printf into a buffer of `capacity` bytes, truncating and always NUL-terminating. */
static inline void pgraph_format_text(char *buffer, size_t capacity, const char *format, ...)
    PGRAPH_PRINTF_FORMAT(3, 4);
static inline void pgraph_format_text(char *buffer, size_t capacity, const char *format, ...)
{
    va_list arguments;
    if (buffer == NULL || capacity == 0) return;
    va_start(arguments, format);
    if (vsnprintf(buffer, capacity, format, arguments) < 0) buffer[0] = '\0';
    va_end(arguments);
}

/* ---- Configuration ------------------------------------------------------------ */

/* The value create received for variable `name`, or an empty view (ptr NULL) when
 * the host passed none. Honours the host's element size. Valid during create only. */
static inline pgraph_str pgraph_config_value(const pgraph_create_args *args, const char *name)
{
    const size_t name_len = strlen(name);
    size_t i;
    pgraph_str absent;
    absent.ptr = NULL;
    absent.len = 0;
    if (args == NULL || args->config == NULL) return absent;
    for (i = 0; i < args->config_count; ++i) {
        const pgraph_config_entry *entry =
            (const pgraph_config_entry *)((const char *)args->config + i * args->config_entry_size);
        if (entry->name.len == name_len && memcmp(entry->name.ptr, name, name_len) == 0) return entry->value;
    }
    return absent;
}

/* A malloc'd NUL-terminated copy of the value of `name` (free it), `fallback` copied
 * when it is absent, or NULL when both are absent or memory ran out. */
static inline char *pgraph_config_strdup(const pgraph_create_args *args, const char *name, const char *fallback)
{
    const pgraph_str value = pgraph_config_value(args, name);
    const char *text = value.ptr != NULL ? value.ptr : fallback;
    const size_t len = value.ptr != NULL ? value.len : (fallback != NULL ? strlen(fallback) : 0);
    char *copy;
    if (text == NULL) return NULL;
    copy = (char *)malloc(len + 1);
    if (copy != NULL) pgraph_copy_bytes(copy, len + 1, text, len);
    return copy;
}

/* The value of `name` as a decimal integer, or `fallback` when it is absent or not
 * one. A typed variable (PGRAPH_VAR_INTEGER, PGRAPH_VAR_DURATION_MS) was checked by
 * the host already. */
static inline int64_t pgraph_config_int(const pgraph_create_args *args, const char *name, int64_t fallback)
{
    const pgraph_str value = pgraph_config_value(args, name);
    char digits[32];
    char *end = NULL;
    long long number;
    if (value.ptr == NULL || value.len == 0 || value.len >= sizeof digits) return fallback;
    pgraph_copy_bytes(digits, sizeof digits, value.ptr, value.len); /* views are not NUL-terminated */
    number = strtoll(digits, &end, 10);
    return end != NULL && *end == '\0' ? (int64_t)number : fallback;
}

/* ---- Logging through the host ---------------------------------------------------- */

/* Non-zero when a line at `level` would be written (skip costly formatting). */
static inline int pgraph_log_enabled(const pgraph_host *host, int32_t level)
{
    return host->log_enabled == NULL || host->log_enabled(host->context, level) != 0;
}

/* Writes one printf-formatted log line (cut at 1023 bytes) attributed to the plugin.
 * Formats nothing when the level is off. Plugins never write to stdout or stderr. */
static inline void pgraph_logf(const pgraph_host *host, int32_t level, const char *format, ...)
    PGRAPH_PRINTF_FORMAT(3, 4);
static inline void pgraph_logf(const pgraph_host *host, int32_t level, const char *format, ...)
{
    char line[1024];
    va_list arguments;
    int written;
    if (host->log == NULL || !pgraph_log_enabled(host, level)) return;
    va_start(arguments, format);
    written = vsnprintf(line, sizeof line, format, arguments);
    va_end(arguments);
    if (written < 0) return;
    host->log(host->context, level, line, (size_t)written < sizeof line ? (size_t)written : sizeof line - 1);
}

/* ---- Publish results ---------------------------------------------------------------- */

/* Marks event `i` of a PARTIAL result with a status and a reason (NULL: none). */
static inline void pgraph_set_event_result(pgraph_publish_result *result, size_t i, pgraph_event_status status,
                                           const char *reason)
{
    pgraph_event_result *entry = pgraph_event_result_at(result, i);
    entry->status = status;
    pgraph_copy_text(entry->reason, sizeof entry->reason, reason);
}

/* Asks for event `i` to be retried no sooner than `milliseconds` (ABI 1.1). Returns 0,
 * writing nothing, on a 1.0 host: use result->retry_after_ms then. */
static inline int pgraph_set_event_retry_after(pgraph_publish_result *result, size_t i, int64_t milliseconds)
{
    if (!PGRAPH_EVENT_RESULT_HAS_RETRY_AFTER(result)) return 0;
    pgraph_event_result_at(result, i)->retry_after_ms = milliseconds;
    return 1;
}

/* printf into result->message, the one-line summary the host logs and shows. */
static inline void pgraph_set_message(pgraph_publish_result *result, const char *format, ...)
    PGRAPH_PRINTF_FORMAT(2, 3);
static inline void pgraph_set_message(pgraph_publish_result *result, const char *format, ...)
{
    va_list arguments;
    if (result->message == NULL || result->message_capacity == 0) return;
    va_start(arguments, format);
    if (vsnprintf(result->message, result->message_capacity, format, arguments) < 0) result->message[0] = '\0';
    va_end(arguments);
}

/* ---- Negotiation, descriptor and entry point ------------------------------------------ */

/* The body of every entry point: hands out `descriptor` to a host of the same ABI
 * major and at least the descriptor's min_host_minor, or refuses with a reason naming
 * both versions (an old host would refuse the descriptor anyway; this says why). */
static inline const pgraph_publisher_descriptor *pgraph_negotiate(const pgraph_publisher_descriptor *descriptor,
                                                                  const pgraph_negotiation *negotiation)
{
    const int writable = negotiation != NULL && PGRAPH_HAS_FIELD(negotiation, pgraph_negotiation, error_capacity);
    if (negotiation == NULL || !PGRAPH_HAS_FIELD(negotiation, pgraph_negotiation, host_abi_minor)) return NULL;
    if (negotiation->host_abi_major != PGRAPH_ABI_MAJOR) {
        if (writable) {
            pgraph_format_text(negotiation->error, negotiation->error_capacity,
                               "%s plugin speaks ABI major %d, the host speaks %u", descriptor->name, PGRAPH_ABI_MAJOR,
                               (unsigned)negotiation->host_abi_major);
        }
        return NULL;
    }
    if (negotiation->host_abi_minor < descriptor->min_host_minor) {
        if (writable) {
            pgraph_format_text(negotiation->error, negotiation->error_capacity,
                               "%s plugin needs host ABI 1.%u or newer, the host speaks 1.%u", descriptor->name,
                               (unsigned)descriptor->min_host_minor, (unsigned)negotiation->host_abi_minor);
        }
        return NULL;
    }
    return descriptor;
}

/* One declared variable, as a pgraph_env_var initialiser (a plain string). */
#define PGRAPH_VARIABLE(name_, flags_, default_, description_)                                                         \
    {                                                                                                                  \
        sizeof(pgraph_env_var), (flags_), (name_), (default_), (description_), PGRAPH_VAR_STRING, 0, 0, 0, NULL        \
    }

/* One declared variable with a type the host checks before create (ABI 1.2):
 * PGRAPH_VAR_BOOL/INTEGER/DURATION_MS/URL/ENUM, the inclusive range (both 0: none)
 * and, for ENUM, the '|'-separated allowed values. */
#define PGRAPH_TYPED_VARIABLE(name_, flags_, default_, description_, type_, min_, max_, allowed_)                      \
    {                                                                                                                  \
        sizeof(pgraph_env_var), (flags_), (name_), (default_), (description_), (type_), 0, (min_), (max_), (allowed_)  \
    }

/* Defines the plugin's static descriptor and its exported entry point. Pass the
 * fields that are yours as designated initialisers; the macro fills struct_size,
 * abi_major, abi_minor and env_var_size:
 *
 *   PGRAPH_DEFINE_PLUGIN(.name = "hello", .version = "1.0.0", .description = "...",
 *                        .max_batch_events = 500, .enable_variable = "HELLO_ENABLED",
 *                        .env_vars = vars, .env_var_count = PGRAPH_COUNT(vars),
 *                        .create = hello_create, .publish = hello_publish,
 *                        .destroy = hello_destroy)
 *
 * Fields left out are zero or NULL: min_host_minor 0 (any 1.x host), no flags, no
 * byte limit, and no flush, handle_request or verify. */
#define PGRAPH_DEFINE_PLUGIN(...)                                                                                      \
    static const pgraph_publisher_descriptor pgraph_plugin_descriptor = {.struct_size =                                \
                                                                             sizeof(pgraph_publisher_descriptor),      \
                                                                         .abi_major = PGRAPH_ABI_MAJOR,                \
                                                                         .abi_minor = PGRAPH_ABI_MINOR,                \
                                                                         .env_var_size = sizeof(pgraph_env_var),       \
                                                                         __VA_ARGS__};                                 \
    PGRAPH_EXPORT const pgraph_publisher_descriptor *pgraph_publisher_entry_v1(const pgraph_negotiation *negotiation)  \
    {                                                                                                                  \
        return pgraph_negotiate(&pgraph_plugin_descriptor, negotiation);                                               \
    }

#endif /* PRODUCTGRAPH_PUBLISHER_UTIL_H */
