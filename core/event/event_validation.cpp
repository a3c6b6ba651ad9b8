// Schema validation of one event: the same errors, in the same order, whether the
// members came from the plain-batch scanner or from RapidJSON's DOM.
#include "event/event_validation.hpp"

#include <string>

#include "event/event_schema.hpp"
#include "event/timestamp.hpp"

namespace productgraph::event {
namespace {

bool has_type(JsonKind kind, FieldType type)
{
    switch (type) {
    case FieldType::string: return kind == JsonKind::string;
    case FieldType::integer: return kind == JsonKind::integer;
    case FieldType::number: return kind == JsonKind::integer || kind == JsonKind::number;
    case FieldType::object: return kind == JsonKind::object;
    }
    return false;
}

bool is_required(FieldRole role)
{
    return role == FieldRole::event_id || role == FieldRole::project_id || role == FieldRole::session_id ||
           role == FieldRole::type;
}

}  // namespace

bool validate_members(std::span<const MemberView> members, size_t index, const BatchLimits &limits, EventFields &record,
                      MissingFields &missing, std::vector<EventError> &errors)
{
    const size_t errors_before = errors.size();
    auto report = [&](std::string_view field, std::string reason) {
        errors.push_back(EventError{index, std::string(field) + ": " + std::move(reason)});
    };
    auto report_too_deep = [&](std::string_view field) {
        report(field, "nested deeper than " + std::to_string(limits.max_nesting_depth) + " levels");
    };

    // Required fields seen with a non-null value; their content is checked as met.
    bool seen_event_id = false, seen_project = false, seen_session = false;
    bool seen_type = false, seen_timestamp = false;
    for (const MemberView &member : members) {
        const auto spec = find_field(member.key);
        if (!spec) {
            // Unknown fields are preserved as sent, but never nested without bound.
            if (member.too_deep) report_too_deep(member.key);
            continue;
        }
        if (member.kind == JsonKind::null) continue;  // absent; a required one is reported below
        switch (spec->role) {
        case FieldRole::event_id: seen_event_id = true; break;
        case FieldRole::project_id: seen_project = true; break;
        case FieldRole::session_id: seen_session = true; break;
        case FieldRole::type: seen_type = true; break;
        case FieldRole::timestamp: seen_timestamp = true; break;
        default: break;
        }
        if (!has_type(member.kind, spec->type)) {
            report(member.key, "must be " + std::string(describe(spec->type)));
            continue;
        }
        if (spec->type == FieldType::object && member.too_deep) {
            report_too_deep(member.key);
            continue;
        }
        const std::string_view text = member.text;
        if (is_required(spec->role) && text.empty()) report(member.key, "must not be empty");
        switch (spec->role) {
        case FieldRole::event_id: record.event_id = text; break;
        case FieldRole::project_id: break;
        case FieldRole::session_id: record.session_id = text; break;
        case FieldRole::type:
            if (!text.empty() && !is_known_event_type(text)) {
                report(member.key, "unknown type \"" + std::string(text.substr(0, 64)) + "\"");
            }
            record.type = text;
            break;
        case FieldRole::timestamp:
            if (const auto ms = parse_rfc3339_ms(text)) {
                record.timestamp_ms = *ms;
            } else {
                report(member.key, "must be an RFC 3339 date-time with a zone, e.g. 2024-01-15T10:30:15.123Z");
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

}  // namespace productgraph::event
