// A compact JSON writer for already-validated values. It replaces RapidJSON's Writer,
// which pushes one character at a time and was about 30% of batch parsing: here
// strings are copied in runs and only the rare characters that need escaping stop the
// copy.
#include "event/compact_json.hpp"

#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace productgraph::event {
namespace {

// 1 for the bytes JSON strings must escape: '"', '\\' and control characters.
constexpr auto needs_escape = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[static_cast<size_t>(c)] = true;
    table['"'] = true;
    table['\\'] = true;
    return table;
}();

// Eight bytes at a time: a word of plain text (no '"', '\\' or control byte, which
// is almost every word of real events) costs a few instructions instead of eight table
// look-ups. The lowest flagged byte of each test is exact (borrows only carry upwards),
// so the first flagged byte is the first byte needing an escape.
constexpr uint64_t ones = 0x0101010101010101ull;
constexpr uint64_t highs = 0x8080808080808080ull;

uint64_t zero_bytes(uint64_t word)
{
    return (word - ones) & ~word & highs;
}

uint64_t escape_bytes(uint64_t word)
{
    const uint64_t control = (word - ones * 0x20) & ~word & highs;
    return control | zero_bytes(word ^ (ones * '"')) | zero_bytes(word ^ (ones * '\\'));
}

// Index of the first byte at or after `from` that must be escaped, or `length`.
size_t find_escape(const char *text, size_t from, size_t length)
{
    size_t i = from;
    if constexpr (std::endian::native == std::endian::little) {
        for (; i + 8 <= length; i += 8) {
            uint64_t word;
            std::memcpy(&word, text + i, sizeof word);
            if (const uint64_t flagged = escape_bytes(word); flagged != 0) {
                return i + static_cast<size_t>(std::countr_zero(flagged)) / 8;
            }
        }
    }
    while (i < length && !needs_escape[static_cast<unsigned char>(text[i])]) ++i;
    return i;
}

void append_string(std::string &out, const char *text, size_t length)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    size_t run_start = 0;
    for (size_t i = find_escape(text, 0, length); i < length; i = find_escape(text, i + 1, length)) {
        const auto byte = static_cast<unsigned char>(text[i]);
        out.append(text + run_start, i - run_start);
        run_start = i + 1;
        switch (byte) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            out += "\\u00";
            out.push_back(hex[byte >> 4]);
            out.push_back(hex[byte & 0xF]);
        }
    }
    out.append(text + run_start, length - run_start);
    out.push_back('"');
}

template <typename Number>
void append_number(std::string &out, Number number)
{
    char digits[32];
    const auto [end, error] = std::to_chars(digits, digits + sizeof digits, number);
    if (error == std::errc()) out.append(digits, end);
}

}  // namespace

void append_compact_json(std::string &out, const rapidjson::Value &value)
{
    switch (value.GetType()) {
    case rapidjson::kNullType: out += "null"; return;
    case rapidjson::kFalseType: out += "false"; return;
    case rapidjson::kTrueType: out += "true"; return;
    case rapidjson::kStringType: append_string(out, value.GetString(), value.GetStringLength()); return;
    case rapidjson::kNumberType:
        if (value.IsInt64())
            append_number(out, value.GetInt64());
        else if (value.IsUint64())
            append_number(out, value.GetUint64());
        else
            append_number(out, value.GetDouble());
        return;
    case rapidjson::kArrayType: {
        out.push_back('[');
        bool first = true;
        for (const auto &item : value.GetArray()) {
            if (!first) out.push_back(',');
            first = false;
            append_compact_json(out, item);
        }
        out.push_back(']');
        return;
    }
    case rapidjson::kObjectType: {
        out.push_back('{');
        bool first = true;
        for (const auto &member : value.GetObject()) {
            if (!first) out.push_back(',');
            first = false;
            append_string(out, member.name.GetString(), member.name.GetStringLength());
            out.push_back(':');
            append_compact_json(out, member.value);
        }
        out.push_back('}');
        return;
    }
    }
}

}  // namespace productgraph::event
