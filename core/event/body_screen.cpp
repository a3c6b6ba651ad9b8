// Body screening. memchr finds the rare bytes of interest (NUL, backslash) with
// SIMD, so the cost on a typical body is a fraction of the parse.
#include "event/body_screen.hpp"

#include <cstring>

#include "event/utf8.hpp"

namespace productgraph::event {
namespace {

std::optional<unsigned> read_hex4(std::string_view text, size_t pos)
{
    if (pos + 4 > text.size()) return std::nullopt;
    unsigned value = 0;
    for (size_t i = pos; i < pos + 4; ++i) {
        const char c = text[i];
        unsigned digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<unsigned>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<unsigned>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = static_cast<unsigned>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        value = value * 16 + digit;
    }
    return value;
}

bool is_high_surrogate(unsigned unit)
{
    return unit >= 0xD800 && unit <= 0xDBFF;
}

bool is_low_surrogate(unsigned unit)
{
    return unit >= 0xDC00 && unit <= 0xDFFF;
}

// Every backslash in a valid document starts an escape inside a string, so the
// escapes can be walked without tracking string boundaries: "\\" is consumed as a
// pair, and a backslash outside a string is a syntax error whatever we say here.
std::optional<size_t> find_lone_surrogate(std::string_view body)
{
    size_t pos = 0;
    while (pos < body.size()) {
        const void *found = std::memchr(body.data() + pos, '\\', body.size() - pos);
        if (found == nullptr) return std::nullopt;
        pos = static_cast<size_t>(static_cast<const char *>(found) - body.data());
        if (pos + 1 >= body.size() || body[pos + 1] != 'u') {
            pos += 2;
            continue;
        }
        const auto unit = read_hex4(body, pos + 2);
        if (!unit) {  // a malformed escape: the parser names it
            pos += 2;
            continue;
        }
        if (is_low_surrogate(*unit)) return pos;
        if (is_high_surrogate(*unit)) {
            const bool paired = pos + 7 < body.size() && body[pos + 6] == '\\' && body[pos + 7] == 'u' &&
                                is_low_surrogate(read_hex4(body, pos + 8).value_or(0));
            if (!paired) return pos;
            pos += 12;
            continue;
        }
        pos += 6;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> screen_body(std::string_view body)
{
    if (const auto bad = find_invalid_utf8(body)) {
        return "invalid JSON at byte " + std::to_string(*bad) + ": Invalid encoding in string.";
    }
    if (const void *nul = std::memchr(body.data(), '\0', body.size())) {
        const auto at = static_cast<size_t>(static_cast<const char *>(nul) - body.data());
        return "invalid JSON at byte " + std::to_string(at) +
               ": a NUL byte; the body must be one JSON document followed only by whitespace";
    }
    if (const auto at = find_lone_surrogate(body)) {
        return "invalid JSON at byte " + std::to_string(*at) + ": lone UTF-16 surrogate \"" +
               std::string(body.substr(*at, 6)) +
               "\" (a \\uD800-\\uDBFF escape must be followed by a \\uDC00-\\uDFFF escape, and only then)";
    }
    return std::nullopt;
}

}  // namespace productgraph::event
