// Small helpers for writing JSON text by hand where RapidJSON would be overkill.
#pragma once

#include <string>
#include <string_view>

namespace productgraph::common {

/// Appends `text` as a quoted JSON string, escaping quotes, backslashes and controls.
void append_json_string(std::string &out, std::string_view text);

/// Returns `text` as a quoted JSON string.
std::string json_string(std::string_view text);

}  // namespace productgraph::common
