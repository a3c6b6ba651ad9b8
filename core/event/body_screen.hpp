// Byte-level checks on a whole request body before it is parsed in place.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace productgraph::event {

/// Why `body` cannot be one well-formed JSON document of valid Unicode text, or
/// nullopt when these checks pass (the parser still checks the grammar):
/// - invalid UTF-8 (RFC 3629);
/// - a NUL byte: JSON text never contains one raw, and the in-place parser would
///   stop there and silently ignore whatever follows;
/// - a lone UTF-16 surrogate in a \u escape, either half: it decodes to no
///   character, and would be stored as invalid UTF-8 (RapidJSON 1.1 lets a lone
///   low surrogate through).
std::optional<std::string> screen_body(std::string_view body);

}  // namespace productgraph::event
