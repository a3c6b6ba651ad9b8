// A one-pass scanner for plain batches. It refuses (returns false) at the first byte
// it is not sure about, so it never needs an error message of its own: the general
// parser reads every body this one refuses, and is the only one that reports errors.
#include "event/plain_batch_scanner.hpp"

#include <charconv>
#include <cstring>

#include "event/event_schema.hpp"
#include "event/json_string_scan.hpp"

namespace productgraph::event {
namespace {

bool is_whitespace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// Fields whose null the canonical writer drops when it writes a default in their place.
bool default_replaces_null(std::string_view key)
{
    return key == "event_id" || key == "project_id" || key == "product_id" || key == "event.timestamp";
}

// The shortest round-trip form (what compact_json writes) of a number RapidJSON
// reads exactly: at most 15 significant digits and a power of ten within ±22, where
// its normal-precision parse is one correctly rounded operation, as from_chars is.
bool is_canonical_fraction(std::string_view literal, size_t significant_digits, long power_of_ten)
{
    if (significant_digits > 15 || power_of_ten < -22 || power_of_ten > 22) return false;
    double value = 0;
    const char *end = literal.data() + literal.size();
    const auto parsed = std::from_chars(literal.data(), end, value);
    if (parsed.ec != std::errc() || parsed.ptr != end) return false;
    char shortest[32];
    const auto written = std::to_chars(shortest, shortest + sizeof shortest, value);
    return written.ec == std::errc() &&
           std::string_view(shortest, static_cast<size_t>(written.ptr - shortest)) == literal;
}

// An integer literal RapidJSON stores as an integer (it fits in int64 or uint64) and
// writes back unchanged: "-0" is the only one written differently.
bool is_canonical_integer(std::string_view literal)
{
    const bool negative = literal.front() == '-';
    if (literal == "-0") return false;
    if (literal.size() - (negative ? 1 : 0) <= 18) return true;
    const char *end = literal.data() + literal.size();
    auto fits = [&](auto value) {
        const auto parsed = std::from_chars(literal.data(), end, value);
        return parsed.ec == std::errc() && parsed.ptr == end;
    };
    return negative ? fits(int64_t{0}) : fits(uint64_t{0});
}

class PlainScanner {
public:
    PlainScanner(std::string_view body, const BatchLimits &limits, PlainBatch &batch)
        : at_(body.data()), end_(body.data() + body.size()), limits_(limits), batch_(batch)
    {}

    bool scan_body()
    {
        static constexpr std::string_view events_key = "\"events\"";
        skip_whitespace();
        if (!consume('{')) return false;
        skip_whitespace();
        if (static_cast<size_t>(end_ - at_) < events_key.size() ||
            std::memcmp(at_, events_key.data(), events_key.size()) != 0) {
            return false;
        }
        at_ += events_key.size();
        skip_whitespace();
        if (!consume(':')) return false;
        skip_whitespace();
        if (!consume('[')) return false;
        skip_whitespace();
        if (!consume(']')) {
            do {
                skip_whitespace();
                if (batch_.events.size() == limits_.max_events || !scan_event()) return false;
                skip_whitespace();
            } while (consume(','));
            if (!consume(']')) return false;
        }
        skip_whitespace();
        if (!consume('}')) return false;
        skip_whitespace();
        return at_ == end_;
    }

private:
    void skip_whitespace()
    {
        while (at_ < end_ && is_whitespace(*at_)) ++at_;
    }

    bool consume(char c)
    {
        if (at_ == end_ || *at_ != c) return false;
        ++at_;
        return true;
    }

    bool scan_event()
    {
        const char *start = at_;
        if (!consume('{')) return false;
        PlainEvent event;
        event.first_member = batch_.members.size();
        if (!consume('}')) {
            do {
                if (!scan_member()) return false;
            } while (consume(','));
            if (!consume('}')) return false;
        }
        event.member_count = batch_.members.size() - event.first_member;
        event.text = std::string_view(start, static_cast<size_t>(at_ - start));
        batch_.events.push_back(event);
        return true;
    }

    // A top-level member of an event, recorded for validation.
    bool scan_member()
    {
        MemberView member;
        bool escaped = false;
        if (at_ == end_ || *at_ != '"' || !scan_string(member.key, escaped) || escaped) return false;
        if (!consume(':') || !scan_value(0, member.kind, member.text, escaped)) return false;
        // A known field's value is read by the validator, which needs it unescaped.
        if (escaped) {
            if (find_field(member.key)) return false;
            member.text = {};
        }
        if (member.kind == JsonKind::null && default_replaces_null(member.key)) return false;
        batch_.members.push_back(member);
        return true;
    }

    // Any value, with no whitespace; `depth` counts the containers around it inside
    // the event. A string's raw text goes to `text`, and `escaped` says if it has escapes.
    bool scan_value(int depth, JsonKind &kind, std::string_view &text, bool &escaped)
    {
        if (at_ == end_) return false;
        switch (*at_) {
        case '"': kind = JsonKind::string; return scan_string(text, escaped);
        case '{': kind = JsonKind::object; return scan_container(depth + 1);
        case '[': kind = JsonKind::array; return scan_container(depth + 1);
        case 'n': kind = JsonKind::null; return scan_word("null");
        case 't': kind = JsonKind::boolean; return scan_word("true");
        case 'f': kind = JsonKind::boolean; return scan_word("false");
        default: return scan_number(kind);
        }
    }

    // An object or array at `at_`; `depth` counts the containers opened so far, this
    // one included.
    bool scan_container(int depth)
    {
        if (depth > limits_.max_nesting_depth) return false;
        const char close = *at_ == '{' ? '}' : ']';
        const bool is_object = close == '}';
        ++at_;
        if (consume(close)) return true;
        do {
            std::string_view ignored;
            bool escaped = false;
            if (is_object && (at_ == end_ || *at_ != '"' || !scan_string(ignored, escaped) || !consume(':'))) {
                return false;
            }
            JsonKind kind = JsonKind::null;
            if (!scan_value(depth, kind, ignored, escaped)) return false;
        } while (consume(','));
        return consume(close);
    }

    // A string at `at_` (its opening quote) whose escapes are all ones the canonical
    // writer would write; `content` is the raw text between the quotes.
    bool scan_string(std::string_view &content, bool &escaped)
    {
        const char *start = ++at_;
        for (;;) {
            const char *special = at_ + find_json_special_byte(at_, 0, static_cast<size_t>(end_ - at_));
            if (special == end_) return false;
            at_ = special + 1;
            if (*special == '"') {
                content = std::string_view(start, static_cast<size_t>(special - start));
                return true;
            }
            if (*special != '\\' || !scan_canonical_escape()) return false;  // a raw control character
            escaped = true;
        }
    }

    // The escape after a backslash, if compact_json would write it the same way:
    // \" \\ \n \r \t \b \f, and \u00xx (lower-case hex) for the other control characters.
    bool scan_canonical_escape()
    {
        if (at_ == end_) return false;
        switch (*at_) {
        case '"':
        case '\\':
        case 'n':
        case 'r':
        case 't':
        case 'b':
        case 'f': ++at_; return true;
        case 'u': break;
        default: return false;
        }
        if (end_ - at_ < 5 || at_[1] != '0' || at_[2] != '0' || (at_[3] != '0' && at_[3] != '1')) return false;
        const char low = at_[4];
        int value = at_[3] == '1' ? 16 : 0;
        if (is_digit(low)) {
            value += low - '0';
        } else if (low >= 'a' && low <= 'f') {
            value += low - 'a' + 10;
        } else {
            return false;
        }
        if (value == '\b' || value == '\t' || value == '\n' || value == '\f' || value == '\r') return false;
        at_ += 5;
        return true;
    }

    bool scan_word(std::string_view word)
    {
        if (static_cast<size_t>(end_ - at_) < word.size() || std::memcmp(at_, word.data(), word.size()) != 0) {
            return false;
        }
        at_ += word.size();
        return true;
    }

    // A JSON number in its canonical form; `kind` says integer or number.
    bool scan_number(JsonKind &kind)
    {
        const char *start = at_;
        consume('-');
        const char *digits = at_;
        if (consume('0')) {
            // no leading zeros
        } else if (at_ < end_ && is_digit(*at_)) {
            while (at_ < end_ && is_digit(*at_)) ++at_;
        } else {
            return false;
        }
        const size_t integer_digits = static_cast<size_t>(at_ - digits);
        size_t fraction_digits = 0;
        if (consume('.')) {
            const char *fraction = at_;
            while (at_ < end_ && is_digit(*at_)) ++at_;
            fraction_digits = static_cast<size_t>(at_ - fraction);
            if (fraction_digits == 0) return false;
        }
        long exponent = 0;
        bool has_exponent = false;
        if (at_ < end_ && (*at_ == 'e' || *at_ == 'E')) {
            has_exponent = true;
            ++at_;
            const bool negative = consume('-');
            if (!negative) consume('+');
            const char *exponent_digits = at_;
            while (at_ < end_ && is_digit(*at_)) ++at_;
            const auto count = at_ - exponent_digits;
            if (count == 0 || count > 4) return false;
            for (const char *d = exponent_digits; d < at_; ++d) exponent = exponent * 10 + (*d - '0');
            if (negative) exponent = -exponent;
        }
        const std::string_view literal(start, static_cast<size_t>(at_ - start));
        if (fraction_digits == 0 && !has_exponent) {
            kind = JsonKind::integer;
            return is_canonical_integer(literal);
        }
        kind = JsonKind::number;
        // Significant digits: those of integer and fraction without leading zeros.
        size_t leading_zeros = 0;
        for (const char *d = digits; d < at_ && (*d == '0' || *d == '.'); ++d) {
            if (*d == '0') ++leading_zeros;
        }
        const size_t significant = integer_digits + fraction_digits - leading_zeros;
        return is_canonical_fraction(literal, significant, exponent - static_cast<long>(fraction_digits));
    }

    const char *at_;
    const char *end_;
    const BatchLimits &limits_;
    PlainBatch &batch_;
};

}  // namespace

bool scan_plain_batch(std::string_view body, const BatchLimits &limits, PlainBatch &batch)
{
    batch.events.clear();
    batch.members.clear();
    return PlainScanner(body, limits, batch).scan_body();
}

}  // namespace productgraph::event
