// ProductGraph events → Amplitude HTTP V2 / Batch request bodies. Pure: no I/O, no clock.
#ifndef PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_FORMAT_HPP
#define PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_FORMAT_HPP

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace productgraph::amplitude {

/// Amplitude's limit on every string value (providers.md §1.3). Longer strings are
/// cut to this many characters (Unicode code points), never rejected.
inline constexpr std::size_t max_string_chars = 1024;

/// One event as the formatter reads it. The views belong to the caller and must
/// outlive the call; empty means absent. Mirrors pgraph_event.
struct EventView {
    std::string_view event_id;
    std::string_view type;
    std::string_view name;
    std::string_view user_id;
    std::string_view device_id;
    std::string_view session_id;
    std::string_view client_ip;
    std::string_view user_agent;
    std::int64_t timestamp_ms = 0;
    std::string_view json;  // the canonical event object, as the host accepted it
};

/// One event in Amplitude's shape, or the reason it can never be sent.
struct FormattedEvent {
    std::string json;                // the compact event object; empty when rejected
    std::string reject_reason;       // non-empty when the event cannot be sent at all
    std::string user_id;             // as sent (empty when not sent): 429 quota maps are keyed by it
    std::string device_id;           // as sent (empty when not sent)
    std::vector<std::string> notes;  // what was changed on the way (truncations), for a log line

    bool sendable() const { return reject_reason.empty(); }
};

/// Formats one event (product-spec §3 and providers.md §1.3):
/// event_type by the mapping; user_id unless empty or a placeholder; device_id from
/// device.id, or from session.id when the event has neither a usable user id nor a
/// device id; time = timestamp_ms; insert_id = event_id; session_id = session_number();
/// ip; user_agent; event_properties = property_name() of every member of the JSON plus
/// the metadata keys as they are (an event field wins over a metadata key of the same
/// name). Every string is cut to max_string_chars characters, with a note.
/// Canonical compact JSON takes a one-pass path (amplitude_canonical_format.hpp); the
/// rest takes format_event_with_dom(). Both give the same bytes.
FormattedEvent format_event(const EventView &event);

/// format_event() into `out`, whose buffers are cleared and reused: a caller that keeps
/// its FormattedEvents from batch to batch formats without allocating.
void format_event_into(const EventView &event, FormattedEvent &out);

/// format_event() through a RapidJSON DOM: reads any JSON RapidJSON reads.
FormattedEvent format_event_with_dom(const EventView &event);

/// True for an id Amplitude refuses or folds together (providers.md §1.3): empty, or
/// one of anonymous, nil, none, null, n/a, na, undefined, unknown, "", {}, lmy47d, 0,
/// -1, the all-zero UUID, compared without regard to case.
bool is_placeholder_id(std::string_view id);

/// Amplitude's integer session_id for our string session id: the number itself when
/// the id is all ASCII digits and fits an int64, else session_hash(); -1 when empty.
std::int64_t session_number(std::string_view session_id);

/// A stable hash in [1, 2^53 - 1], safe as a JavaScript number: FNV-1a 64 over the
/// UTF-8 bytes, masked to its low 53 bits, with 0 mapped to 1.
std::int64_t session_hash(std::string_view session_id);

/// How many bytes of `text` to keep so that it holds at most `max_chars` Unicode
/// characters, never cutting a UTF-8 sequence.
std::size_t truncated_size(std::string_view text, std::size_t max_chars);

/// What one request may hold (providers.md §1.4): at most max_events events, and a
/// serialized body strictly smaller than max_body_bytes ("MB" read as decimal).
struct RequestLimits {
    std::size_t max_events = 2000;
    std::size_t max_body_bytes = 1'000'000;
};

/// The fixed parts of a request body {"api_key":…,"events":[…],"options":{…}}.
class RequestEnvelope {
public:
    RequestEnvelope(std::string_view api_key, int min_id_length);

    /// The body size for `count` events whose objects total `event_bytes` bytes.
    std::size_t body_size(std::size_t event_bytes, std::size_t count) const;

    /// The request body holding the events at `indexes`, in that order.
    std::string body(const std::vector<FormattedEvent> &events, std::span<const std::size_t> indexes) const;

    /// body() written into `out` (replacing what it held), so that its buffer can serve
    /// request after request.
    void write_body(const std::vector<FormattedEvent> &events, std::span<const std::size_t> indexes,
                    std::string &out) const;

private:
    std::string head_;  // {"api_key":"…","events":[
    std::string tail_;  // ],"options":{"min_id_length":N}}
};

/// The events of a batch cut into requests within the limits.
struct RequestPlan {
    std::vector<std::vector<std::size_t>> requests;  // indexes into the batch, in batch order
    std::vector<std::size_t> too_large;              // events that do not fit a request alone
};

/// Packs the events at `candidates` into as few requests as the limits allow, keeping
/// their order.
RequestPlan plan_requests(const std::vector<FormattedEvent> &events, std::span<const std::size_t> candidates,
                          const RequestEnvelope &envelope, RequestLimits limits);

}  // namespace productgraph::amplitude

#endif  // PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_FORMAT_HPP
