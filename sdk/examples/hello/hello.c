/* hello.c: a publisher plugin that logs each event id at debug level (the example
   of sdk/docs/ABI.md, built from the installed SDK by sdk/examples/hello). */
#include <productgraph/publisher.h>

#include <stdlib.h>
#include <string.h>

typedef struct hello {
    const pgraph_host *host; /* valid until destroy returns */
} hello;

static const pgraph_env_var hello_variables[] = {
    {sizeof(pgraph_env_var), 0, "HELLO_ENABLED", "false", "true switches hello on", PGRAPH_VAR_STRING, 0, 0, 0, NULL},
};

/* Copies text into a host buffer, truncating and always terminating it. */
static void copy_text(char *buffer, size_t capacity, const char *text)
{
    size_t n = strlen(text);
    if (buffer == NULL || capacity == 0) return;
    if (n > capacity - 1) n = capacity - 1;
    memcpy(buffer, text, n);
    buffer[n] = '\0';
}

static pgraph_status hello_create(const pgraph_create_args *args, void **instance, char *error, size_t error_capacity)
{
    hello *self = calloc(1, sizeof *self);
    if (self == NULL) {
        copy_text(error, error_capacity, "out of memory");
        return PGRAPH_FATAL;
    }
    self->host = args->host;
    *instance = self;
    return PGRAPH_OK;
}

static pgraph_status hello_publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result)
{
    const hello *self = instance;
    const pgraph_host *host = self->host;
    size_t i;
    (void)result; /* nothing to report: every event is delivered */
    if (!host->log_enabled(host->context, PGRAPH_LOG_DEBUG)) return PGRAPH_OK;
    for (i = 0; i < batch->event_count; ++i) {
        const pgraph_event *event = pgraph_batch_event(batch, i); /* honours the stride */
        host->log(host->context, PGRAPH_LOG_DEBUG, event->event_id.ptr, event->event_id.len);
    }
    return PGRAPH_OK;
}

static void hello_destroy(void *instance)
{
    free(instance);
}

static const pgraph_publisher_descriptor hello_descriptor = {
    sizeof(pgraph_publisher_descriptor),
    PGRAPH_ABI_MAJOR,
    PGRAPH_ABI_MINOR,
    0, /* min_host_minor: works with every 1.x host */
    "hello",
    "1.0.0",
    "logs each event id at debug level",
    0,   /* flags: off unless HELLO_ENABLED=true */
    500, /* max_batch_events */
    0,   /* max_batch_bytes: no limit */
    "HELLO_ENABLED",
    hello_variables,
    sizeof hello_variables / sizeof hello_variables[0],
    sizeof(pgraph_env_var),
    hello_create,
    hello_publish,
    NULL, /* flush: nothing buffered */
    hello_destroy,
    NULL, /* handle_request: no admin endpoints */
};

PGRAPH_EXPORT const pgraph_publisher_descriptor *pgraph_publisher_entry_v1(const pgraph_negotiation *negotiation)
{
    if (negotiation->host_abi_major != PGRAPH_ABI_MAJOR) {
        copy_text(negotiation->error, negotiation->error_capacity, "hello is built for ABI major 1");
        return NULL;
    }
    return &hello_descriptor;
}
