/* Proves publisher.h is strict C99: a tiny plugin that touches every type, macro and
 * inline helper, compiled with -std=c99 -pedantic -Werror (syntax only). */
#include <productgraph/publisher.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct c_instance {
    const pgraph_host *host;
    uint64_t published;
} c_instance;

static c_instance the_instance;

static const pgraph_env_var c_env_vars[] = {
    {sizeof(pgraph_env_var), PGRAPH_ENV_REQUIRED | PGRAPH_ENV_SECRET, "C_TOKEN", NULL, "a required secret",
     PGRAPH_VAR_STRING, 0, 0, 0, NULL},
    {sizeof(pgraph_env_var), 0, "C_ENABLED", "true", "switch", PGRAPH_VAR_BOOL, 0, 0, 0, NULL},
};

static void copy_reason(char *buffer, size_t capacity, const char *text)
{
    size_t n = strlen(text);
    if (buffer == NULL || capacity == 0) return;
    if (n > capacity - 1) n = capacity - 1;
    memcpy(buffer, text, n);
    buffer[n] = '\0';
}

static pgraph_status c_create(const pgraph_create_args *args, void **instance, char *error, size_t error_capacity)
{
    size_t i;
    const char *base = (const char *)args->config;
    for (i = 0; i < args->config_count; ++i) {
        const pgraph_config_entry *entry = (const pgraph_config_entry *)(base + i * args->config_entry_size);
        pgraph_str name = entry->name;
        pgraph_str value = entry->value;
        if (name.len == 7 && memcmp(name.ptr, "C_TOKEN", 7) == 0 && value.len == 0) {
            copy_reason(error, error_capacity, "C_TOKEN is required");
            return PGRAPH_FATAL;
        }
    }
    the_instance.host = args->host;
    if (PGRAPH_HAS_FIELD(args->host, pgraph_host, log) && args->host->log != NULL &&
        args->host->log_enabled(args->host->context, PGRAPH_LOG_INFO)) {
        args->host->log(args->host->context, PGRAPH_LOG_INFO, "created", 7);
    }
    *instance = &the_instance;
    return PGRAPH_OK;
}

static pgraph_status c_publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result)
{
    c_instance *self = (c_instance *)instance;
    pgraph_status status = PGRAPH_OK;
    size_t i;
    int64_t now = self->host->now_unix_ms(self->host->context);
    int64_t started = self->host->monotonic_ms(self->host->context);
    if (now > batch->deadline_unix_ms || batch->attempt > 10u) {
        result->retry_after_ms = 1000;
        result->http_status = 503;
        copy_reason(result->message, result->message_capacity, "late");
        return PGRAPH_RETRY;
    }
    for (i = 0; i < batch->event_count; ++i) {
        const pgraph_event *event = pgraph_batch_event(batch, i);
        pgraph_event_result *slot = pgraph_event_result_at(result, i);
        pgraph_event_status verdict = PGRAPH_EVENT_OK;
        if (event->json.len == 0 || event->timestamp_ms > event->received_ms) {
            verdict = PGRAPH_EVENT_REJECT;
            status = PGRAPH_PARTIAL;
            copy_reason(slot->reason, sizeof slot->reason, "empty");
        } else if (event->event_id.len == 0 || event->type.len + event->name.len + event->user_id.len +
                                                       event->device_id.len + event->session_id.len +
                                                       event->client_ip.len + event->user_agent.len ==
                                                   0) {
            verdict = PGRAPH_EVENT_RETRY;
            status = PGRAPH_PARTIAL;
        }
        slot->status = verdict;
    }
    self->published += batch->event_count;
    (void)started;
    return status == PGRAPH_OK && batch->event_count == 0 ? PGRAPH_REJECT : status;
}

static pgraph_status c_flush(void *instance, int64_t deadline_unix_ms)
{
    (void)instance;
    (void)deadline_unix_ms;
    return PGRAPH_OK;
}

static void c_destroy(void *instance)
{
    ((c_instance *)instance)->published = 0;
}

static void c_handle_request(void *instance, const pgraph_request *request, pgraph_response *response)
{
    static const char body[] = "{\"ok\":true}";
    (void)instance;
    if (request->method.len != 3 || request->path.len == 0 || request->query.len > 1000) {
        response->status = 404;
    }
    response->content_type = "application/json";
    response->append_body(response->context, body, sizeof body - 1);
}

static const pgraph_publisher_descriptor c_descriptor = {
    sizeof(pgraph_publisher_descriptor),
    PGRAPH_ABI_MAJOR,
    PGRAPH_ABI_MINOR,
    0,
    "c_example",
    "1.0.0",
    "compiles as C99",
    PGRAPH_PLUGIN_ANALYTICS_PROVIDER | PGRAPH_PLUGIN_ENABLED_BY_DEFAULT,
    PGRAPH_REASON_CAPACITY,
    0,
    "C_ENABLED",
    c_env_vars,
    sizeof c_env_vars / sizeof c_env_vars[0],
    sizeof(pgraph_env_var),
    c_create,
    c_publish,
    c_flush,
    c_destroy,
    c_handle_request,
    NULL, /* verify */
};

PGRAPH_EXPORT const pgraph_publisher_descriptor *pgraph_publisher_entry_v1(const pgraph_negotiation *negotiation)
{
    pgraph_publisher_entry_v1_fn self_check = pgraph_publisher_entry_v1;
    (void)self_check;
    if (negotiation->host_abi_major != PGRAPH_ABI_MAJOR) {
        copy_reason(negotiation->error, negotiation->error_capacity, PGRAPH_PUBLISHER_ENTRY_SYMBOL);
        return NULL;
    }
    return negotiation->host_abi_minor >= c_descriptor.min_host_minor ? &c_descriptor : NULL;
}
