// The Mixpanel plugin's descriptor, entry point and C functions: the only code here that speaks the ABI.
#include "mixpanel_config.hpp"
#include "mixpanel_delivery.hpp"

#include <productgraph/publisher.h>
#include <productgraph/publisher.hpp>

#include <iterator>
#include <memory>
#include <string>
#include <variant>

namespace productgraph::mixpanel {
namespace {

Delivery &delivery_of(void *instance) noexcept
{
    return *static_cast<Delivery *>(instance);
}

pgraph_status create(const pgraph_create_args *args, void **instance, char *error, std::size_t error_capacity) noexcept
{
    return pgraph::guard(PGRAPH_FATAL, error, error_capacity, [&] {
        if (args == nullptr || args->host == nullptr) {
            pgraph::copy_text(error, error_capacity, "mixpanel: create needs the host table");
            return PGRAPH_FATAL;
        }
        SettingsResult result = read_settings(*args);
        auto *settings = std::get_if<MixpanelSettings>(&result);
        if (settings == nullptr) {
            pgraph::copy_text(error, error_capacity, *std::get_if<std::string>(&result));
            return PGRAPH_FATAL;
        }
        *instance = new Delivery(std::move(*settings), *args->host);
        return PGRAPH_OK;
    });
}

pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    // Nothing is known to be delivered when something throws (out of memory): retry.
    return pgraph::guard(PGRAPH_RETRY, result->message, result->message_capacity, [&] {
        const DeliveryReport report = delivery_of(instance).publish(*batch);
        if (report.status == PGRAPH_PARTIAL) {
            // The host pre-fills RETRY; delivered events must be marked OK explicitly.
            for (std::size_t i = 0; i < report.events.size(); ++i) {
                pgraph::set_event_result(result, i, report.events[i].status, report.events[i].reason);
            }
        }
        result->retry_after_ms = report.retry_after_ms;
        result->http_status = report.http_status;
        pgraph::copy_text(result->message, result->message_capacity, report.message);
        return report.status;
    });
}

// The credential check at start-up: an empty /import request (nothing for /track).
pgraph_status verify(void *instance, std::int64_t deadline_unix_ms, char *reason, std::size_t reason_capacity) noexcept
{
    return pgraph::guard(PGRAPH_RETRY, reason, reason_capacity, [&] {
        const CredentialCheck check = delivery_of(instance).verify(deadline_unix_ms);
        pgraph::copy_text(reason, reason_capacity, check.reason);
        switch (check.verdict) {
        case CredentialCheck::Verdict::accepted: return PGRAPH_OK;
        case CredentialCheck::Verdict::refused: return PGRAPH_FATAL;
        case CredentialCheck::Verdict::inconclusive: break;
        }
        return PGRAPH_RETRY;
    });
}

// Nothing in here can throw: ~Delivery frees memory and the curl handle.
void destroy(void *instance) noexcept
{
    delete static_cast<Delivery *>(instance);
}

constexpr pgraph_publisher_descriptor descriptor{
    .struct_size = sizeof(pgraph_publisher_descriptor),
    .abi_major = PGRAPH_ABI_MAJOR,
    .abi_minor = PGRAPH_ABI_MINOR,
    .min_host_minor = 0,
    .name = "mixpanel",
    .version = "1.0.0",
    .description = "Forwards events to Mixpanel's ingestion API (/import, or /track)",
    .flags = PGRAPH_PLUGIN_ANALYTICS_PROVIDER,
    .max_batch_events = static_cast<std::uint32_t>(max_events_per_request),
    // The host weighs the events' own JSON; ours is somewhat larger, so stay well
    // under Mixpanel's 2 MiB and let the plugin split whatever still does not fit.
    .max_batch_bytes = 1'500'000,
    .enable_variable = enable_variable,
    .env_vars = declared_variables,
    .env_var_count = std::size(declared_variables),
    .env_var_size = sizeof(pgraph_env_var),
    .create = create,
    .publish = publish,
    .flush = nullptr,  // nothing is buffered between publish calls
    .destroy = destroy,
    .handle_request = nullptr,
    .verify = verify,
};

}  // namespace
}  // namespace productgraph::mixpanel

extern "C" PGRAPH_EXPORT const pgraph_publisher_descriptor *
pgraph_publisher_entry_v1(const pgraph_negotiation *negotiation)
{
    return pgraph::negotiate(productgraph::mixpanel::descriptor, negotiation);
}
