/* legacy_1_0.c: a plugin written against the frozen ABI 1.0 header beside it (copied
 * verbatim from before "ABI 1.1"), built in every CI run to prove that today's host
 * still loads and runs what 1.0 authors shipped. It keeps the ids it was given and
 * the value of LEGACY_NOTE, a 1.0 (untyped) variable, and shows them under
 * GET /v1/plugins/legacy/events. Only 1.0 names are used here, on purpose. */
#include <productgraph/publisher.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if PGRAPH_ABI_MINOR != 0
#error "legacy_1_0.c must be built against the frozen 1.0 header"
#endif

typedef struct legacy {
    pthread_mutex_t lock; /* handle_request runs beside publish */
    char note[64];
    char ids[4096]; /* "a","b",... as JSON */
} legacy;

static const pgraph_env_var legacy_variables[] = {
    {sizeof(pgraph_env_var), 0, "LEGACY_ENABLED", "true", "switch"},
    {sizeof(pgraph_env_var), 0, "LEGACY_NOTE", "not a url|nor an enum", "any text; 1.0 has no types"},
};

static void copy_text(char *buffer, size_t capacity, const char *text, size_t len)
{
    if (buffer == NULL || capacity == 0) return;
    if (len > capacity - 1) len = capacity - 1;
    memcpy(buffer, text, len);
    buffer[len] = '\0';
}

static pgraph_status legacy_create(const pgraph_create_args *args, void **instance, char *error, size_t capacity)
{
    legacy *self = calloc(1, sizeof *self);
    size_t i;
    if (self == NULL) {
        copy_text(error, capacity, "out of memory", 13);
        return PGRAPH_FATAL;
    }
    pthread_mutex_init(&self->lock, NULL);
    for (i = 0; i < args->config_count; ++i) {
        const pgraph_config_entry *entry =
            (const pgraph_config_entry *)((const char *)args->config + i * args->config_entry_size);
        if (entry->name.len == 11 && memcmp(entry->name.ptr, "LEGACY_NOTE", 11) == 0) {
            copy_text(self->note, sizeof self->note, entry->value.ptr, entry->value.len);
        }
    }
    *instance = self;
    return PGRAPH_OK;
}

static pgraph_status legacy_publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result)
{
    legacy *self = instance;
    size_t i;
    (void)result;
    pthread_mutex_lock(&self->lock);
    for (i = 0; i < batch->event_count; ++i) {
        const pgraph_event *event = pgraph_batch_event(batch, i);
        const size_t used = strlen(self->ids);
        if (used + event->event_id.len + 4 >= sizeof self->ids) break;
        snprintf(self->ids + used, sizeof self->ids - used, "%s\"%.*s\"", used > 0 ? "," : "",
                 (int)event->event_id.len, event->event_id.ptr);
    }
    pthread_mutex_unlock(&self->lock);
    return PGRAPH_OK;
}

static void legacy_answer(void *instance, const pgraph_request *request, pgraph_response *response)
{
    legacy *self = instance;
    char body[4300];
    if (request->path.len != 7 || memcmp(request->path.ptr, "/events", 7) != 0) {
        response->status = 404;
        response->append_body(response->context, "{\"error\":\"not found\"}", 21);
        return;
    }
    pthread_mutex_lock(&self->lock);
    snprintf(body, sizeof body, "{\"note\":\"%s\",\"events\":[%s]}", self->note, self->ids);
    pthread_mutex_unlock(&self->lock);
    response->append_body(response->context, body, strlen(body));
}

static void legacy_destroy(void *instance)
{
    legacy *self = instance;
    pthread_mutex_destroy(&self->lock);
    free(self);
}

static const pgraph_publisher_descriptor legacy_descriptor = {
    sizeof(pgraph_publisher_descriptor),
    PGRAPH_ABI_MAJOR,
    PGRAPH_ABI_MINOR,
    0,
    "legacy",
    "1.0.0",
    "a plugin built against the frozen ABI 1.0 header",
    PGRAPH_PLUGIN_ENABLED_BY_DEFAULT,
    100,
    0,
    "LEGACY_ENABLED",
    legacy_variables,
    sizeof legacy_variables / sizeof legacy_variables[0],
    sizeof(pgraph_env_var),
    legacy_create,
    legacy_publish,
    NULL,
    legacy_destroy,
    legacy_answer,
};

PGRAPH_EXPORT const pgraph_publisher_descriptor *pgraph_publisher_entry_v1(const pgraph_negotiation *negotiation)
{
    if (negotiation->host_abi_major != PGRAPH_ABI_MAJOR) {
        copy_text(negotiation->error, negotiation->error_capacity, "legacy speaks ABI major 1", 25);
        return NULL;
    }
    return &legacy_descriptor;
}
