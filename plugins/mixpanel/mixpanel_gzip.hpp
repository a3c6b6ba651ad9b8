// gzip for request bodies (/import accepts Content-Encoding: gzip) and, for tests
// and the mock server, the way back.
#ifndef PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_GZIP_HPP
#define PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_GZIP_HPP

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace productgraph::mixpanel {

/// zlib's fastest level: the bodies are repetitive JSON, so level 1 already shrinks
/// them several times, at a fraction of the default level's CPU (bench/mixpanel_format_bench).
inline constexpr int gzip_level = 1;

/// `data` as a gzip member (RFC 1952). Throws std::bad_alloc or std::runtime_error
/// only when zlib itself fails (out of memory).
std::string gzip_compress(std::string_view data, int level = gzip_level);

/// The content of a gzip member, or nullopt when `data` is not valid gzip or would
/// inflate to more than `max_size` bytes.
std::optional<std::string> gzip_decompress(std::string_view data, std::size_t max_size);

}  // namespace productgraph::mixpanel

#endif  // PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_GZIP_HPP
