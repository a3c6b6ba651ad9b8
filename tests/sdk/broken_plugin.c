/* broken_plugin.c: breaks the ABI on purpose, so that productgraph-plugin-check is seen
 * to fail it: it exports a second symbol, accepts any ABI major, indexes the per-event
 * results with [] instead of the host's stride, and leaves a reason unterminated. */
#include <productgraph/publisher_util.h>

PGRAPH_EXPORT int broken_plugin_extra_symbol = 1; /* a second export */

static pgraph_status broken_create(const pgraph_create_args *args, void **instance, char *error, size_t capacity)
{
    (void)error;
    (void)capacity;
    *instance = (void *)args->host;
    return PGRAPH_OK;
}

static pgraph_status broken_publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result)
{
    (void)instance;
    for (size_t i = 0; i < batch->event_count; ++i) {
        pgraph_event_result *entry = &result->events[i]; /* ignores event_result_size */
        entry->status = PGRAPH_EVENT_REJECT;
        memset(entry->reason, 'x', sizeof entry->reason); /* no terminating NUL */
    }
    return batch->event_count > 0 ? PGRAPH_PARTIAL : PGRAPH_OK;
}

static void broken_destroy(void *instance)
{
    (void)instance;
}

static const pgraph_publisher_descriptor descriptor = {.struct_size = sizeof(pgraph_publisher_descriptor),
                                                       .abi_major = PGRAPH_ABI_MAJOR,
                                                       .abi_minor = PGRAPH_ABI_MINOR,
                                                       .name = "broken",
                                                       .version = "0.0.1",
                                                       .description = "breaks the ABI on purpose",
                                                       .max_batch_events = 100,
                                                       .enable_variable = "BROKEN_ENABLED",
                                                       .create = broken_create,
                                                       .publish = broken_publish,
                                                       .destroy = broken_destroy};

PGRAPH_EXPORT const pgraph_publisher_descriptor *pgraph_publisher_entry_v1(const pgraph_negotiation *negotiation)
{
    (void)negotiation; /* never refuses, whatever the major */
    return &descriptor;
}
