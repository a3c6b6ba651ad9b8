// One pass over the host's canonical compact JSON instead of a RapidJSON parse and
// rewrite: values are copied as they are wherever RapidJSON's Writer would spell them
// the same way, and the pass gives up (the caller then takes the DOM path) at anything
// else, so that both paths always produce the same bytes.
#include "amplitude_canonical_format.hpp"

#include "event_mapping.hpp"

#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace productgraph::amplitude {
namespace {

// The host bounds nesting far below this; deeper text is left to the DOM path rather
// than recursing without limit here.
constexpr int max_depth = 64;

// RapidJSON's escape table (writer.h): 0 for a byte written as it is.
constexpr std::array<char, 256> rapidjson_escapes = [] {
    std::array<char, 256> table{};
    for (std::size_t c = 0; c < 0x20; ++c) table[c] = 'u';
    table['\b'] = 'b';
    table['\t'] = 't';
    table['\n'] = 'n';
    table['\f'] = 'f';
    table['\r'] = 'r';
    table['"'] = '"';
    table['\\'] = '\\';
    return table;
}();

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// Lets RapidJSON's Writer append to a std::string: doubles are written with its dtoa,
// whose spelling ("1e21", "1.0") differs from the canonical writer's to_chars.
struct StringOutput {
    using Ch = char;
    std::string *text;
    void Put(char c) { text->push_back(c); }
    void Flush() {}
};

std::string cut_note(std::string_view what)
{
    return std::string(what) + " cut to " + std::to_string(max_string_chars) + " characters";
}

// A top-level string field, cut to max_string_chars, with a note when cut.
void append_field(std::string &json, FormattedEvent &out, std::string_view key, std::string_view text)
{
    json.push_back('"');
    json.append(key);
    json += "\":";
    const std::size_t keep = truncated_size(text, max_string_chars);
    append_json_string(json, text.substr(0, keep));
    if (keep < text.size()) out.notes.push_back(cut_note(key));
}

// The buffers one thread reuses from event to event, fetched once per event: a
// thread_local in a shared library costs a __tls_get_addr call at each use.
struct Scratch {
    std::vector<std::size_t> name_offsets;  // where each property's key starts in the output
    std::vector<std::size_t> name_sizes;
    std::vector<std::string> cut_names;  // properties with a string cut, for their notes
    std::string name;                    // the property name being built
    std::string number;                  // a double as RapidJSON's Writer spells it
};

Scratch &thread_scratch()
{
    thread_local Scratch scratch;
    return scratch;
}

// Index of the first '"', '\\' or control byte in [at, end), or end.
const char *find_special_byte(const char *at, const char *end)
{
#ifdef __SSE2__
    // Sixteen bytes per step (SSE2 is part of every x86-64 CPU): '"', '\\', and
    // bytes <= 0x1F found as those where max(byte, 0x1F) is 0x1F.
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i last_control = _mm_set1_epi8(0x1F);
    for (; end - at >= 16; at += 16) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(at));
        const __m128i special =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                         _mm_cmpeq_epi8(_mm_max_epu8(chunk, last_control), last_control));
        if (const int mask = _mm_movemask_epi8(special); mask != 0) {
            return at + std::countr_zero(static_cast<unsigned>(mask));
        }
    }
#endif
    while (at < end && rapidjson_escapes[static_cast<unsigned char>(*at)] == 0) ++at;
    return at;
}

// Reads event.json once and writes its event_properties member into `json`. A value
// is copied as one run of input bytes; only a string to cut or a double RapidJSON
// spells differently interrupts the run.
class PropertiesWriter {
public:
    PropertiesWriter(std::string_view text, std::string &json, FormattedEvent &out)
        : at_(text.data()), end_(text.data() + text.size()), json_(json), out_(out), scratch_(thread_scratch())
    {
        scratch_.name_offsets.clear();
        scratch_.name_sizes.clear();
        scratch_.cut_names.clear();
    }

    bool write()
    {
        const char *metadata = nullptr;
        bool metadata_seen = false;
        if (!consume('{')) return false;
        if (!consume('}')) {
            do {
                std::string_view key;
                bool escaped = false;
                if (!string(key, escaped) || escaped || !consume(':') || at_ == end_) return false;
                if (key == "metadata") {
                    if (metadata_seen) return false;  // the DOM path keeps the last object; rare enough to leave it
                    metadata_seen = true;
                    if (*at_ == '{') metadata = at_;
                    if (!skip_value()) return false;
                } else if (!field(key)) {
                    return false;
                }
            } while (consume(','));
            if (!consume('}')) return false;
        }
        if (at_ != end_) return false;
        if (metadata != nullptr) {
            at_ = metadata;
            if (!metadata_members()) return false;
        }
        if (!scratch_.name_offsets.empty()) json_.push_back('}');
        // The DOM path notes every clash while it collects and every cut while it writes.
        for (const std::string &name : scratch_.cut_names) {
            out_.notes.push_back("event_properties." + name + ": strings cut to " + std::to_string(max_string_chars) +
                                 " characters");
        }
        return true;
    }

private:
    // A top-level member other than metadata; at_ is at its value.
    bool field(std::string_view key)
    {
        std::string &name = scratch_.name;
        name.clear();
        if (!plugins::append_property_name(key, name) || *at_ == 'n') return skip_value();
        if (taken(name)) {
            out_.notes.push_back("field " + std::string(key) + " dropped: property " + name + " is already set");
            return skip_value();
        }
        return property(name);
    }

    // metadata's members, after every field; at_ is at its '{'.
    bool metadata_members()
    {
        ++at_;
        if (consume('}')) return true;
        do {
            std::string_view key;
            bool escaped = false;
            if (!string(key, escaped) || escaped || !consume(':') || at_ == end_) return false;
            if (taken(key)) {
                out_.notes.push_back("metadata key " + std::string(key) + " dropped: an event field has that name");
                if (!skip_value()) return false;
            } else if (!property(key)) {
                return false;
            }
        } while (consume(','));
        return consume('}');
    }

    bool taken(std::string_view name) const
    {
        // Every property is checked against every one before it: the size and the last
        // byte (names often share a prefix such as page_) settle most pairs without a memcmp.
        if (name.empty())
            return std::find(scratch_.name_sizes.begin(), scratch_.name_sizes.end(), std::size_t{0}) !=
                   scratch_.name_sizes.end();
        const char *json = json_.data();
        for (std::size_t i = 0; i < scratch_.name_offsets.size(); ++i) {
            const char *written = json + scratch_.name_offsets[i];
            if (scratch_.name_sizes[i] == name.size() && written[name.size() - 1] == name.back() &&
                std::memcmp(written, name.data(), name.size()) == 0) {
                return true;
            }
        }
        return false;
    }

    // Writes "name":value. `name` holds no byte that needs escaping: it comes from a key
    // with no escape, and the scan refuses raw control characters.
    bool property(std::string_view name)
    {
        json_ += scratch_.name_offsets.empty() ? ",\"event_properties\":{\"" : ",\"";
        scratch_.name_offsets.push_back(json_.size());
        scratch_.name_sizes.push_back(name.size());
        json_.append(name);
        json_ += "\":";
        bool cut = false;
        write_ = true;
        copied_ = at_;
        const bool read = value(cut, 1);
        write_ = false;
        if (!read) return false;
        json_.append(copied_, static_cast<std::size_t>(at_ - copied_));
        if (cut) scratch_.cut_names.emplace_back(name);
        return true;
    }

    bool skip_value()
    {
        bool cut = false;
        return value(cut, 1);
    }

    // Writes the input copied so far up to `from`, then `replacement` in place of the
    // input up to at_.
    void replace(const char *from, std::string_view replacement)
    {
        json_.append(copied_, static_cast<std::size_t>(from - copied_));
        json_.append(replacement);
        copied_ = at_;
    }

    bool consume(char c)
    {
        if (at_ == end_ || *at_ != c) return false;
        ++at_;
        return true;
    }

    bool word(std::string_view literal)
    {
        if (static_cast<std::size_t>(end_ - at_) < literal.size() || std::string_view(at_, literal.size()) != literal) {
            return false;
        }
        at_ += literal.size();
        return true;
    }

    // One value at at_; `cut` is set when a string had to be cut.
    bool value(bool &cut, int depth)
    {
        if (at_ == end_) return false;
        switch (*at_) {
        case '"': return string_value(cut);
        case '{':
        case '[': return container(cut, depth);
        case 'n': return word("null");
        case 't': return word("true");
        case 'f': return word("false");
        default: return number();
        }
    }

    // Nested keys stay as they came: the scan admits only the escapes RapidJSON's
    // Writer writes the same way.
    bool container(bool &cut, int depth)
    {
        if (depth > max_depth) return false;
        const char close = *at_ == '{' ? '}' : ']';
        const bool object = close == '}';
        ++at_;
        if (consume(close)) return true;
        do {
            if (object) {
                std::string_view key;
                bool escaped = false;
                if (!string(key, escaped) || !consume(':')) return false;
            }
            if (!value(cut, depth + 1)) return false;
        } while (consume(','));
        return consume(close);
    }

    // A string value, cut to max_string_chars characters.
    bool string_value(bool &cut)
    {
        std::string_view content;
        bool escaped = false;
        if (!string(content, escaped)) return false;
        if (content.size() <= max_string_chars) return true;
        // Escapes make the text longer than the string it stands for; counting its
        // characters would need unescaping, which the DOM path does.
        if (escaped) return false;
        const std::size_t keep = truncated_size(content, max_string_chars);
        if (keep < content.size() && write_) {
            cut = true;
            json_.append(copied_, static_cast<std::size_t>(content.data() + keep - copied_));
            copied_ = content.data() + content.size();  // the closing quote is copied with the rest
        }
        return true;
    }

    // A string at at_ (its opening quote); `content` is the raw text between the
    // quotes. Refuses raw control characters (RapidJSON refuses them too) and every
    // escape that RapidJSON's Writer would not write back the same way.
    bool string(std::string_view &content, bool &escaped)
    {
        if (at_ == end_ || *at_ != '"') return false;
        const char *start = ++at_;
        for (;;) {
            at_ = find_special_byte(at_, end_);
            if (at_ == end_) return false;
            if (*at_ == '"') {
                content = std::string_view(start, static_cast<std::size_t>(at_ - start));
                ++at_;
                return true;
            }
            if (*at_ != '\\' || ++at_ == end_) return false;
            switch (*at_) {
            case '"':
            case '\\':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                escaped = true;
                ++at_;
                break;
            default: return false;  // \u and \/ are written back differently
            }
        }
    }

    // A JSON number. Integers that RapidJSON keeps as integers are copied; fractions
    // are written with RapidJSON's dtoa when RapidJSON's own reading of them is exact.
    bool number()
    {
        const char *start = at_;
        const bool negative = consume('-');
        std::size_t significant = 0;  // digits after the leading zeros, integer and fraction parts
        std::size_t fraction_digits = 0;
        if (at_ == end_ || !is_digit(*at_)) return false;
        if (*at_ == '0') {
            ++at_;
        } else {
            for (; at_ < end_ && is_digit(*at_); ++at_) ++significant;
        }
        const std::size_t integer_digits = significant;
        bool integer = true;
        if (consume('.')) {
            integer = false;
            if (at_ == end_ || !is_digit(*at_)) return false;
            for (; at_ < end_ && is_digit(*at_); ++at_) {
                ++fraction_digits;
                if (significant > 0 || *at_ != '0') ++significant;
            }
        }
        long exponent = 0;
        if (at_ < end_ && (*at_ == 'e' || *at_ == 'E')) {
            integer = false;
            ++at_;
            const bool negative_exponent = consume('-');
            if (!negative_exponent) consume('+');
            if (at_ == end_ || !is_digit(*at_)) return false;
            for (; at_ < end_ && is_digit(*at_); ++at_) {
                if (exponent > 1000) return false;
                exponent = exponent * 10 + (*at_ - '0');
            }
            if (negative_exponent) exponent = -exponent;
        }
        const std::string_view literal(start, static_cast<std::size_t>(at_ - start));
        if (integer) {
            // RapidJSON reads "-0" as the integer 0, and integers past 64 bits as doubles.
            if (literal == "-0") return false;
            return integer_digits <= 18 || fits_64_bits(literal, negative);
        }
        // Without kParseFullPrecisionFlag RapidJSON computes significand * or / 10^p in
        // one correctly rounded step, which from_chars matches only while both are exact.
        const long power = exponent - static_cast<long>(fraction_digits);
        if (significant > 15 || power < -22 || power > 22) return false;
        if (!write_) return true;
        double number = 0;
        const auto parsed = std::from_chars(literal.data(), literal.data() + literal.size(), number);
        if (parsed.ec != std::errc{} || parsed.ptr != literal.data() + literal.size()) return false;
        std::string &spelled = scratch_.number;
        spelled.clear();
        StringOutput output{&spelled};
        rapidjson::Writer<StringOutput> writer(output);
        if (!writer.Double(number)) return false;
        if (spelled != literal) replace(start, spelled);
        return true;
    }

    static bool fits_64_bits(std::string_view literal, bool negative)
    {
        const char *last = literal.data() + literal.size();
        if (negative) {
            std::int64_t value = 0;
            const auto parsed = std::from_chars(literal.data(), last, value);
            return parsed.ec == std::errc{} && parsed.ptr == last;
        }
        std::uint64_t value = 0;
        const auto parsed = std::from_chars(literal.data(), last, value);
        return parsed.ec == std::errc{} && parsed.ptr == last;
    }

    const char *at_;
    const char *end_;
    std::string &json_;
    FormattedEvent &out_;
    Scratch &scratch_;
    bool write_ = false;            // inside a property's value: cuts and respellings go to json_
    const char *copied_ = nullptr;  // input before this is already in json_
};

}  // namespace

void append_json_string(std::string &out, std::string_view text)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    out.push_back('"');
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const char escape = rapidjson_escapes[byte];
        if (escape == 0) continue;
        out.append(text.substr(run, i - run));
        run = i + 1;
        out.push_back('\\');
        out.push_back(escape);
        if (escape == 'u') {
            out += "00";
            out.push_back(hex[byte >> 4]);
            out.push_back(hex[byte & 0xF]);
        }
    }
    out.append(text.substr(run));
    out.push_back('"');
}

bool format_canonical_event(const EventView &event, FormattedEvent &out)
{
    // Same identity rules as the DOM path; an event without a usable id is left to it
    // because its rejection depends on whether the JSON parses first.
    const std::string_view user_id = is_placeholder_id(event.user_id) ? std::string_view{} : event.user_id;
    std::string_view device_id = is_placeholder_id(event.device_id) ? std::string_view{} : event.device_id;
    if (user_id.empty() && device_id.empty() && !is_placeholder_id(event.session_id)) device_id = event.session_id;
    if (user_id.empty() && device_id.empty()) return false;

    std::string &json = out.json;
    json.clear();
    json.reserve(event.json.size() + 512);  // the output is about as long
    json.push_back('{');
    append_field(json, out, "event_type",
                 plugins::provider_event_name_view(plugins::Provider::amplitude, event.type, event.name));
    if (!user_id.empty()) {
        json.push_back(',');
        append_field(json, out, "user_id", user_id);
        out.user_id = user_id.substr(0, truncated_size(user_id, max_string_chars));
    }
    if (!device_id.empty()) {
        json.push_back(',');
        append_field(json, out, "device_id", device_id);
        out.device_id = device_id.substr(0, truncated_size(device_id, max_string_chars));
    }
    char digits[24];
    json += ",\"time\":";
    json.append(digits, std::to_chars(digits, digits + sizeof digits, event.timestamp_ms).ptr);
    json.push_back(',');
    append_field(json, out, "insert_id", event.event_id);
    json += ",\"session_id\":";
    json.append(digits, std::to_chars(digits, digits + sizeof digits, session_number(event.session_id)).ptr);
    if (!event.client_ip.empty()) {
        json.push_back(',');
        append_field(json, out, "ip", event.client_ip);
    }
    if (!event.user_agent.empty()) {
        json.push_back(',');
        append_field(json, out, "user_agent", event.user_agent);
    }
    if (!PropertiesWriter(event.json, json, out).write()) return false;
    json.push_back('}');
    return true;
}

}  // namespace productgraph::amplitude
