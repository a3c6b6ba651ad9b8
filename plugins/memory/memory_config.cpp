// Turns the memory plugin's configuration entries into typed settings.
#include "memory_config.hpp"

#include <productgraph/publisher.hpp>

#include <charconv>

namespace productgraph::memory {
namespace {

// pgraph::config_value cannot tell an absent variable from an empty one, and an
// empty MEMORY_MAX_EVENTS must be an error rather than a silent default.
std::optional<std::string_view> find_value(const pgraph_create_args &args, std::string_view name)
{
    const char *base = reinterpret_cast<const char *>(args.config);
    for (std::size_t i = 0; i < args.config_count; ++i) {
        const auto *entry = reinterpret_cast<const pgraph_config_entry *>(base + i * args.config_entry_size);
        if (pgraph::view(entry->name) == name) return pgraph::view(entry->value);
    }
    return std::nullopt;
}

}  // namespace

SettingsResult parse_settings(std::optional<std::string_view> max_events)
{
    MemorySettings settings;
    if (!max_events) return settings;

    // from_chars accepts neither signs nor spaces, so "+5", " 5" and "5 " fail here.
    std::size_t value = 0;
    if (!max_events->empty()) {
        const char *last = max_events->data() + max_events->size();
        const auto [end, error] = std::from_chars(max_events->data(), last, value);
        if (error != std::errc{} || end != last) value = 0;
    }
    if (value == 0) {
        return std::string(max_events_variable) + " must be a positive integer, got \"" + std::string(*max_events) +
               "\"";
    }
    settings.max_events = value;
    return settings;
}

SettingsResult read_settings(const pgraph_create_args &args)
{
    return parse_settings(find_value(args, max_events_variable));
}

}  // namespace productgraph::memory
