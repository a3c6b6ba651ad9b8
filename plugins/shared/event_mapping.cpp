// The mapping tables. Kept as data beside one rule so that an unlisted field still
// gets a predictable name ("All properties are preserved").
#include "event_mapping.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace productgraph::plugins {
namespace {

struct TypeNames {
    std::string_view type;
    std::string_view amplitude;
    std::string_view mixpanel;
};

// Rows from product-spec §3; the rest follow the same spirit: Amplitude names the
// kind of action, Mixpanel calls everything but a page view "Track".
constexpr std::array type_names = {
    TypeNames{"page.view", "Page View", "Page View"},   TypeNames{"page.leave", "Page Leave", "Track"},
    TypeNames{"ui.click", "User Action", "Track"},      TypeNames{"ui.input", "User Action", "Track"},
    TypeNames{"ui.scroll", "User Action", "Track"},     TypeNames{"ui.focus", "User Action", "Track"},
    TypeNames{"ui.blur", "User Action", "Track"},       TypeNames{"ui.submit", "User Action", "Track"},
    TypeNames{"state.change", "State Change", "Track"}, TypeNames{"api.request", "API Request", "Track"},
    TypeNames{"api.response", "API Response", "Track"}, TypeNames{"journey.step", "Journey Event", "Track"},
    TypeNames{"error", "Error Event", "Track"},         TypeNames{"performance", "Performance", "Track"},
    TypeNames{"custom", "Custom Event", "Track"},
};

constexpr std::array<std::string_view, 10> wire_fields = {
    "event_id",  "project_id", "product_id", "session.id",      "user.id",
    "device.id", "event.type", "event.name", "event.timestamp", "metadata",
};

constexpr std::array<std::string_view, 3> dropped_namespaces = {"ui.", "gen_ai.", "performance."};

}  // namespace

std::string provider_event_name(Provider provider, std::string_view type, std::string_view name)
{
    return std::string(provider_event_name_view(provider, type, name));
}

std::string_view provider_event_name_view(Provider provider, std::string_view type, std::string_view name)
{
    if (!name.empty()) return name;
    for (const TypeNames &row : type_names) {
        if (row.type == type) return provider == Provider::amplitude ? row.amplitude : row.mixpanel;
    }
    return type;  // the validator admits only known types; never reached in practice
}

std::optional<std::string> property_name(std::string_view field)
{
    std::string name;
    if (!append_property_name(field, name)) return std::nullopt;
    return name;
}

bool append_property_name(std::string_view field, std::string &out)
{
    // Called for every member of every event: the first byte rules out most names
    // before any memcmp.
    if (field.empty()) return true;
    for (const std::string_view wire : wire_fields) {
        if (field[0] == wire[0] && field == wire) return false;
    }
    for (const std::string_view prefix : dropped_namespaces) {
        if (field[0] == prefix[0] && field.starts_with(prefix)) {
            field.remove_prefix(prefix.size());
            break;
        }
    }
    const std::size_t start = out.size();
    out.append(field);
    char *name = out.data() + start;  // a local pointer: writes through out[i] reload out's buffer each time
    std::replace(name, name + field.size(), '.', '_');
    return true;
}

}  // namespace productgraph::plugins
