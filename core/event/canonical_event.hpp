// The canonical JSON of one accepted event, with product-spec §1's defaults filled in.
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace productgraph::event {

/// Values for the fields an event left out (absent or null). An empty view or
/// nullopt means the event has its own value.
struct EventDefaults {
    std::string_view event_id;    // a generated UUIDv7
    std::string_view project_id;  // PRODUCTGRAPH_DEFAULT_PROJECT_ID
    std::string_view timestamp;   // the receive time, RFC 3339 (append_rfc3339_ms)
    bool any() const { return !event_id.empty() || !project_id.empty() || !timestamp.empty(); }
};

/// Appends the compact JSON of a validated event object: first the defaults, as
/// "event_id", "project_id" and "event.timestamp", then
/// every member as sent, except a null member whose place a default takes (so no
/// key appears twice).
void append_canonical_event(std::string &out, const rapidjson::Value &event, const EventDefaults &defaults);

/// The same for an event whose text is already canonical (an object written as the
/// overload above writes it, with no null member that a default replaces): the
/// defaults, then its members as they are.
void append_canonical_event(std::string &out, std::string_view canonical_event, const EventDefaults &defaults);

}  // namespace productgraph::event
