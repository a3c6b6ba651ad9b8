// RFC 3339 timestamps ("2024-01-15T10:30:15.123+02:00") to Unix milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace productgraph::event {

/// Milliseconds since the Unix epoch (UTC), or nullopt when `text` is not a full
/// RFC 3339 date-time with a zone (Z or +/-HH:MM). Fractions beyond ms are truncated.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace productgraph::event
