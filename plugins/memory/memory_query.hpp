// Parses the query string of GET /events (percent-decoding, filters, limit) into a filter.
#ifndef PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_QUERY_HPP
#define PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_QUERY_HPP

#include "memory_store.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace productgraph::memory {

/// How many events GET /events returns without a limit, and the most it ever returns.
inline constexpr std::size_t default_limit = 100;
inline constexpr std::size_t max_limit = 10000;

/// Why a query was refused (answered with status 400). The text is fixed ASCII with
/// no quotes or backslashes, so it can be placed in a JSON string as it is.
struct QueryError {
    std::string message;
};

/// The filter a query asks for, or why it is invalid.
using QueryResult = std::variant<EventFilter, QueryError>;

/// Parses a raw query string (without '?'): session_id, user_id, type and limit,
/// each at most once; unknown parameters are refused so a typo is not silently
/// ignored.
QueryResult parse_events_query(std::string_view query);

/// Decodes %XX escapes and '+' (a space in form-encoded queries); nullopt when an
/// escape is truncated or not hexadecimal.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace productgraph::memory

#endif  // PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_QUERY_HPP
