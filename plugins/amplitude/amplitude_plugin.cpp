// The Amplitude plugin's descriptor, entry point and C functions: the only code here that speaks the ABI.
#include "amplitude_client.hpp"
#include "amplitude_config.hpp"
#include "amplitude_delivery.hpp"
#include "amplitude_format.hpp"
#include "amplitude_verify.hpp"

#include <productgraph/publisher.h>
#include <productgraph/publisher.hpp>

#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace productgraph::amplitude {
namespace {

struct Instance {
    Instance(const pgraph_host *host_table, const AmplitudeSettings &settings)
        : host(host_table), log(host_table), client(settings.endpoint, settings.connect_timeout)
    {
        delivery.api_key = settings.api_key;
        delivery.min_id_length = settings.min_id_length;
        delivery.limits = limits_of(settings.api);
        delivery.request_timeout = settings.timeout;
        delivery.throttle_retry = settings.throttle_retry;
    }

    const pgraph_host *host;  // valid until destroy returns
    pgraph::HostLog log;
    AmplitudeClient client;
    DeliverySettings delivery;
};

Instance &instance_of(void *instance) noexcept
{
    return *static_cast<Instance *>(instance);
}

// The event's fields, each read only when the host's struct holds it.
EventView view_of(const pgraph_event &e)
{
    EventView view;
    const auto text = [&](bool present, pgraph_str s) { return present ? pgraph::view(s) : std::string_view{}; };
    view.event_id = text(PGRAPH_HAS_FIELD(&e, pgraph_event, event_id), e.event_id);
    view.type = text(PGRAPH_HAS_FIELD(&e, pgraph_event, type), e.type);
    view.name = text(PGRAPH_HAS_FIELD(&e, pgraph_event, name), e.name);
    view.user_id = text(PGRAPH_HAS_FIELD(&e, pgraph_event, user_id), e.user_id);
    view.device_id = text(PGRAPH_HAS_FIELD(&e, pgraph_event, device_id), e.device_id);
    view.session_id = text(PGRAPH_HAS_FIELD(&e, pgraph_event, session_id), e.session_id);
    view.client_ip = text(PGRAPH_HAS_FIELD(&e, pgraph_event, client_ip), e.client_ip);
    view.user_agent = text(PGRAPH_HAS_FIELD(&e, pgraph_event, user_agent), e.user_agent);
    view.timestamp_ms = PGRAPH_HAS_FIELD(&e, pgraph_event, timestamp_ms) ? e.timestamp_ms : 0;
    view.json = text(PGRAPH_HAS_FIELD(&e, pgraph_event, json), e.json);
    return view;
}

pgraph_status create(const pgraph_create_args *args, void **instance, char *error, std::size_t error_capacity) noexcept
{
    return pgraph::guard(PGRAPH_FATAL, error, error_capacity, [&] {
        const SettingsResult result = read_settings(*args);
        const auto *settings = std::get_if<AmplitudeSettings>(&result);
        if (settings == nullptr) {
            pgraph::copy_text(error, error_capacity, *std::get_if<std::string>(&result));
            return PGRAPH_FATAL;
        }
        auto created = std::make_unique<Instance>(args->host, *settings);
        if (created->log.enabled(PGRAPH_LOG_DEBUG)) {
            const std::string api = settings->api == Api::batch ? "batch" : "httpapi";
            created->log.debug("amplitude: posting to " + api + " with min_id_length " +
                               std::to_string(settings->min_id_length));
        }
        *instance = created.release();
        return PGRAPH_OK;
    });
}

pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    // Whatever went wrong inside (out of memory, say) may pass: ask for a retry.
    return pgraph::guard(PGRAPH_RETRY, result->message, result->message_capacity, [&] {
        Instance &self = instance_of(instance);
        std::vector<EventView> events;
        events.reserve(batch->event_count);
        for (std::size_t i = 0; i < batch->event_count; ++i) events.push_back(view_of(*pgraph_batch_event(batch, i)));

        const std::int64_t deadline =
            PGRAPH_HAS_FIELD(batch, pgraph_batch, deadline_unix_ms) ? batch->deadline_unix_ms : 0;
        const pgraph_host *host = self.host;
        const DeliveryReport report = deliver(
            events, batch->attempt, self.delivery, deadline, [host] { return host->now_unix_ms(host->context); },
            [&self](const std::string &body, std::chrono::milliseconds timeout) {
                return self.client.post(body, timeout);
            },
            self.log);

        // The host pre-fills RETRY; on PARTIAL every entry is read, so each is written.
        // A 1.1 host takes the throttle delay per event, so only throttled events wait
        // 30 s; a 1.0 host gets it for the whole result, as before.
        bool delays_per_event = false;
        if (report.status == PGRAPH_PARTIAL) {
            for (std::size_t i = 0; i < report.events.size(); ++i) {
                pgraph::set_event_result(result, i, report.events[i].status, report.events[i].reason);
                if (report.events[i].retry_after_ms > 0) {
                    delays_per_event = pgraph::set_event_retry_after(result, i, report.events[i].retry_after_ms);
                }
            }
        }
        if (PGRAPH_HAS_FIELD(result, pgraph_publish_result, retry_after_ms)) {
            result->retry_after_ms = delays_per_event ? 0 : report.retry_after_ms;
        }
        if (PGRAPH_HAS_FIELD(result, pgraph_publish_result, http_status)) result->http_status = report.http_status;
        pgraph::copy_text(result->message, result->message_capacity, report.message);
        return report.status;
    });
}

// The key check at start-up: an empty request that Amplitude refuses only for a bad key.
pgraph_status verify(void *instance, std::int64_t deadline_unix_ms, char *reason, std::size_t reason_capacity) noexcept
{
    return pgraph::guard(PGRAPH_RETRY, reason, reason_capacity, [&] {
        Instance &self = instance_of(instance);
        const std::int64_t left = deadline_unix_ms - self.host->now_unix_ms(self.host->context);
        const auto timeout =
            std::clamp(std::chrono::milliseconds(left), std::chrono::milliseconds(1), self.delivery.request_timeout);
        const HttpReply reply =
            self.client.post(credential_check_body(self.delivery.api_key, self.delivery.min_id_length), timeout);
        const CredentialCheck check = classify_credential_check(reply, self.delivery.api_key);
        pgraph::copy_text(reason, reason_capacity, check.reason);
        switch (check.verdict) {
        case CredentialCheck::Verdict::accepted: return PGRAPH_OK;
        case CredentialCheck::Verdict::refused: return PGRAPH_FATAL;
        case CredentialCheck::Verdict::inconclusive: break;
        }
        return PGRAPH_RETRY;
    });
}

// ~Instance releases the curl handle; nothing in it throws.
void destroy(void *instance) noexcept
{
    delete static_cast<Instance *>(instance);
}

constexpr pgraph_publisher_descriptor descriptor{
    .struct_size = sizeof(pgraph_publisher_descriptor),
    .abi_major = PGRAPH_ABI_MAJOR,
    .abi_minor = PGRAPH_ABI_MINOR,
    .min_host_minor = 0,
    .name = "amplitude",
    .version = "1.0.0",
    .description = "Forwards events to Amplitude (HTTP V2 or Batch Event Upload API)",
    .flags = PGRAPH_PLUGIN_ANALYTICS_PROVIDER,
    .max_batch_events = 2000,
    // The host counts canonical event JSON; an Amplitude request must stay under
    // 1,000,000 bytes with its wire fields added, and publish splits further if needed.
    .max_batch_bytes = 800'000,
    .enable_variable = enable_variable,
    .env_vars = declared_variables,
    .env_var_count = std::size(declared_variables),
    .env_var_size = sizeof(pgraph_env_var),
    .create = create,
    .publish = publish,
    .flush = nullptr,
    .destroy = destroy,
    .handle_request = nullptr,
    .verify = verify,
};

}  // namespace
}  // namespace productgraph::amplitude

extern "C" PGRAPH_EXPORT const pgraph_publisher_descriptor *
pgraph_publisher_entry_v1(const pgraph_negotiation *negotiation)
{
    return pgraph::negotiate(productgraph::amplitude::descriptor, negotiation);
}
