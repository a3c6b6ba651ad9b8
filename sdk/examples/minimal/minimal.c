/* minimal.c: the smallest useful publisher: logs "<MINIMAL_PREFIX> <type> <event_id>" per event. */
#include <productgraph/publisher_util.h>

typedef struct minimal {
    const pgraph_host *host;
    char prefix[64];
} minimal; /* host: valid until destroy */

static const pgraph_env_var variables[] = {
    PGRAPH_VARIABLE("MINIMAL_PREFIX", 0, "event", "word logged before each event"),
};

static pgraph_status minimal_create(const pgraph_create_args *args, void **instance, char *error, size_t capacity)
{
    minimal *self = calloc(1, sizeof *self);
    const pgraph_str prefix = pgraph_config_value(args, "MINIMAL_PREFIX"); /* lent: copy it */
    if (self == NULL) return pgraph_fail(error, capacity, "minimal: out of memory");
    self->host = args->host;
    pgraph_copy_bytes(self->prefix, sizeof self->prefix, prefix.ptr, prefix.len);
    *instance = self;
    return PGRAPH_OK;
}

static pgraph_status minimal_publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result)
{
    const minimal *self = instance;
    (void)result; /* PGRAPH_OK says it all: every event delivered */
    for (size_t i = 0; i < batch->event_count; ++i) {
        const pgraph_event *e = pgraph_batch_event(batch, i); /* honours the host's stride */
        pgraph_logf(self->host, PGRAPH_LOG_INFO, "%s %.*s %.*s", self->prefix, PGRAPH_STR_ARGS(e->type),
                    PGRAPH_STR_ARGS(e->event_id));
    }
    return PGRAPH_OK;
}

static void minimal_destroy(void *instance)
{
    free(instance);
}

PGRAPH_DEFINE_PLUGIN(.name = "minimal", .version = "1.0.0", .description = "logs each event", .max_batch_events = 500,
                     .enable_variable = "MINIMAL_ENABLED", .env_vars = variables, .destroy = minimal_destroy,
                     .env_var_count = PGRAPH_COUNT(variables), .create = minimal_create, .publish = minimal_publish)
