// Enable rule: the file is present, its own switch is true (or unset with
// ENABLED_BY_DEFAULT), and analytics providers also need ANALYTICS_ENABLED=true.
#include "plugin_host/plugin_settings.hpp"

#include <cstdlib>

#include "common/environment.hpp"

namespace productgraph::plugin_host {
namespace {

common::Result<bool> read_switch(const EnvLookup &env, const std::string &name, bool fallback)
{
    const auto value = env(name);
    if (!value || value->empty()) return fallback;
    if (const auto parsed = common::parse_bool(*value)) return *parsed;
    return common::fail(name + ": must be true or false, got \"" + *value + "\"");
}

}  // namespace

EnvLookup process_environment()
{
    return [](const std::string &name) -> std::optional<std::string> { return common::env_value(name.c_str()); };
}

const pgraph_env_var &declared_variable(const pgraph_publisher_descriptor &descriptor, uint32_t i)
{
    const char *base = reinterpret_cast<const char *>(descriptor.env_vars);
    return *reinterpret_cast<const pgraph_env_var *>(base + static_cast<size_t>(i) * descriptor.env_var_size);
}

common::Result<PluginSettings> read_plugin_settings(const pgraph_publisher_descriptor &descriptor, const EnvLookup &env)
{
    PluginSettings settings;
    const std::string enable_variable = descriptor.enable_variable;
    const bool on_by_default = (descriptor.flags & PGRAPH_PLUGIN_ENABLED_BY_DEFAULT) != 0;
    const auto own_switch = read_switch(env, enable_variable, on_by_default);
    if (!own_switch) return tl::unexpected(own_switch.error());
    if (!*own_switch) {
        settings.disabled_reason = enable_variable + " is not true";
        return settings;
    }
    if ((descriptor.flags & PGRAPH_PLUGIN_ANALYTICS_PROVIDER) != 0) {
        const auto master = read_switch(env, "ANALYTICS_ENABLED", false);
        if (!master) return tl::unexpected(master.error());
        if (!*master) {
            settings.disabled_reason = "ANALYTICS_ENABLED is not true";
            return settings;
        }
    }
    settings.enabled = true;

    for (uint32_t i = 0; i < descriptor.env_var_count; ++i) {
        const pgraph_env_var &variable = declared_variable(descriptor, i);
        if (variable.name == nullptr) continue;
        const std::string name = variable.name;
        std::optional<std::string> value = env(name);
        if (value && value->empty()) value.reset();  // VAR= in an env file means unset
        if (!value && variable.default_value != nullptr) value = variable.default_value;
        if (!value) {
            if ((variable.flags & PGRAPH_ENV_REQUIRED) != 0) {
                return common::fail(name + ": required by plugin " + descriptor.name +
                                    " when it is enabled, but not set");
            }
            continue;
        }
        if ((variable.flags & PGRAPH_ENV_SECRET) != 0) settings.secret_values.push_back(*value);
        settings.values.emplace_back(name, std::move(*value));
    }
    return settings;
}

}  // namespace productgraph::plugin_host
