// Talking to Amplitude: one reused libcurl handle per instance, and what each answer means.
#ifndef PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_CLIENT_HPP
#define PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_CLIENT_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace productgraph::amplitude {

/// What came back from one POST.
struct HttpReply {
    long status = 0;              // the HTTP status; 0 when no answer came (refused, timeout, TLS)
    std::string body;             // the response body, at most max_reply_bytes of it
    std::string transport_error;  // why there was no answer, when status is 0
    std::chrono::milliseconds latency{0};
};

/// What one event of a request needs after Amplitude answered.
enum class EventAction : std::uint8_t {
    reject,    // can never be ingested: drop it (with a reason)
    retry,     // not ingested; the host sends it again after its backoff
    throttle,  // throttled: the host sends it again after the throttle delay
    resend,    // not ingested through no fault of its own: send it again now
};

/// How a whole request was answered.
enum class Outcome : std::uint8_t {
    delivered,  // 2xx: every event ingested
    retry,      // 5xx, 408, timeout, connection failure: every event to the host's backoff
    throttled,  // 429 that names no event: every event waits the throttle delay
    rejected,   // 403 and other 4xx that no retry can fix: every event dropped
    split,      // 413, or a 400 that names no event: halve the request and send both halves
    fatal,      // the key or the endpoint is wrong: the instance cannot work
    per_event,  // 400/429 that name events: `actions` says what each one needs
};

/// The classification of one answer.
struct Verdict {
    Outcome outcome = Outcome::retry;
    std::string reason;                // one line for logs and results; never holds the API key
    std::vector<EventAction> actions;  // per_event: one per event of the request, in request order
    std::vector<std::string> reasons;  // per_event: why each rejected event was rejected
};

/// The ids an event was sent with; 429 bodies name users and devices, not indexes.
struct SentIdentity {
    std::string_view user_id;
    std::string_view device_id;
};

/// Classifies an answer by HTTP status first and only then by the JSON body
/// (providers.md §1.5 and §5): 2xx delivered; 400 with missing_field or an
/// "Invalid API key" error, 401 and 404 fatal; other 400s reject the events listed in
/// events_with_invalid_fields, events_with_missing_fields, events_with_invalid_id_lengths
/// and silenced_events, throttle throttled_events and retry the rest (split when it names
/// none); 413 split; 429 rejects events whose user or device is over its daily quota,
/// throttles throttled_events (or the events of throttled_users/devices) and resends the
/// rest; 403 and other 4xx rejected; 408, 5xx, no answer and anything else retried.
/// `events` holds the identities of the request's events in request order; `api_key`
/// is removed from every text taken from the body.
Verdict classify_response(const HttpReply &reply, std::span<const SentIdentity> events, std::string_view api_key);

/// `text` with every occurrence of `secret` replaced by "[redacted]".
std::string redact(std::string_view text, std::string_view secret);

/// A response body fit for a log line: secret removed, control characters replaced
/// and cut to `max_bytes` (with "…" when cut).
std::string loggable_body(std::string_view body, std::string_view secret, std::size_t max_bytes = 512);

/// Response bodies are kept up to this size; Amplitude's are small JSON objects.
inline constexpr std::size_t max_reply_bytes = 4 * 1024 * 1024;

/// POSTs JSON bodies to one URL over a single libcurl easy handle, reused so that the
/// connection (and TLS session) stays open between requests. TLS peer and host
/// verification stay on; no signals are used. Not thread-safe: one per instance,
/// used only from the instance's worker thread.
class AmplitudeClient {
public:
    /// Throws std::runtime_error when libcurl cannot be set up.
    AmplitudeClient(std::string url, std::chrono::milliseconds connect_timeout);
    ~AmplitudeClient();
    AmplitudeClient(const AmplitudeClient &) = delete;
    AmplitudeClient &operator=(const AmplitudeClient &) = delete;

    /// Sends `body` and waits at most `timeout` (at least 1 ms) for the whole exchange.
    HttpReply post(const std::string &body, std::chrono::milliseconds timeout);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace productgraph::amplitude

#endif  // PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_CLIENT_HPP
