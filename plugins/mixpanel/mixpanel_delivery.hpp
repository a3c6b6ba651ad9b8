// One publish call, start to end: format the batch, cut it into requests, send them,
// and turn Mixpanel's answers into per-event results and a status for the host.
#ifndef PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_DELIVERY_HPP
#define PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_DELIVERY_HPP

#include "mixpanel_client.hpp"
#include "mixpanel_config.hpp"
#include "mixpanel_format.hpp"
#include "mixpanel_verify.hpp"

#include <productgraph/publisher.h>
#include <productgraph/publisher.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace productgraph::mixpanel {

/// The longest base delay between retries (providers.md §2.5: "double up to 60 s").
inline constexpr std::int64_t max_retry_delay_ms = 60'000;

/// The delay to ask for before the next try of a batch that failed on try `attempt`
/// (1 = the first): initial_ms × 2^(attempt − 1), at most 60 s, plus a jitter of
/// initial_ms × [0.5, 2.5) picked by `unit` in [0, 1). With the default 2 s that is
/// Mixpanel's advice: start at 2 s, double up to 60 s, add 1–5 s of jitter.
std::int64_t retry_backoff_ms(std::uint32_t attempt, std::int64_t initial_ms, double unit);

/// The outcome of one event.
struct EventResult {
    pgraph_event_status status = PGRAPH_EVENT_RETRY;
    std::string reason;
};

/// What publish tells the host.
struct DeliveryReport {
    pgraph_status status = PGRAPH_RETRY;
    std::vector<EventResult> events;  ///< one per batch event, read by the host on PARTIAL
    std::int64_t retry_after_ms = 0;  ///< our backoff (or Retry-After) whenever events are left to retry
    std::int32_t http_status = 0;     ///< the last HTTP status Mixpanel answered, 0 if none
    std::string message;              ///< a one-line summary; never holds a secret
};

/// Delivers batches for one plugin instance. Used from the instance's worker thread only.
class Delivery {
public:
    /// `host` must stay valid for the life of the Delivery (the ABI keeps it valid
    /// until destroy). Throws when libcurl cannot be set up.
    Delivery(MixpanelSettings settings, const pgraph_host &host);

    /// Sends every event of `batch`, returning by batch.deadline_unix_ms (requests
    /// not sent by then are left to retry). A 413 halves the request and sends both
    /// halves; 429, 5xx and network errors stop the call and leave the unsent events
    /// to retry; 401/403 make it FATAL. Each request is sent at most once per call
    /// except for 413 halving, so the call ends after at most 2 × events requests.
    DeliveryReport publish(const pgraph_batch &batch);

    /// Checks the credentials with an empty request (none for /track), answering by
    /// deadline_unix_ms; the reason never holds a secret.
    CredentialCheck verify(std::int64_t deadline_unix_ms);

private:
    struct Pending;
    Pending format_batch(const pgraph_batch &batch, DeliveryReport &report) const;
    void settle_failed_records(const RequestSpan &span, const std::vector<FailedRecord> &failed, const Pending &pending,
                               DeliveryReport &report) const;
    void log_exchange(const RequestSpan &span, std::size_t body_bytes, std::size_t sent_bytes,
                      const HttpReply &reply) const;
    std::string redact(std::string text) const;
    std::int64_t now_unix_ms() const;

    MixpanelSettings settings_;
    const pgraph_host &host_;
    pgraph::HostLog log_;
    MixpanelClient client_;
    std::mt19937_64 random_;
};

}  // namespace productgraph::mixpanel

#endif  // PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_DELIVERY_HPP
