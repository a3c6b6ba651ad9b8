// Compact JSON text of a parsed value: the canonical form of an accepted event.
#pragma once

#include <string>

#include <rapidjson/document.h>

namespace productgraph::event {

/// Appends `value` as compact JSON. Strings are written as they are except for the
/// characters JSON requires to be escaped; integers exactly; other numbers in their
/// shortest round-trip form. Recurses once per nesting level, so callers bound the
/// depth first (the validator caps events at 32 levels).
void append_compact_json(std::string &out, const rapidjson::Value &value);

}  // namespace productgraph::event
