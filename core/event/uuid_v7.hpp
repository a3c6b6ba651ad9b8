// Event ids for events that arrive without one: UUIDv7 (RFC 9562 §5.7).
#pragma once

#include <cstdint>
#include <string>

namespace productgraph::event {

/// Appends a new UUIDv7 in its 36-character text form ("0190163d-8694-7d3a-...")
/// to `out`. The first 48 bits are `unix_ms`; the rest is a per-thread counter
/// (RFC 9562 §6.2 method 1, so ids from one thread sort in creation order even
/// within one millisecond) and 62 bits from the kernel's CSPRNG (getrandom).
/// Cheap enough for the hot path: the random bytes are fetched in blocks.
void append_uuid_v7(std::string &out, int64_t unix_ms);

}  // namespace productgraph::event
