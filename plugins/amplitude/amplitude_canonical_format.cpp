// One pass over the host's canonical compact JSON instead of a RapidJSON parse and
// rewrite: values are copied as they are wherever RapidJSON's Writer would spell them
// the same way, and the pass gives up (the caller then takes the DOM path) at anything
// else, so that both paths always produce the same bytes.
#include "amplitude_canonical_format.hpp"

#include "event_mapping.hpp"

#include <rapidjson/writer.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <vector>

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

// Reads event.json once and writes its event_properties member into `json`.
class PropertiesWriter {
public:
    PropertiesWriter(std::string_view text, std::string &json, FormattedEvent &out)
        : at_(text.data()), end_(text.data() + text.size()), json_(json), out_(out)
    {
        names_.clear();
        cut_names_.clear();
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
        if (!names_.empty()) json_.push_back('}');
        // The DOM path notes every clash while it collects and every cut while it writes.
        for (const std::string &name : cut_names_) {
            out_.notes.push_back("event_properties." + name + ": strings cut to " + std::to_string(max_string_chars) +
                                 " characters");
        }
        return true;
    }

private:
    struct Name {
        std::size_t offset;  // into json_, where the property's key was written
        std::size_t size;
    };

    // A top-level member other than metadata; at_ is at its value.
    bool field(std::string_view key)
    {
        scratch_.clear();
        if (!plugins::append_property_name(key, scratch_) || *at_ == 'n') return skip_value();
        if (taken(scratch_)) {
            out_.notes.push_back("field " + std::string(key) + " dropped: property " + scratch_ + " is already set");
            return skip_value();
        }
        return property(scratch_);
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
        for (const Name &written : names_) {
            if (std::string_view(json_).substr(written.offset, written.size) == name) return true;
        }
        return false;
    }

    // Writes "name":value. `name` holds no byte that needs escaping: it comes from a key
    // with no escape, and the scan refuses raw control characters.
    bool property(std::string_view name)
    {
        json_ += names_.empty() ? ",\"event_properties\":{\"" : ",\"";
        names_.push_back(Name{json_.size(), name.size()});
        json_.append(name);
        json_ += "\":";
        bool cut = false;
        if (!value(&json_, cut, 1)) return false;
        if (cut) cut_names_.emplace_back(name);
        return true;
    }

    bool skip_value()
    {
        bool cut = false;
        return value(nullptr, cut, 1);
    }

    bool consume(char c)
    {
        if (at_ == end_ || *at_ != c) return false;
        ++at_;
        return true;
    }

    bool word(std::string_view literal, std::string *to)
    {
        if (static_cast<std::size_t>(end_ - at_) < literal.size() || std::string_view(at_, literal.size()) != literal) {
            return false;
        }
        at_ += literal.size();
        if (to != nullptr) to->append(literal);
        return true;
    }

    // One value at at_, appended to `to` (when not null) as RapidJSON would write it
    // back; `cut` is set when a string had to be cut.
    bool value(std::string *to, bool &cut, int depth)
    {
        if (at_ == end_) return false;
        switch (*at_) {
        case '"': return string_value(to, cut);
        case '{':
        case '[': return container(to, cut, depth);
        case 'n': return word("null", to);
        case 't': return word("true", to);
        case 'f': return word("false", to);
        default: return number(to);
        }
    }

    bool container(std::string *to, bool &cut, int depth)
    {
        if (depth > max_depth) return false;
        const char close = *at_ == '{' ? '}' : ']';
        const bool object = close == '}';
        ++at_;
        if (to != nullptr) to->push_back(object ? '{' : '[');
        if (!consume(close)) {
            do {
                if (object) {
                    // Nested keys are written back escaped as they came: the scan admits
                    // only the escapes RapidJSON writes the same way.
                    const char *key_start = at_;
                    std::string_view key;
                    bool escaped = false;
                    if (!string(key, escaped) || !consume(':')) return false;
                    if (to != nullptr) to->append(key_start, static_cast<std::size_t>(at_ - key_start));
                }
                if (!value(to, cut, depth + 1)) return false;
                if (to != nullptr && at_ != end_ && *at_ == ',') to->push_back(',');
            } while (consume(','));
            if (!consume(close)) return false;
        }
        if (to != nullptr) to->push_back(close);
        return true;
    }

    // A string value, cut to max_string_chars characters.
    bool string_value(std::string *to, bool &cut)
    {
        std::string_view content;
        bool escaped = false;
        if (!string(content, escaped)) return false;
        if (to == nullptr) return true;
        std::size_t keep = content.size();
        if (content.size() > max_string_chars) {
            // Escapes make the text longer than the string it stands for; counting
            // its characters would need unescaping, which the DOM path does.
            if (escaped) return false;
            keep = truncated_size(content, max_string_chars);
            cut = cut || keep < content.size();
        }
        to->push_back('"');
        to->append(content.substr(0, keep));
        to->push_back('"');
        return true;
    }

    // A string at at_ (its opening quote); `content` is the raw text between the
    // quotes. Refuses raw control characters (RapidJSON refuses them too) and every
    // escape that RapidJSON's Writer would not write back the same way.
    bool string(std::string_view &content, bool &escaped)
    {
        if (at_ == end_ || *at_ != '"') return false;
        const char *start = ++at_;
        for (; at_ < end_; ++at_) {
            const auto byte = static_cast<unsigned char>(*at_);
            if (rapidjson_escapes[byte] == 0) continue;
            if (byte == '"') {
                content = std::string_view(start, static_cast<std::size_t>(at_ - start));
                ++at_;
                return true;
            }
            if (byte != '\\' || ++at_ == end_) return false;
            switch (*at_) {
            case '"':
            case '\\':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't': escaped = true; break;
            default: return false;  // \u and \/ are written back differently
            }
        }
        return false;
    }

    // A JSON number. Integers that RapidJSON keeps as integers are copied; fractions
    // are written with RapidJSON's dtoa when RapidJSON's own reading of them is exact.
    bool number(std::string *to)
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
            if (integer_digits > 18 && !fits_64_bits(literal, negative)) return false;
            if (to != nullptr) to->append(literal);
            return true;
        }
        // Without kParseFullPrecisionFlag RapidJSON computes significand * or / 10^p in
        // one correctly rounded step, which from_chars matches only while both are exact.
        const long power = exponent - static_cast<long>(fraction_digits);
        if (significant > 15 || power < -22 || power > 22) return false;
        if (to == nullptr) return true;
        double number = 0;
        const auto parsed = std::from_chars(literal.data(), literal.data() + literal.size(), number);
        if (parsed.ec != std::errc{} || parsed.ptr != literal.data() + literal.size()) return false;
        StringOutput output{to};
        rapidjson::Writer<StringOutput> writer(output);
        return writer.Double(number);
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
    // Reused from event to event on each thread: most events need no allocation here.
    static thread_local std::vector<Name> names_;
    static thread_local std::vector<std::string> cut_names_;
    static thread_local std::string scratch_;
};

thread_local std::vector<PropertiesWriter::Name> PropertiesWriter::names_;
thread_local std::vector<std::string> PropertiesWriter::cut_names_;
thread_local std::string PropertiesWriter::scratch_;

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
    append_field(json, out,
                 "event_type", plugins::provider_event_name_view(plugins::Provider::amplitude, event.type, event.name));
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
