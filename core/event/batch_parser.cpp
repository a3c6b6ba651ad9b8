// Batch parsing: RapidJSON's iterative in-situ parser (no recursion on hostile
// nesting, no copies of strings), one pass over each event's members against the
// schema table, and one compact re-serialisation (compact_json) that becomes the
// canonical record.
#include "event/batch_parser.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "event/body_screen.hpp"
#include "event/canonical_event.hpp"
#include "event/event_schema.hpp"
#include "event/timestamp.hpp"
#include "event/uuid_v7.hpp"

namespace productgraph::event {
namespace {

// UTF-8 is validated beforehand (screen_body), far faster than RapidJSON's
// per-character check; the iterative parser never recurses on hostile nesting.
constexpr unsigned parse_flags = rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag;

using Value = rapidjson::Value;

constexpr size_t arena_size = 256 * 1024;
constexpr size_t simd_padding = 16;

std::string_view as_view(const Value &v)
{
    return {v.GetString(), v.GetStringLength()};
}

bool has_type(const Value &v, FieldType type)
{
    switch (type) {
    case FieldType::string: return v.IsString();
    case FieldType::integer: return v.IsInt64() || v.IsUint64();
    case FieldType::number: return v.IsNumber();
    case FieldType::object: return v.IsObject();
    }
    return false;
}

// Depth below `v`, but never descends further than `remaining` levels, so a
// hostile document costs at most max_nesting_depth stack frames.
bool nesting_exceeds(const Value &v, int remaining)
{
    if (!v.IsObject() && !v.IsArray()) return false;
    if (remaining <= 0) return true;
    if (v.IsObject()) {
        for (const auto &member : v.GetObject()) {
            if (nesting_exceeds(member.value, remaining - 1)) return true;
        }
    } else {
        for (const auto &item : v.GetArray()) {
            if (nesting_exceeds(item, remaining - 1)) return true;
        }
    }
    return false;
}

// The fields product-spec §1 fills in when an event leaves them out (or null).
struct MissingFields {
    bool event_id = false;
    bool project_id = false;
    bool timestamp = false;
};

// Validates one event; on success fills `record` (except json and request fields)
// with views into the parsed document, says which defaulted fields are missing,
// and returns true.
bool validate_event(const Value &event, size_t index, const BatchLimits &limits, EventFields &record,
                    MissingFields &missing, std::vector<EventError> &errors)
{
    const size_t errors_before = errors.size();
    auto report = [&](std::string_view field, std::string reason) {
        errors.push_back(EventError{index, std::string(field) + ": " + std::move(reason)});
    };
    if (!event.IsObject()) {
        report("event", "must be an object");
        return false;
    }

    // Required fields seen with a non-null value; their content is checked as met.
    bool seen_event_id = false, seen_project = false, seen_session = false;
    bool seen_type = false, seen_timestamp = false;
    for (const auto &member : event.GetObject()) {
        const std::string_view key = as_view(member.name);
        const Value &value = member.value;
        const auto spec = find_field(key);
        if (!spec) {
            // Unknown fields are preserved as sent, but never nested without bound.
            if (nesting_exceeds(value, limits.max_nesting_depth)) {
                report(key, "nested deeper than " + std::to_string(limits.max_nesting_depth) + " levels");
            }
            continue;
        }
        if (value.IsNull()) continue;  // absent; a required one is reported below
        switch (spec->role) {
        case FieldRole::event_id: seen_event_id = true; break;
        case FieldRole::project_id: seen_project = true; break;
        case FieldRole::session_id: seen_session = true; break;
        case FieldRole::type: seen_type = true; break;
        case FieldRole::timestamp: seen_timestamp = true; break;
        default: break;
        }
        if (!has_type(value, spec->type)) {
            report(key, "must be " + std::string(describe(spec->type)));
            continue;
        }
        if (spec->type == FieldType::object && nesting_exceeds(value, limits.max_nesting_depth)) {
            report(key, "nested deeper than " + std::to_string(limits.max_nesting_depth) + " levels");
            continue;
        }
        const std::string_view text = value.IsString() ? as_view(value) : std::string_view{};
        const bool required = spec->role == FieldRole::event_id || spec->role == FieldRole::project_id ||
                              spec->role == FieldRole::session_id || spec->role == FieldRole::type;
        if (required && text.empty()) report(key, "must not be empty");
        switch (spec->role) {
        case FieldRole::event_id: record.event_id = text; break;
        case FieldRole::project_id: break;
        case FieldRole::session_id: record.session_id = text; break;
        case FieldRole::type:
            if (!text.empty() && !is_known_event_type(text)) {
                report(key, "unknown type \"" + std::string(text.substr(0, 64)) + "\"");
            }
            record.type = text;
            break;
        case FieldRole::timestamp:
            if (const auto ms = parse_rfc3339_ms(text)) {
                record.timestamp_ms = *ms;
            } else {
                report(key, "must be an RFC 3339 date-time with a zone, e.g. 2024-01-15T10:30:15.123Z");
            }
            break;
        case FieldRole::name: record.name = text; break;
        case FieldRole::user_id: record.user_id = text; break;
        case FieldRole::device_id: record.device_id = text; break;
        case FieldRole::none: break;
        }
    }
    if (!seen_session) report("session.id", "required");
    if (!seen_type) report("event.type", "required");
    missing = MissingFields{!seen_event_id, !seen_project, !seen_timestamp};
    return errors.size() == errors_before;
}

}  // namespace

common::Result<ParsedBatch> parse_batch(std::string &body, const RequestContext &context, const BatchLimits &limits)
{
    // RapidJSON's SSE2 scanning reads whole 16-byte blocks and may run past the
    // terminating NUL; give it room inside the allocation.
    if (body.capacity() < body.size() + simd_padding) body.reserve(body.size() + simd_padding);
    if (auto fault = screen_body(body)) return common::fail(std::move(*fault));
    // A per-thread arena: a typical batch's DOM fits, so parsing does not touch
    // malloc (the allocator spills into the heap only for larger documents).
    thread_local std::unique_ptr<char[]> arena(new char[arena_size]);
    rapidjson::MemoryPoolAllocator<> value_allocator(arena.get(), arena_size);
    rapidjson::Document document(&value_allocator);
    document.ParseInsitu<parse_flags>(body.data());
    if (document.GetParseError() == rapidjson::kParseErrorDocumentRootNotSingular) {
        return common::fail("invalid JSON at byte " + std::to_string(document.GetErrorOffset()) +
                            ": more data after the JSON document; the body must be one JSON document followed "
                            "only by whitespace");
    }
    if (document.HasParseError()) {
        return common::fail(std::string("invalid JSON at byte ") + std::to_string(document.GetErrorOffset()) + ": " +
                            rapidjson::GetParseError_En(document.GetParseError()));
    }
    if (!document.IsObject()) return common::fail("body: must be a JSON object with an \"events\" array");
    const auto events_it = document.FindMember("events");
    if (events_it == document.MemberEnd() || !events_it->value.IsArray()) {
        return common::fail("events: required, must be an array");
    }
    const auto events = events_it->value.GetArray();
    if (events.Size() > limits.max_events) {
        return common::fail("events: " + std::to_string(events.Size()) + " events in one batch, at most " +
                            std::to_string(limits.max_events) + " are allowed");
    }

    ParsedBatch batch;
    batch.accepted.reserve(events.Size());
    thread_local std::string canonical;  // reused: its capacity settles at the largest event
    thread_local std::string generated_id;
    std::string received_text;  // the receive time as RFC 3339, formatted once per request
    for (rapidjson::SizeType i = 0; i < events.Size(); ++i) {
        EventFields record;
        MissingFields missing;
        if (!validate_event(events[i], i, limits, record, missing, batch.errors)) {
            ++batch.rejected;
            continue;
        }
        EventDefaults defaults;
        if (missing.event_id) {
            generated_id.clear();
            append_uuid_v7(generated_id, context.received_ms);
            defaults.event_id = record.event_id = generated_id;
        }
        if (missing.project_id) defaults.project_id = context.default_project_id;
        if (missing.timestamp) {
            if (received_text.empty()) append_rfc3339_ms(received_text, context.received_ms);
            defaults.timestamp = received_text;
            record.timestamp_ms = context.received_ms;
        }
        canonical.clear();
        append_canonical_event(canonical, events[i], defaults);
        if (canonical.size() > limits.max_event_bytes) {
            batch.errors.push_back(EventError{i, "event: " + std::to_string(canonical.size()) +
                                                     " bytes, larger than the " +
                                                     std::to_string(limits.max_event_bytes / 1024) + " KB limit"});
            ++batch.rejected;
            continue;
        }
        record.json = canonical;
        record.client_ip = context.client_ip;
        record.user_agent = context.user_agent;
        record.received_ms = context.received_ms;
        batch.accepted.push_back(std::make_shared<const EventRecord>(record));
    }
    return batch;
}

}  // namespace productgraph::event
