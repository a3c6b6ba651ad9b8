// Writes Mixpanel event objects with RapidJSON and packs them into request bodies.
#include "mixpanel_format.hpp"

#include "event_mapping.hpp"

#include <productgraph/publisher.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace productgraph::mixpanel {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// providers.md §2.3: values Mixpanel refuses as distinct_id (and as $insert_id).
constexpr std::array<std::string_view, 17> rejected_ids = {
    "00000000-0000-0000-0000-000000000000",
    "anon",
    "anonymous",
    "nil",
    "none",
    "null",
    "n/a",
    "na",
    "undefined",
    "unknown",
    "<nil>",
    "0",
    "-1",
    "true",
    "false",
    "[]",
    "{}",
};

bool equals_ignoring_case(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

bool usable_id(std::string_view id)
{
    return !id.empty() && !is_rejected_id(id);
}

// 128-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/): tiny, stable across
// platforms and releases, and spread well enough for a dedup key.
__extension__ typedef unsigned __int128 Uint128;

Uint128 fnv1a_128(std::string_view bytes)
{
    constexpr Uint128 offset_basis =
        (static_cast<Uint128>(0x6c62272e07bb0142ULL) << 64) | static_cast<Uint128>(0x62b821756295c58dULL);
    constexpr Uint128 prime = (static_cast<Uint128>(0x0000000001000000ULL) << 64) | static_cast<Uint128>(0x13BULL);
    Uint128 hash = offset_basis;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= prime;
    }
    return hash;
}

// Writes properties in order and keeps Mixpanel's count limit: the first writer of a
// name wins (so metadata never overwrites a wire field), and names past the limit
// are only reported.
class PropertyWriter {
public:
    PropertyWriter(JsonWriter &writer, std::vector<std::string> &dropped) : writer_(writer), dropped_(dropped) {}

    template <typename WriteValue>
    void add(std::string_view name, WriteValue &&write_value)
    {
        if (std::find(names_.begin(), names_.end(), name) != names_.end()) return;
        if (names_.size() >= max_properties_per_event) {
            dropped_.emplace_back(name);
            return;
        }
        names_.emplace_back(name);
        writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()), true);
        write_value();
    }

    void add_string(std::string_view name, std::string_view value)
    {
        add(name, [&] { writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()), true); });
    }

private:
    JsonWriter &writer_;
    std::vector<std::string> &dropped_;
    std::vector<std::string> names_;
};

}  // namespace

bool is_rejected_id(std::string_view id)
{
    return std::any_of(rejected_ids.begin(), rejected_ids.end(),
                       [id](std::string_view rejected) { return equals_ignoring_case(id, rejected); });
}

bool is_valid_insert_id(std::string_view id)
{
    if (id.empty() || id.size() > 36 || is_rejected_id(id)) return false;
    return std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) != 0 || c == '-'; });
}

std::string hashed_insert_id(std::string_view id)
{
    const Uint128 hash = fnv1a_128(id);
    std::array<unsigned char, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<unsigned char>(hash >> (8 * (15 - i)));
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x80);  // version 8: custom
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // variant 10
    constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[bytes[i] >> 4];
        out += hex[bytes[i] & 0x0f];
    }
    return out;
}

std::string insert_id_for(std::string_view event_id)
{
    return is_valid_insert_id(event_id) ? std::string(event_id) : hashed_insert_id(event_id);
}

Identity choose_identity(std::string_view user_id, std::string_view device_id, std::string_view session_id)
{
    Identity identity;
    if (usable_id(user_id)) identity.user_id = std::string(user_id);
    if (usable_id(device_id)) {
        identity.device_id = std::string(device_id);
    } else if (identity.user_id.empty() && usable_id(session_id)) {
        identity.device_id = std::string(session_id);
    }
    // Mixpanel allows an empty distinct_id (the event is kept out of user analysis);
    // it is what an event gets whose every id is a placeholder.
    identity.distinct_id = identity.user_id.empty() ? identity.device_id : identity.user_id;
    return identity;
}

std::optional<FormattedEvent> format_event(const pgraph_event &event, const FormatOptions &options)
{
    rapidjson::Document source;
    source.Parse<rapidjson::kParseFullPrecisionFlag>(event.json.ptr, event.json.len);
    if (source.HasParseError() || !source.IsObject()) return std::nullopt;

    FormattedEvent out;
    out.insert_id = insert_id_for(pgraph::view(event.event_id));
    const Identity identity =
        choose_identity(pgraph::view(event.user_id), pgraph::view(event.device_id), pgraph::view(event.session_id));
    const std::string name =
        plugins::provider_event_name(plugins::Provider::mixpanel, pgraph::view(event.type), pgraph::view(event.name));

    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    writer.Key("event");
    writer.String(name.data(), static_cast<rapidjson::SizeType>(name.size()), true);
    writer.Key("properties");
    writer.StartObject();

    PropertyWriter properties(writer, out.dropped_properties);
    properties.add_string("distinct_id", identity.distinct_id);
    if (!identity.user_id.empty()) properties.add_string("$user_id", identity.user_id);
    if (!identity.device_id.empty()) properties.add_string("$device_id", identity.device_id);
    properties.add_string("$insert_id", out.insert_id);
    properties.add("time", [&] { writer.Int64(event.timestamp_ms); });
    // Without ip Mixpanel would geolocate the request, i.e. this server; "0" turns that off.
    const std::string_view ip = pgraph::view(event.client_ip);
    properties.add_string("ip", ip.empty() ? std::string_view("0") : ip);
    if (event.session_id.len > 0) properties.add_string("session_id", pgraph::view(event.session_id));
    if (options.api == ApiMode::track) properties.add_string("token", options.token);

    for (const auto &member : source.GetObject()) {
        if (member.value.IsNull()) continue;
        const auto property = plugins::property_name({member.name.GetString(), member.name.GetStringLength()});
        if (!property) continue;  // a wire field, or metadata (merged below)
        properties.add(*property, [&] { member.value.Accept(writer); });
    }
    const auto metadata = source.FindMember("metadata");
    if (metadata != source.MemberEnd() && metadata->value.IsObject()) {
        for (const auto &member : metadata->value.GetObject()) {
            properties.add({member.name.GetString(), member.name.GetStringLength()},
                           [&] { member.value.Accept(writer); });
        }
    }

    writer.EndObject();
    writer.EndObject();
    out.json.assign(buffer.GetString(), buffer.GetSize());
    return out;
}

std::vector<RequestSpan> plan_requests(std::span<const std::string> events, RequestLimits limits)
{
    std::vector<RequestSpan> spans;
    RequestSpan current;
    std::size_t bytes = 2;  // the brackets
    for (std::size_t i = 0; i < events.size(); ++i) {
        std::size_t added = events[i].size() + (current.size() > 0 ? 1 : 0);  // and a comma
        if (current.size() > 0 && (current.size() >= limits.max_events || bytes + added > limits.max_bytes)) {
            spans.push_back(current);
            current = RequestSpan{i, i};
            bytes = 2;
            added = events[i].size();
        }
        current.end = i + 1;
        bytes += added;
    }
    if (current.size() > 0) spans.push_back(current);
    return spans;
}

std::size_t request_body_size(std::span<const std::string> events)
{
    std::size_t size = 2 + (events.empty() ? 0 : events.size() - 1);
    for (const std::string &event : events) size += event.size();
    return size;
}

std::string request_body(std::span<const std::string> events)
{
    std::string body;
    body.reserve(request_body_size(events));
    body += '[';
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i > 0) body += ',';
        body += events[i];
    }
    body += ']';
    return body;
}

}  // namespace productgraph::mixpanel
