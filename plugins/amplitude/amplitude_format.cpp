// Event formatting and request packing for Amplitude; the wire facts are in providers.md §1.
#include "amplitude_format.hpp"

#include "amplitude_canonical_format.hpp"
#include "event_mapping.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>

namespace productgraph::amplitude {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// providers.md §1.3: ids Amplitude rejects. `""` and `""""` both stand for the
// quoted empty string the docs list.
constexpr std::array<std::string_view, 15> placeholder_ids = {
    "anonymous", "nil",       "none",    "null", "n/a",
    "na",        "undefined", "unknown", "\"\"", "\"\"\"\"",
    "{}",        "lmy47d",    "0",       "-1",   "00000000-0000-0000-0000-000000000000",
};

bool equals_ignoring_case(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

rapidjson::SizeType json_size(std::size_t size)
{
    constexpr std::size_t most = std::numeric_limits<rapidjson::SizeType>::max();
    return static_cast<rapidjson::SizeType>(std::min(size, most));
}

// Writes a string cut to max_string_chars; true when it had to be cut.
bool write_string(Writer &writer, std::string_view text)
{
    const std::size_t keep = truncated_size(text, max_string_chars);
    writer.String(text.data(), json_size(keep), false);
    return keep < text.size();
}

// Writes `value` with every string inside it cut; true when any string was cut.
bool write_value(Writer &writer, const rapidjson::Value &value)
{
    bool cut = false;
    switch (value.GetType()) {
    case rapidjson::kNullType: writer.Null(); break;
    case rapidjson::kFalseType: writer.Bool(false); break;
    case rapidjson::kTrueType: writer.Bool(true); break;
    case rapidjson::kStringType: cut = write_string(writer, {value.GetString(), value.GetStringLength()}); break;
    case rapidjson::kNumberType:
        if (value.IsInt64()) {
            writer.Int64(value.GetInt64());
        } else if (value.IsUint64()) {
            writer.Uint64(value.GetUint64());
        } else {
            writer.Double(value.GetDouble());
        }
        break;
    case rapidjson::kArrayType:
        writer.StartArray();
        for (const rapidjson::Value &element : value.GetArray()) cut = write_value(writer, element) || cut;
        writer.EndArray();
        break;
    case rapidjson::kObjectType:
        writer.StartObject();
        for (const auto &member : value.GetObject()) {
            writer.Key(member.name.GetString(), member.name.GetStringLength(), false);
            cut = write_value(writer, member.value) || cut;
        }
        writer.EndObject();
        break;
    }
    return cut;
}

std::string_view view_of(const rapidjson::Value &string)
{
    return {string.GetString(), string.GetStringLength()};
}

// A named top-level string field of the Amplitude event, noted when cut.
void write_field(Writer &writer, FormattedEvent &out, const char *key, std::string_view text)
{
    writer.Key(key);
    if (write_string(writer, text)) {
        out.notes.push_back(std::string(key) + " cut to " + std::to_string(max_string_chars) + " characters");
    }
}

// event_properties: every mapped member, then the metadata keys that do not collide
// with one of them ("All properties are preserved"; an event field wins).
void write_properties(Writer &writer, FormattedEvent &out, const rapidjson::Value &event)
{
    struct Property {
        std::string name;
        const rapidjson::Value *value;
    };
    std::vector<Property> properties;
    properties.reserve(event.MemberCount());
    const rapidjson::Value *metadata = nullptr;
    const auto taken = [&](std::string_view name) {
        return std::any_of(properties.begin(), properties.end(), [&](const Property &p) { return p.name == name; });
    };
    for (const auto &member : event.GetObject()) {
        const std::string_view field = view_of(member.name);
        if (field == "metadata") {
            if (member.value.IsObject()) metadata = &member.value;
            continue;
        }
        std::optional<std::string> name = plugins::property_name(field);
        if (!name || member.value.IsNull()) continue;
        if (taken(*name)) {
            out.notes.push_back("field " + std::string(field) + " dropped: property " + *name + " is already set");
            continue;
        }
        properties.push_back(Property{std::move(*name), &member.value});
    }
    if (metadata != nullptr) {
        for (const auto &member : metadata->GetObject()) {
            const std::string_view key = view_of(member.name);
            if (taken(key)) {
                out.notes.push_back("metadata key " + std::string(key) + " dropped: an event field has that name");
                continue;
            }
            properties.push_back(Property{std::string(key), &member.value});
        }
    }
    if (properties.empty()) return;

    writer.Key("event_properties");
    writer.StartObject();
    for (const Property &property : properties) {
        writer.Key(property.name.data(), json_size(property.name.size()), false);
        if (write_value(writer, *property.value)) {
            out.notes.push_back("event_properties." + property.name + ": strings cut to " +
                                std::to_string(max_string_chars) + " characters");
        }
    }
    writer.EndObject();
}

bool usable_id(std::string_view id)
{
    return !is_placeholder_id(id);
}

}  // namespace

bool is_placeholder_id(std::string_view id)
{
    if (id.empty()) return true;
    return std::any_of(placeholder_ids.begin(), placeholder_ids.end(),
                       [&](std::string_view placeholder) { return equals_ignoring_case(id, placeholder); });
}

std::int64_t session_hash(std::string_view session_id)
{
    constexpr std::uint64_t offset_basis = 14695981039346656037ull;
    constexpr std::uint64_t prime = 1099511628211ull;
    constexpr std::uint64_t mask = (std::uint64_t{1} << 53) - 1;
    std::uint64_t hash = offset_basis;
    for (const char c : session_id) {
        hash ^= static_cast<unsigned char>(c);
        hash *= prime;
    }
    hash &= mask;
    return hash == 0 ? 1 : static_cast<std::int64_t>(hash);
}

std::int64_t session_number(std::string_view session_id)
{
    if (session_id.empty()) return -1;  // Amplitude's "no session"
    const bool digits = std::all_of(session_id.begin(), session_id.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) {
        std::int64_t number = 0;
        const char *last = session_id.data() + session_id.size();
        const auto [end, error] = std::from_chars(session_id.data(), last, number);
        if (error == std::errc{} && end == last) return number;
    }
    return session_hash(session_id);
}

std::size_t truncated_size(std::string_view text, std::size_t max_chars)
{
    if (text.size() <= max_chars) return text.size();  // a character is at least one byte
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        // Each character starts with a byte that is not a continuation byte (10xxxxxx).
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) return i;
    }
    return text.size();
}

FormattedEvent format_event(const EventView &event)
{
    FormattedEvent out;
    format_event_into(event, out);
    return out;
}

void format_event_into(const EventView &event, FormattedEvent &out)
{
    out.json.clear();
    out.reject_reason.clear();
    out.user_id.clear();
    out.device_id.clear();
    out.notes.clear();
    if (!format_canonical_event(event, out)) out = format_event_with_dom(event);
}

FormattedEvent format_event_with_dom(const EventView &event)
{
    FormattedEvent out;
    // A pool on the stack holds a typical event's DOM; a default Document would
    // allocate a 64 KB chunk for every event.
    char pool_buffer[16 * 1024];
    rapidjson::MemoryPoolAllocator<> pool(pool_buffer, sizeof pool_buffer);
    rapidjson::Document document(&pool);
    // Parsed in place from a per-thread copy: RapidJSON's in-situ parse points its
    // strings into the copy instead of pushing every byte through a stack, which was
    // most of the formatting cost. Nothing formatted keeps a view into it.
    thread_local std::string text;
    text.assign(event.json);
    document.ParseInsitu(text.data());
    if (document.HasParseError() || !document.IsObject()) {
        out.reject_reason = "event JSON is not an object";
        return out;
    }

    // Amplitude needs a user_id or a device_id. An anonymous event falls back to its
    // session id, which groups it the way a browser SDK's device id would.
    const std::string_view user_id = usable_id(event.user_id) ? event.user_id : std::string_view{};
    std::string_view device_id = usable_id(event.device_id) ? event.device_id : std::string_view{};
    if (user_id.empty() && device_id.empty() && usable_id(event.session_id)) device_id = event.session_id;
    if (user_id.empty() && device_id.empty()) {
        out.reject_reason = "no usable user.id, device.id or session.id for Amplitude";
        return out;
    }

    rapidjson::StringBuffer buffer(nullptr, event.json.size() + 512);  // the output is about as long
    Writer writer(buffer);
    writer.StartObject();
    write_field(writer, out, "event_type",
                plugins::provider_event_name(plugins::Provider::amplitude, event.type, event.name));
    if (!user_id.empty()) {
        write_field(writer, out, "user_id", user_id);
        out.user_id = user_id.substr(0, truncated_size(user_id, max_string_chars));
    }
    if (!device_id.empty()) {
        write_field(writer, out, "device_id", device_id);
        out.device_id = device_id.substr(0, truncated_size(device_id, max_string_chars));
    }
    writer.Key("time");
    writer.Int64(event.timestamp_ms);
    write_field(writer, out, "insert_id", event.event_id);
    writer.Key("session_id");
    writer.Int64(session_number(event.session_id));
    if (!event.client_ip.empty()) write_field(writer, out, "ip", event.client_ip);
    if (!event.user_agent.empty()) write_field(writer, out, "user_agent", event.user_agent);
    write_properties(writer, out, document);
    writer.EndObject();
    out.json.assign(buffer.GetString(), buffer.GetSize());
    return out;
}

RequestEnvelope::RequestEnvelope(std::string_view api_key, int min_id_length)
{
    rapidjson::StringBuffer key;
    Writer writer(key);
    writer.String(api_key.data(), json_size(api_key.size()), false);
    head_ = std::string("{\"api_key\":") + key.GetString() + ",\"events\":[";
    tail_ = "],\"options\":{\"min_id_length\":" + std::to_string(min_id_length) + "}}";
}

std::size_t RequestEnvelope::body_size(std::size_t event_bytes, std::size_t count) const
{
    return head_.size() + tail_.size() + event_bytes + (count > 0 ? count - 1 : 0);
}

std::string RequestEnvelope::body(const std::vector<FormattedEvent> &events, std::span<const std::size_t> indexes) const
{
    std::string body;
    write_body(events, indexes, body);
    return body;
}

void RequestEnvelope::write_body(const std::vector<FormattedEvent> &events, std::span<const std::size_t> indexes,
                                 std::string &body) const
{
    std::size_t bytes = 0;
    for (const std::size_t i : indexes) bytes += events[i].json.size();
    body.clear();
    body.reserve(body_size(bytes, indexes.size()));
    body += head_;
    for (std::size_t k = 0; k < indexes.size(); ++k) {
        if (k > 0) body += ',';
        body += events[indexes[k]].json;
    }
    body += tail_;
}

RequestPlan plan_requests(const std::vector<FormattedEvent> &events, std::span<const std::size_t> candidates,
                          const RequestEnvelope &envelope, RequestLimits limits)
{
    RequestPlan plan;
    std::vector<std::size_t> current;
    std::size_t current_bytes = 0;
    for (const std::size_t i : candidates) {
        const std::size_t size = events[i].json.size();
        if (envelope.body_size(size, 1) >= limits.max_body_bytes) {
            plan.too_large.push_back(i);
            continue;
        }
        const bool full = current.size() + 1 > limits.max_events ||
                          envelope.body_size(current_bytes + size, current.size() + 1) >= limits.max_body_bytes;
        if (!current.empty() && full) {
            plan.requests.push_back(std::move(current));
            current.clear();
            current_bytes = 0;
        }
        current.push_back(i);
        current_bytes += size;
    }
    if (!current.empty()) plan.requests.push_back(std::move(current));
    return plan;
}

}  // namespace productgraph::amplitude
