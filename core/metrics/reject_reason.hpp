// Why an event was rejected, as a fixed set of codes for
// productgraphd_events_rejected_total{reason}: mapped from the validator's
// "<field>: <reason>" messages, whose text may carry client data and so never
// becomes a label itself.
#pragma once

#include <cstddef>
#include <string_view>

namespace productgraph::metrics {

enum class RejectReason {
    missing_field,       // "session.id: required"
    invalid_type,        // "event.sequence: must be an integer", "event: must be an object"
    invalid_value,       // "event_id: must not be empty"
    invalid_timestamp,   // "event.timestamp: must be an RFC 3339 date-time ..."
    unknown_event_type,  // "event.type: unknown type \"...\""
    too_large,           // "event: 123456 bytes, larger than the 100 KB limit"
    too_deep,            // "metadata: nested deeper than 32 levels"
    other,               // a message this table does not know yet
};
inline constexpr size_t reject_reason_count = 8;

std::string_view reject_reason_label(RejectReason reason);
RejectReason reject_reason_of(std::string_view message);

}  // namespace productgraph::metrics
