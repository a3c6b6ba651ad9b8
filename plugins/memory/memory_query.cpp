// Query-string parsing for the memory plugin's GET /events.
#include "memory_query.hpp"

#include <charconv>
#include <utility>

namespace productgraph::memory {
namespace {

std::optional<int> hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return std::nullopt;
}

std::optional<std::size_t> parse_limit(std::string_view text)
{
    std::size_t limit = 0;
    const char *last = text.data() + text.size();
    if (text.empty() || std::from_chars(text.data(), last, limit).ptr != last) return std::nullopt;
    if (limit < 1 || limit > max_limit) return std::nullopt;
    return limit;
}

// The filter slot a parameter name fills, or nullptr for an unknown name.
std::optional<std::string> *filter_slot(EventFilter &filter, std::string_view name)
{
    if (name == "session_id") return &filter.session_id;
    if (name == "user_id") return &filter.user_id;
    if (name == "type") return &filter.type;
    return nullptr;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text)
{
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            decoded.push_back(' ');
        } else if (c != '%') {
            decoded.push_back(c);
        } else {
            if (i + 2 >= text.size()) return std::nullopt;  // "%" or "%4" at the end
            const auto high = hex_digit(text[i + 1]);
            const auto low = hex_digit(text[i + 2]);
            if (!high || !low) return std::nullopt;
            decoded.push_back(static_cast<char>(*high * 16 + *low));
            i += 2;
        }
    }
    return decoded;
}

QueryResult parse_events_query(std::string_view query)
{
    EventFilter filter;
    bool limit_seen = false;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless

        const std::size_t eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq));
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        if (!name || !value) return QueryError{"query: invalid percent-encoding"};

        if (*name == "limit") {
            if (limit_seen) return QueryError{"limit: given more than once"};
            limit_seen = true;
            const auto limit = parse_limit(*value);
            static_assert(max_limit == 10000, "keep the message below in step");
            if (!limit) return QueryError{"limit: must be an integer from 1 to 10000"};
            filter.limit = *limit;
            continue;
        }
        std::optional<std::string> *slot = filter_slot(filter, *name);
        if (slot == nullptr) {
            return QueryError{"unknown query parameter; use session_id, user_id, type or limit"};
        }
        // *name is one of the three known names here, so the message stays JSON-safe.
        if (*slot) return QueryError{*name + ": given more than once"};
        *slot = std::move(*value);
    }
    return filter;
}

}  // namespace productgraph::memory
