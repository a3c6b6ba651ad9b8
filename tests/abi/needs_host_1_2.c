/* needs_host_1_2.c: a plugin built against today's header that relies on ABI 1.2
 * (typed variables the host must check), so it sets min_host_minor = 2; a 1.1 host
 * must be refused cleanly at negotiation. */
#include <productgraph/publisher_util.h>

static const pgraph_env_var variables[] = {
    PGRAPH_TYPED_VARIABLE("NEEDS_HOST_1_2_MODE", 0, "fast", "fast or safe", PGRAPH_VAR_ENUM, 0, 0, "fast|safe"),
};

static pgraph_status create(const pgraph_create_args *args, void **instance, char *error, size_t capacity)
{
    (void)error;
    (void)capacity;
    *instance = (void *)args->host;
    return PGRAPH_OK;
}

static pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result)
{
    (void)instance;
    (void)batch;
    (void)result;
    return PGRAPH_OK;
}

static void destroy(void *instance)
{
    (void)instance;
}

PGRAPH_DEFINE_PLUGIN(.min_host_minor = 2, .name = "needs_host_1_2", .version = "1.0.0",
                     .description = "needs a 1.2 host", .max_batch_events = 10,
                     .enable_variable = "NEEDS_HOST_1_2_ENABLED", .env_vars = variables,
                     .env_var_count = PGRAPH_COUNT(variables), .create = create, .publish = publish, .destroy = destroy)
