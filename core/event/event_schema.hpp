// The event schema of product-spec §1: every known field, its JSON type, and the event types.
#pragma once

#include <optional>
#include <string_view>

namespace productgraph::event {

enum class FieldType { string, integer, number, object };

/// Which normalised EventRecord member a field feeds, if any.
enum class FieldRole {
    none,
    event_id,
    project_id,
    session_id,
    type,
    timestamp,
    name,
    user_id,
    device_id,
};

struct FieldSpec {
    std::string_view name;
    FieldType type;
    FieldRole role;
};

/// The spec of a known field, or nullopt for a field we preserve but do not check.
std::optional<FieldSpec> find_field(std::string_view name);

/// True for the fifteen event types of product-spec §1.
bool is_known_event_type(std::string_view type);

/// The words used in error messages: "a string", "an integer", ...
std::string_view describe(FieldType type);

}  // namespace productgraph::event
