// Enable rule: the file is present, its own switch is true (or unset with
// ENABLED_BY_DEFAULT), and analytics providers also need ANALYTICS_ENABLED=true.
#include "plugin_host/plugin_settings.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
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

// The part of a declared variable the plugin actually wrote: a 1.0/1.1 element ends
// before `type`, and a field past the table's stride belongs to the next element.
struct DeclaredType {
    uint32_t type = PGRAPH_VAR_STRING;
    int64_t min_value = 0;
    int64_t max_value = 0;
    std::string_view allowed_values;
};

DeclaredType declared_type(const pgraph_env_var &variable, uint32_t element_size)
{
    const size_t written = std::min(element_size, variable.struct_size);
    const auto has = [written](size_t offset, size_t size) { return written >= offset + size; };
    DeclaredType declared;
    if (has(offsetof(pgraph_env_var, type), sizeof variable.type)) declared.type = variable.type;
    if (has(offsetof(pgraph_env_var, max_value), sizeof variable.max_value)) {
        declared.min_value = variable.min_value;
        declared.max_value = variable.max_value;
    }
    if (has(offsetof(pgraph_env_var, allowed_values), sizeof variable.allowed_values) &&
        variable.allowed_values != nullptr) {
        declared.allowed_values = variable.allowed_values;
    }
    return declared;
}

std::optional<int64_t> parse_integer(std::string_view text)
{
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    int64_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return number;
}

bool in_range(const DeclaredType &declared, int64_t number)
{
    if (declared.min_value == 0 && declared.max_value == 0) return true;  // both zero: no range
    return number >= declared.min_value && number <= declared.max_value;
}

std::string range_rule(const DeclaredType &declared)
{
    if (declared.min_value == 0 && declared.max_value == 0) return "";
    return " from " + std::to_string(declared.min_value) + " to " + std::to_string(declared.max_value);
}

bool is_one_of(std::string_view allowed, std::string_view value)
{
    for (size_t start = 0; start <= allowed.size();) {
        const size_t bar = std::min(allowed.find('|', start), allowed.size());
        if (allowed.substr(start, bar - start) == value) return true;
        start = bar + 1;
    }
    return false;
}

// http:// or https://, then a host of at least one character before any port, path,
// query or fragment; no spaces or control characters anywhere.
bool is_http_url(std::string_view value)
{
    for (const char c : value) {
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
    }
    size_t scheme_end = 0;
    if (value.starts_with("http://"))
        scheme_end = 7;
    else if (value.starts_with("https://"))
        scheme_end = 8;
    else
        return false;
    const std::string_view rest = value.substr(scheme_end);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    const std::string_view host_port = authority.substr(authority.find('@') + 1);  // npos + 1 == 0
    if (host_port.starts_with('[')) {
        const size_t close = host_port.find(']');
        return close != std::string_view::npos && close > 1;  // an IPv6 literal
    }
    return !host_port.empty() && host_port.front() != ':';
}

// The rule the value breaks, or empty when it keeps every rule.
std::string broken_rule(const DeclaredType &declared, std::string_view value)
{
    switch (declared.type) {
    case PGRAPH_VAR_BOOL: return common::parse_bool(value) ? "" : "must be true or false";
    case PGRAPH_VAR_INTEGER: {
        const auto number = parse_integer(value);
        return number && in_range(declared, *number) ? "" : "must be an integer" + range_rule(declared);
    }
    case PGRAPH_VAR_DURATION_MS: {
        const auto number = parse_integer(value);
        const bool ok = number && *number >= 0 && value.find_first_not_of("0123456789") == std::string_view::npos &&
                        in_range(declared, *number);
        return ok ? "" : "must be a whole number of milliseconds" + range_rule(declared);
    }
    case PGRAPH_VAR_URL: return is_http_url(value) ? "" : "must be an http:// or https:// URL with a host";
    case PGRAPH_VAR_ENUM:
        return is_one_of(declared.allowed_values, value) ? ""
                                                         : "must be one of " + std::string(declared.allowed_values);
    default: return "";  // PGRAPH_VAR_STRING, or a type from a newer minor this host cannot check
    }
}

}  // namespace

common::Result<void> check_variable_value(const pgraph_env_var &variable, uint32_t element_size, std::string_view value)
{
    const std::string rule = broken_rule(declared_type(variable, element_size), value);
    if (rule.empty()) return {};
    const std::string name = variable.name != nullptr ? variable.name : "(unnamed variable)";
    if ((variable.flags & PGRAPH_ENV_SECRET) != 0)
        return common::fail(name + ": " + rule + " (secret value not shown)");
    return common::fail(name + ": " + rule + ", got \"" + std::string(value) + "\"");
}

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
        const bool defaulted = !value && variable.default_value != nullptr;
        if (defaulted) value = variable.default_value;
        if (!value) {
            if ((variable.flags & PGRAPH_ENV_REQUIRED) != 0) {
                return common::fail(name + ": required by plugin " + descriptor.name +
                                    " when it is enabled, but not set");
            }
            continue;
        }
        if ((variable.flags & PGRAPH_ENV_SECRET) != 0) settings.secret_values.push_back(*value);
        if (auto checked = check_variable_value(variable, descriptor.env_var_size, *value); !checked) {
            // A bad default is the plugin's bug, not the operator's: say so.
            const std::string whose = defaulted ? " (the default of plugin " + std::string(descriptor.name) + ")" : "";
            if (settings.invalid_value.empty()) settings.invalid_value = checked.error().message + whose;
            continue;
        }
        settings.values.emplace_back(name, std::move(*value));
    }
    return settings;
}

}  // namespace productgraph::plugin_host
