// Writing defaults into the canonical record, so every plugin (and the dead
// letters, and a replay after restart) sees the same id, project and time that the
// EventRecord's fields carry.
#include "event/canonical_event.hpp"

#include "event/compact_json.hpp"

namespace productgraph::event {
namespace {

void append_member_name(std::string &out, bool &first, std::string_view name)
{
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(name);  // our own field names: nothing to escape
    out += "\":";
}

// A null member the defaults replace: writing it would repeat the key.
bool replaced_by_default(std::string_view name, const rapidjson::Value &value, const EventDefaults &defaults)
{
    if (!value.IsNull()) return false;
    if (!defaults.event_id.empty() && name == "event_id") return true;
    if (!defaults.project_id.empty() && (name == "project_id" || name == "product_id")) return true;
    return !defaults.timestamp.empty() && name == "event.timestamp";
}

// Opens the object and writes the defaults as its first members.
void append_defaults(std::string &out, const EventDefaults &defaults)
{
    out.push_back('{');
    bool first = true;
    if (!defaults.event_id.empty()) {
        append_member_name(out, first, "event_id");
        append_compact_json(
            out, rapidjson::Value(rapidjson::StringRef(defaults.event_id.data(),
                                                       static_cast<rapidjson::SizeType>(defaults.event_id.size()))));
    }
    if (!defaults.project_id.empty()) {
        append_member_name(out, first, "project_id");
        append_compact_json(
            out, rapidjson::Value(rapidjson::StringRef(defaults.project_id.data(),
                                                       static_cast<rapidjson::SizeType>(defaults.project_id.size()))));
    }
    if (!defaults.timestamp.empty()) {
        append_member_name(out, first, "event.timestamp");
        out.push_back('"');
        out.append(defaults.timestamp);  // digits, '-', ':', '.', 'T', 'Z': nothing to escape
        out.push_back('"');
    }
}

}  // namespace

void append_canonical_event(std::string &out, const rapidjson::Value &event, const EventDefaults &defaults)
{
    if (!defaults.any()) {
        append_compact_json(out, event);
        return;
    }
    append_defaults(out, defaults);
    for (const auto &member : event.GetObject()) {
        const std::string_view name(member.name.GetString(), member.name.GetStringLength());
        if (replaced_by_default(name, member.value, defaults)) continue;
        out.push_back(',');  // the defaults came first, so this is never the first member
        append_compact_json(out, member.name);
        out.push_back(':');
        append_compact_json(out, member.value);
    }
    out.push_back('}');
}

void append_canonical_event(std::string &out, std::string_view canonical_event, const EventDefaults &defaults)
{
    if (!defaults.any()) {
        out.append(canonical_event);
        return;
    }
    append_defaults(out, defaults);
    if (canonical_event.size() > 2) {  // not "{}": its members follow the defaults
        out.push_back(',');
        out.append(canonical_event.substr(1));
    } else {
        out.push_back('}');
    }
}

}  // namespace productgraph::event
