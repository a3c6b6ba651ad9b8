// RFC 3339 timestamps ("2024-01-15T10:30:15.123+02:00") to Unix milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace productgraph::event {

/// Milliseconds since the Unix epoch (UTC), or nullopt when `text` is not a full
/// RFC 3339 date-time with a zone (Z or +/-HH:MM). Fractions beyond ms are truncated.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);

/// Appends `unix_ms` as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, always three fraction
/// digits), the form parse_rfc3339_ms reads back to the same value. Years outside
/// 0000..9999 cannot be written in RFC 3339 and are clamped to that range.
void append_rfc3339_ms(std::string &out, int64_t unix_ms);

}  // namespace productgraph::event
