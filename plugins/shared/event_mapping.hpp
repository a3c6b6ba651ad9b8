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

/// The property name for an event field, or nullopt for fields that travel as wire
/// fields instead (event_id, project/product id, session.id, user.id, device.id,
/// event.type, event.name, event.timestamp) and for `metadata`, whose keys are
/// merged in as they are. Namespaces ui., gen_ai. and performance. are dropped;
/// page., api., error., snapshot. and org. stay as prefixes; dots become '_'.
std::optional<std::string> property_name(std::string_view field);

}  // namespace productgraph::plugins
