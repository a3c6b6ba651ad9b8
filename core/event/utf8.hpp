// Fast UTF-8 validation of a whole request body.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace productgraph::event {

/// The offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF), or nullopt when all of `text` is valid.
std::optional<size_t> find_invalid_utf8(std::string_view text);

}  // namespace productgraph::event
