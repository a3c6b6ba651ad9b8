// The first check: the descriptor as the host validates it, printed for the author.
#include "conformance.hpp"

#include <algorithm>
#include <cstring>

namespace pgraph::check {
namespace {

bool valid_name(const char *name)
{
    if (name == nullptr || *name == '\0' || std::strlen(name) > 64) return false;
    return std::all_of(name, name + std::strlen(name),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

const char *text(const char *s)
{
    return s != nullptr ? s : "(null)";
}

std::string type_of(const pgraph_env_var &variable, uint32_t stride)
{
    const size_t written = std::min<size_t>(variable.struct_size, stride);
    if (written < offsetof(pgraph_env_var, type) + sizeof(uint32_t)) return "string (1.0 element)";
    const auto range = [&]() -> std::string {
        if (written < offsetof(pgraph_env_var, max_value) + sizeof(int64_t)) return "";
        if (variable.min_value == 0 && variable.max_value == 0) return "";
        return " " + std::to_string(variable.min_value) + ".." + std::to_string(variable.max_value);
    };
    switch (variable.type) {
    case PGRAPH_VAR_STRING: return "string";
    case PGRAPH_VAR_BOOL: return "bool";
    case PGRAPH_VAR_INTEGER: return "integer" + range();
    case PGRAPH_VAR_DURATION_MS: return "duration ms" + range();
    case PGRAPH_VAR_URL: return "url";
    case PGRAPH_VAR_ENUM: {
        const bool has = written >= offsetof(pgraph_env_var, allowed_values) + sizeof(const char *);
        return std::string("one of ") + (has ? text(variable.allowed_values) : "(none)");
    }
    default: return "type " + std::to_string(variable.type) + " (newer than this checker)";
    }
}

void check_variables(const pgraph_publisher_descriptor &d, const Report &report)
{
    constexpr size_t v1_0_size = offsetof(pgraph_env_var, description) + sizeof(const char *);
    if (d.env_var_count == 0) return;
    if (d.env_vars == nullptr || d.env_var_size < v1_0_size) {
        report.failure("env_vars is NULL or env_var_size " + std::to_string(d.env_var_size) + " is below 1.0's " +
                       std::to_string(v1_0_size));
        return;
    }
    report.info("variables:");
    for (uint32_t i = 0; i < d.env_var_count; ++i) {
        const pgraph_env_var &v = variable_at(d, i);
        if (v.name == nullptr || *v.name == '\0') {
            report.failure("variable " + std::to_string(i) + " has no name");
            continue;
        }
        if (v.struct_size < v1_0_size) report.failure(std::string(v.name) + ": struct_size below 1.0's");
        std::string flags;
        if ((v.flags & PGRAPH_ENV_REQUIRED) != 0) flags += " required";
        if ((v.flags & PGRAPH_ENV_SECRET) != 0) flags += " secret";
        const std::string fallback =
            v.default_value != nullptr ? std::string(" default \"") + v.default_value + "\"" : "";
        report.info(std::string("  ") + v.name + ": " + type_of(v, d.env_var_size) + flags + fallback + " - " +
                    text(v.description));
        if (std::min<size_t>(v.struct_size, d.env_var_size) >= offsetof(pgraph_env_var, allowed_values) + 8 &&
            v.type == PGRAPH_VAR_ENUM && (v.allowed_values == nullptr || *v.allowed_values == '\0')) {
            report.failure(std::string(v.name) + ": an enum without allowed_values accepts nothing");
        }
    }
}

}  // namespace

void describe_plugin(const Target &target, const Report &report)
{
    const LoadedPlugin loaded = load_plugin(target.file);
    if (loaded.descriptor == nullptr) {
        report.failure(loaded.error);
        return;
    }
    const pgraph_publisher_descriptor &d = *loaded.descriptor;
    if (d.struct_size < v1_0_descriptor_size) {
        report.failure("descriptor struct_size " + std::to_string(d.struct_size) + " is below 1.0's " +
                       std::to_string(v1_0_descriptor_size));
        return;
    }
    report.info(std::string("plugin: ") + text(d.name) + " " + text(d.version) + " - " + text(d.description));
    report.info("ABI: built for " + std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor) +
                ", runs on hosts 1." + std::to_string(d.min_host_minor) + " and newer");
    std::string flags;
    if ((d.flags & PGRAPH_PLUGIN_ANALYTICS_PROVIDER) != 0) flags += " analytics-provider";
    if ((d.flags & PGRAPH_PLUGIN_ENABLED_BY_DEFAULT) != 0) flags += " enabled-by-default";
    report.info("switch: " + std::string(text(d.enable_variable)) + (flags.empty() ? "" : ";" + flags));
    report.info("batches: at most " + std::to_string(d.max_batch_events) + " events, " +
                (d.max_batch_bytes == 0 ? std::string("no byte limit") : std::to_string(d.max_batch_bytes) + " bytes"));
    const bool has_verify = PGRAPH_HAS_FIELD(&d, pgraph_publisher_descriptor, verify) && d.verify != nullptr;
    report.info(std::string("optional functions:") + (d.flush != nullptr ? " flush" : "") +
                (d.handle_request != nullptr ? " handle_request" : "") + (has_verify ? " verify" : "") +
                (d.flush == nullptr && d.handle_request == nullptr && !has_verify ? " none" : ""));

    if (d.abi_major != PGRAPH_ABI_MAJOR) report.failure("abi_major is " + std::to_string(d.abi_major) + ", not 1");
    if (d.min_host_minor > d.abi_minor) report.failure("min_host_minor is newer than the plugin's own abi_minor");
    if (!valid_name(d.name)) report.failure("name must be 1-64 characters of [a-z0-9_-]");
    if (d.version == nullptr) report.failure("version is NULL");
    if (d.create == nullptr || d.publish == nullptr || d.destroy == nullptr) {
        report.failure("create, publish and destroy are required");
    }
    if (d.max_batch_events == 0) report.failure("max_batch_events must be at least 1");
    if (d.enable_variable == nullptr || *d.enable_variable == '\0') report.failure("enable_variable is missing");
    check_variables(d, report);
}

}  // namespace pgraph::check
