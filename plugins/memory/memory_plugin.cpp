// The memory plugin's descriptor, entry point and C functions: the only code here that speaks the ABI.
#include "memory_admin.hpp"
#include "memory_config.hpp"
#include "memory_store.hpp"

#include <productgraph/publisher.h>
#include <productgraph/publisher.hpp>

#include <iterator>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace productgraph::memory {
namespace {

struct Instance {
    explicit Instance(std::size_t max_events) : store(max_events) {}
    MemoryStore store;
};

Instance &instance_of(void *instance) noexcept
{
    return *static_cast<Instance *>(instance);
}

pgraph_status create(const pgraph_create_args *args, void **instance, char *error, std::size_t error_capacity) noexcept
{
    return pgraph::guard(PGRAPH_FATAL, error, error_capacity, [&] {
        const SettingsResult result = read_settings(*args);
        const auto *settings = std::get_if<MemorySettings>(&result);
        if (settings == nullptr) {
            pgraph::copy_text(error, error_capacity, *std::get_if<std::string>(&result));
            return PGRAPH_FATAL;
        }
        *instance = new Instance(settings->max_events);
        return PGRAPH_OK;
    });
}

pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    // Running out of memory is the only failure here, and it may pass: ask for a retry.
    return pgraph::guard(PGRAPH_RETRY, result->message, result->message_capacity, [&] {
        std::vector<EventToStore> events;
        events.reserve(batch->event_count);
        // The batch is lent for this call only: add() copies every field it keeps.
        for (std::size_t i = 0; i < batch->event_count; ++i) {
            const pgraph_event *event = pgraph_batch_event(batch, i);
            events.push_back(EventToStore{pgraph::view(event->json), pgraph::view(event->type),
                                          pgraph::view(event->user_id), pgraph::view(event->session_id)});
        }
        instance_of(instance).store.add(events);
        return PGRAPH_OK;
    });
}

// Nothing in here can throw: ~Instance only frees memory.
void destroy(void *instance) noexcept
{
    delete static_cast<Instance *>(instance);
}

void handle_request(void *instance, const pgraph_request *request, pgraph_response *response) noexcept
{
    const pgraph_status status = pgraph::guard(PGRAPH_FATAL, nullptr, 0, [&] {
        answer_request(instance_of(instance).store, *request, *response);
        return PGRAPH_OK;
    });
    // answer_request throws only before its first append, so the body is still empty.
    if (status != PGRAPH_OK) answer_error(*response, 500, "internal error");
}

constexpr pgraph_publisher_descriptor descriptor{
    .struct_size = sizeof(pgraph_publisher_descriptor),
    .abi_major = PGRAPH_ABI_MAJOR,
    .abi_minor = PGRAPH_ABI_MINOR,
    .min_host_minor = 0,
    .name = "memory",
    .version = "1.0.0",
    .description = "Keeps the newest events in memory and serves them under /v1/plugins/memory/",
    .flags = PGRAPH_PLUGIN_ENABLED_BY_DEFAULT,
    .max_batch_events = 1000,
    .max_batch_bytes = 0,
    .enable_variable = enable_variable,
    .env_vars = declared_variables,
    .env_var_count = std::size(declared_variables),
    .env_var_size = sizeof(pgraph_env_var),
    .create = create,
    .publish = publish,
    .flush = nullptr,
    .destroy = destroy,
    .handle_request = handle_request,
    .verify = nullptr,
};

}  // namespace
}  // namespace productgraph::memory

extern "C" PGRAPH_EXPORT const pgraph_publisher_descriptor *
pgraph_publisher_entry_v1(const pgraph_negotiation *negotiation)
{
    return pgraph::negotiate(productgraph::memory::descriptor, negotiation);
}
