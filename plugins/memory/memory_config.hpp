// The memory plugin's declared environment variables and the typed settings read from them.
#ifndef PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_CONFIG_HPP
#define PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_CONFIG_HPP

#include <productgraph/publisher.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace productgraph::memory {

/// Switches the plugin on or off; read by the host, not by the plugin.
inline constexpr const char *enable_variable = "MEMORY_ENABLED";
/// How many of the newest events the store keeps.
inline constexpr const char *max_events_variable = "MEMORY_MAX_EVENTS";

/// The variables the descriptor declares. The host reads the environment, applies
/// the defaults and hands the values to create.
inline constexpr pgraph_env_var declared_variables[] = {
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = enable_variable,
        .default_value = "true",
        .description = "Keep the newest events in memory for GET /v1/plugins/memory/events",
        .type = PGRAPH_VAR_BOOL,
        .reserved0 = 0,
        .min_value = 0,
        .max_value = 0,
        .allowed_values = nullptr,
    },
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = max_events_variable,
        .default_value = "100000",
        .description = "How many of the newest events to keep; older ones are evicted",
        .type = PGRAPH_VAR_INTEGER,
        .reserved0 = 0,
        .min_value = 1,
        .max_value = 100000000,
        .allowed_values = nullptr,
    },
};

/// Typed settings of one memory plugin instance.
struct MemorySettings {
    std::size_t max_events = 100000;
};

/// The settings, or a one-line reason that names the variable at fault.
using SettingsResult = std::variant<MemorySettings, std::string>;

/// Builds the settings from the value of MEMORY_MAX_EVENTS; nullopt means the host
/// passed no value, so the declared default applies.
SettingsResult parse_settings(std::optional<std::string_view> max_events);

/// Builds the settings from the configuration entries handed to create.
SettingsResult read_settings(const pgraph_create_args &args);

}  // namespace productgraph::memory

#endif  // PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_CONFIG_HPP
