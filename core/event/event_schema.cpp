// The field table; kept as data so the spec and the validator cannot drift apart.
#include "event/event_schema.hpp"

#include <array>
#include <vector>

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
    "page.view",    "page.leave",  "ui.click",     "ui.input",     "ui.scroll", "ui.focus",    "ui.blur", "ui.submit",
    "state.change", "api.request", "api.response", "journey.step", "error",     "performance", "custom",
};

// Field lookup runs once per member of every event, so it avoids hashing whole
// names: a bucket is chosen from the length and the first and last characters,
// and the few names in it are compared in full.
constexpr size_t bucket_count = 256;

size_t bucket_of(std::string_view name)
{
    if (name.empty()) return 0;
    const auto first = static_cast<unsigned char>(name.front());
    const auto last = static_cast<unsigned char>(name.back());
    return (name.size() * 31 + first * 7 + last) % bucket_count;
}

const std::array<std::vector<FieldSpec>, bucket_count> &field_buckets()
{
    static const auto buckets = [] {
        std::array<std::vector<FieldSpec>, bucket_count> table;
        for (const FieldSpec &spec : known_fields) table[bucket_of(spec.name)].push_back(spec);
        return table;
    }();
    return buckets;
}

}  // namespace

std::optional<FieldSpec> find_field(std::string_view name)
{
    for (const FieldSpec &spec : field_buckets()[bucket_of(name)]) {
        if (spec.name == name) return spec;
    }
    return std::nullopt;
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
