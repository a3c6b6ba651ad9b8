// product-spec §3: provider event names and property names for ProductGraph events.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace productgraph::plugins {

enum class Provider { amplitude, mixpanel };

/// The provider event name: event.name when present and non-empty, else the
/// type's name for that provider (product-spec §3's table, extended in its spirit
/// to every type: README of each plugin lists the full table).
std::string provider_event_name(Provider provider, std::string_view type, std::string_view name);

/// provider_event_name() without a copy: a view of `name`, of `type` or of a static
/// table entry, valid as long as the first two are.
std::string_view provider_event_name_view(Provider provider, std::string_view type, std::string_view name);

/// The property name for an event field, or nullopt for fields that travel as wire
/// fields instead (event_id, project/product id, session.id, user.id, device.id,
/// event.type, event.name, event.timestamp) and for `metadata`, whose keys are
/// merged in as they are. Namespaces ui., gen_ai. and performance. are dropped;
/// page., api., error., snapshot. and org. stay as prefixes; dots become '_'.
std::optional<std::string> property_name(std::string_view field);

/// property_name() appended to `out` instead of returned, so that a caller can reuse
/// one buffer; false, with nothing appended, where property_name() gives nullopt.
bool append_property_name(std::string_view field, std::string &out);

}  // namespace productgraph::plugins
