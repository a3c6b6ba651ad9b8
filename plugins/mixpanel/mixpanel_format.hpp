// Events → Mixpanel request bodies (providers.md §2.3, §2.4, §5; product-spec §3).
// Pure: no I/O, no clock, no logging; the caller decides what to do with drops.
#ifndef PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_FORMAT_HPP
#define PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_FORMAT_HPP

#include "mixpanel_config.hpp"

#include <productgraph/publisher.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace productgraph::mixpanel {

/// Events per request on /import and /track.
inline constexpr std::size_t max_events_per_request = 2000;
/// Uncompressed bytes per request: the 2 MiB of the documented 413 answer, the
/// smaller of the two figures providers.md §2.4 quotes.
inline constexpr std::size_t max_request_bytes = 2'097'152;
/// Mixpanel keeps fewer than 255 properties per event.
inline constexpr std::size_t max_properties_per_event = 254;

/// True for the placeholder ids Mixpanel refuses as distinct_id and $insert_id
/// ("anonymous", "null", "0", the nil UUID, ...), compared case-insensitively.
bool is_rejected_id(std::string_view id);

/// True when `id` can travel as $insert_id unchanged: 1 to 36 characters of
/// [A-Za-z0-9-] and not a rejected placeholder.
bool is_valid_insert_id(std::string_view id);

/// A stable 36-character, UUID-shaped stand-in for an id that is not a valid
/// $insert_id: the 128-bit FNV-1a hash of its bytes, printed 8-4-4-4-12 in lower-case
/// hex with the version nibble set to 8 and the variant bits to 10 (an RFC 9562
/// "custom" UUID), so the same event_id always gives the same $insert_id.
std::string hashed_insert_id(std::string_view id);

/// The $insert_id for an event_id: the id itself when valid, else its hash.
std::string insert_id_for(std::string_view event_id);

/// Who an event is about, in Mixpanel's simplified identity terms.
struct Identity {
    std::string distinct_id;  ///< user id, else device id; empty when neither is usable
    std::string user_id;      ///< $user_id: user.id when usable, else empty
    std::string device_id;    ///< $device_id: device.id, else session.id for an event without a user
};

/// The identity of an event. An id is usable when it is non-empty and not a
/// placeholder Mixpanel refuses; session.id stands in for the device only for an
/// event with neither a usable device.id nor a usable user.id (as for Amplitude).
Identity choose_identity(std::string_view user_id, std::string_view device_id, std::string_view session_id);

/// How events are written.
struct FormatOptions {
    ApiMode api = ApiMode::import;
    std::string_view token;  ///< written into every event's properties in track mode only
};

/// One event as a Mixpanel event object.
struct FormattedEvent {
    std::string json;       ///< {"event":"...","properties":{...}}, compact
    std::string insert_id;  ///< its $insert_id, to match failed_records back
    /// Properties left out because the event already had max_properties_per_event.
    std::vector<std::string> dropped_properties;
};

/// The Mixpanel event for one ProductGraph event: `event` from the mapping, and in
/// `properties` the wire fields (distinct_id, $user_id, $device_id, $insert_id,
/// time in ms, ip, session_id, token in track mode), then each field of the event
/// JSON under its property name, then the metadata keys as they are. The first
/// writer of a name wins, null fields count as absent, and properties beyond
/// max_properties_per_event are dropped (wire fields are never among them).
/// nullopt when event.json is not a JSON object (the host never sends one).
std::optional<FormattedEvent> format_event(const pgraph_event &event, const FormatOptions &options);

/// A run of consecutive formatted events sent in one request: [begin, end).
struct RequestSpan {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t size() const { return end - begin; }
};

/// Limits one request must respect.
struct RequestLimits {
    std::size_t max_events = max_events_per_request;
    std::size_t max_bytes = max_request_bytes;  ///< of the uncompressed JSON array
};

/// Cuts `events` (formatted JSON objects) into consecutive requests, each as full as
/// the limits allow. An event too large for any request travels alone (and Mixpanel
/// answers 413 for it).
std::vector<RequestSpan> plan_requests(std::span<const std::string> events, RequestLimits limits = {});

/// The JSON array of `events`, the body of one request.
std::string request_body(std::span<const std::string> events);

/// The size request_body would have, without building it.
std::size_t request_body_size(std::span<const std::string> events);

}  // namespace productgraph::mixpanel

#endif  // PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_FORMAT_HPP
