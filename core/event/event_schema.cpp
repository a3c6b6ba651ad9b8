// The field table; kept as data so the spec and the validator cannot drift apart.
#include "event/event_schema.hpp"

#include <array>
#include <unordered_map>

namespace productgraph::event {
namespace {

using enum FieldType;

constexpr std::array known_fields = {
    FieldSpec{"event_id", string, FieldRole::event_id},
    FieldSpec{"project_id", string, FieldRole::project_id},
    FieldSpec{"product_id", string, FieldRole::project_id},
    FieldSpec{"session.id", string, FieldRole::session_id},
    FieldSpec{"event.type", string, FieldRole::type},
    FieldSpec{"event.timestamp", string, FieldRole::timestamp},
    FieldSpec{"event.name", string, FieldRole::name},
    FieldSpec{"user.id", string, FieldRole::user_id},
    FieldSpec{"device.id", string, FieldRole::device_id},
    FieldSpec{"org.id", string, FieldRole::none},
    FieldSpec{"event.sequence", integer, FieldRole::none},
    FieldSpec{"page.path", string, FieldRole::none},
    FieldSpec{"page.title", string, FieldRole::none},
    FieldSpec{"page.url", string, FieldRole::none},
    FieldSpec{"page.referrer", string, FieldRole::none},
    FieldSpec{"ui.component.name", string, FieldRole::none},
    FieldSpec{"ui.component.path", string, FieldRole::none},
    FieldSpec{"ui.component.type", string, FieldRole::none},
    FieldSpec{"ui.action", string, FieldRole::none},
    FieldSpec{"ui.element", string, FieldRole::none},
    FieldSpec{"ui.element.text", string, FieldRole::none},
    FieldSpec{"ui.viewport", string, FieldRole::none},
    FieldSpec{"ui.scroll.position", number, FieldRole::none},
    FieldSpec{"ui.state.key", string, FieldRole::none},
    FieldSpec{"ui.state.before", string, FieldRole::none},
    FieldSpec{"ui.state.after", string, FieldRole::none},
    FieldSpec{"ui.state.change_type", string, FieldRole::none},
    FieldSpec{"gen_ai.journey.id", string, FieldRole::none},
    FieldSpec{"gen_ai.journey.step.id", string, FieldRole::none},
    FieldSpec{"gen_ai.journey.step.name", string, FieldRole::none},
    FieldSpec{"gen_ai.journey.conversion.status", string, FieldRole::none},
    FieldSpec{"api.method", string, FieldRole::none},
    FieldSpec{"api.path", string, FieldRole::none},
    FieldSpec{"api.status_code", integer, FieldRole::none},
    FieldSpec{"api.duration_ms", integer, FieldRole::none},
    FieldSpec{"error.type", string, FieldRole::none},
    FieldSpec{"error.message", string, FieldRole::none},
    FieldSpec{"error.stack", string, FieldRole::none},
    FieldSpec{"error.component", string, FieldRole::none},
    FieldSpec{"performance.lcp_ms", number, FieldRole::none},
    FieldSpec{"performance.fid_ms", number, FieldRole::none},
    FieldSpec{"performance.cls", number, FieldRole::none},
    FieldSpec{"performance.ttfb_ms", number, FieldRole::none},
    FieldSpec{"snapshot.url", string, FieldRole::none},
    FieldSpec{"snapshot.viewport", string, FieldRole::none},
    FieldSpec{"duration_ms", integer, FieldRole::none},
    FieldSpec{"metadata", object, FieldRole::none},
};

constexpr std::array<std::string_view, 15> event_types = {
    "page.view",    "page.leave",  "ui.click",    "ui.input",     "ui.scroll",
    "ui.focus",     "ui.blur",     "ui.submit",   "state.change", "api.request",
    "api.response", "journey.step", "error",      "performance",  "custom",
};

const std::unordered_map<std::string_view, FieldSpec> &field_index()
{
    static const auto index = [] {
        std::unordered_map<std::string_view, FieldSpec> map;
        for (const FieldSpec &spec : known_fields) map.emplace(spec.name, spec);
        return map;
    }();
    return index;
}

}  // namespace

std::optional<FieldSpec> find_field(std::string_view name)
{
    const auto &index = field_index();
    const auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    return it->second;
}

bool is_known_event_type(std::string_view type)
{
    for (const std::string_view known : event_types) {
        if (known == type) return true;
    }
    return false;
}

std::string_view describe(FieldType type)
{
    switch (type) {
    case FieldType::string: return "a string";
    case FieldType::integer: return "an integer";
    case FieldType::number: return "a number";
    case FieldType::object: return "an object";
    }
    return "a value";
}

}  // namespace productgraph::event
