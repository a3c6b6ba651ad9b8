// One publish call's work: format the batch, pack it into requests, send them and act on each answer.
#ifndef PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_DELIVERY_HPP
#define PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_DELIVERY_HPP

#include "amplitude_client.hpp"
#include "amplitude_format.hpp"

#include <productgraph/publisher.h>
#include <productgraph/publisher.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace productgraph::amplitude {

/// What a delivery needs to know besides the events.
struct DeliverySettings {
    std::string api_key;
    int min_id_length = 1;
    RequestLimits limits;
    std::chrono::milliseconds request_timeout{10'000};
    std::chrono::milliseconds throttle_retry{30'000};
    /// At most this many HTTP requests per publish (splits and re-sends included);
    /// events not sent by then are left to the host's retry.
    std::size_t max_requests = 64;
    /// How often events that a 429 did not throttle are sent again within one publish.
    int max_resends = 2;
    /// A request is started only with at least this much time left before the deadline.
    std::chrono::milliseconds min_request_time{50};
};

/// The per-event result the host will read.
struct EventOutcome {
    pgraph_event_status status = PGRAPH_EVENT_RETRY;
    std::string reason;
    std::int64_t retry_after_ms = 0;  // a throttled event's own delay (host ABI 1.1)
};

/// Everything publish reports back.
struct DeliveryReport {
    pgraph_status status = PGRAPH_OK;
    std::vector<EventOutcome> events;  // one per batch event, in batch order
    std::int64_t retry_after_ms = 0;   // the throttle delay when throttled events wait
    std::int32_t http_status = 0;      // Amplitude's last status, 0 when none
    std::string message;               // a one-line summary; never holds the API key
    std::size_t requests_sent = 0;
};

/// Sends one request body with a timeout; AmplitudeClient::post in the plugin.
using SendRequest = std::function<HttpReply(const std::string &body, std::chrono::milliseconds timeout)>;
/// The wall clock in Unix milliseconds (the host's now_unix_ms in the plugin).
using UnixClock = std::function<std::int64_t()>;

/// Delivers `events` (attempt `attempt` of their batch): formats each, rejects those
/// that can never be sent, packs the rest into requests within the limits and sends
/// them one after another. 2xx marks a
/// request's events OK; 413 (and a 400 naming no event) halves the request and sends
/// both halves, a single event being rejected; the events a 429 did not throttle are
/// sent again at once, up to max_resends times; every other answer marks events
/// REJECT or RETRY as classify_response says. Stops at the first fatal answer, after
/// max_requests requests, or when less than min_request_time is left before
/// `deadline_unix_ms` (0 = none), leaving unsent events RETRY. Each request's timeout
/// is capped by the time left. Logs each answer at debug level through `log`, and
/// every change made to an event (truncation) on the first attempt only, so that a
/// retried event is not reported again.
DeliveryReport deliver(std::span<const EventView> events, std::uint32_t attempt, const DeliverySettings &settings,
                       std::int64_t deadline_unix_ms, const UnixClock &now, const SendRequest &send,
                       const pgraph::HostLog &log);

}  // namespace productgraph::amplitude

#endif  // PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_DELIVERY_HPP
