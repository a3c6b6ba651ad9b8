// Checking one event's top-level members against the schema, whichever parser read them.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "event/batch_parser.hpp"
#include "event/event_record.hpp"

namespace productgraph::event {

/// The JSON types the schema tells apart; integer is a number without fraction or
/// exponent that fits in 64 bits (signed or unsigned), number any other number.
enum class JsonKind : unsigned char { null, boolean, string, integer, number, object, array };

/// One top-level member of an event as a parser saw it.
struct MemberView {
    std::string_view key;   // unescaped
    std::string_view text;  // a string's content, unescaped; empty for other kinds
    JsonKind kind = JsonKind::null;
    bool too_deep = false;  // an object or array nested deeper than BatchLimits::max_nesting_depth
};

/// The fields product-spec §1 fills in when an event leaves them out (or null).
struct MissingFields {
    bool event_id = false;
    bool project_id = false;
    bool timestamp = false;
};

/// Validates the members of the event at `index` of its batch. Appends one error per
/// problem to `errors` (field by field, in member order, then the required fields
/// missing) and returns true when there was none; then `record`'s views (except json
/// and the request's fields) point at the members' text and `missing` says which
/// defaulted fields the event left out.
bool validate_members(std::span<const MemberView> members, size_t index, const BatchLimits &limits, EventFields &record,
                      MissingFields &missing, std::vector<EventError> &errors);

}  // namespace productgraph::event
