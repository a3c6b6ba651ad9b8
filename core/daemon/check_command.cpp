// Both commands walk the same steps as start-up (daemon_environment, daemon_config,
// plugin_catalog) but report every problem instead of stopping at the first, and
// print for a human on stdout; the JSON log lines still go to stderr.
#include "daemon/check_command.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "daemon/build_info.hpp"
#include "daemon/daemon_config.hpp"
#include "daemon/daemon_environment.hpp"
#include "daemon/provider_warnings.hpp"
#include "plugin_host/plugin_catalog.hpp"

namespace productgraph::daemon {
namespace {

using plugin_host::PluginEntry;
using plugin_host::PluginState;

void print(const std::string &line)
{
    std::fputs((line + "\n").c_str(), stdout);
}

struct Findings {
    size_t errors = 0;
    size_t warnings = 0;

    void error(const std::string &what)
    {
        ++errors;
        print("error: " + what);
    }
    void warning(const std::string &what)
    {
        ++warnings;
        print("warning: " + what);
    }
};

// The environment and the plugin folder, as the daemon would see them now.
struct Setting {
    std::optional<DaemonEnvironment> environment;
    std::filesystem::path plugin_dir;
};

Setting read_setting(Findings &findings)
{
    Setting setting;
    auto environment = DaemonEnvironment::load(inherited_environment());
    if (!environment) {
        findings.error(environment.error().message);
        return setting;
    }
    if (const auto &file = environment->env_file()) {
        print("env file: " + file->string() + " (" + std::to_string(environment->from_file()) + " variables)");
    }
    const common::EnvLookup env = environment->lookup();
    if (auto config = read_daemon_config(env)) {
        print("daemon variables: ok");
        setting.plugin_dir = config->plugin_dir;
    } else {
        findings.error(config.error().message);
        setting.plugin_dir = env("PRODUCTGRAPH_PLUGIN_DIR").value_or(default_plugin_dir().string());
    }
    setting.environment = std::move(*environment);
    return setting;
}

// Every file as start-up would load and create it (the instances are destroyed with
// the catalog). Problems stay in each entry instead of stopping at the first.
std::vector<PluginEntry> inspect_plugins(const Setting &setting, Findings &findings)
{
    std::vector<PluginEntry> catalog;
    auto files = plugin_host::list_plugin_files(setting.plugin_dir);
    if (!files) {
        findings.error(files.error().message);
        return catalog;
    }
    print("plugin dir: " + setting.plugin_dir.string() + " (" + std::to_string(files->size()) + " files)");
    const common::EnvLookup env = setting.environment->lookup();
    for (const auto &file : *files) {
        PluginEntry entry = plugin_host::open_plugin_file(file);
        if (entry.library != nullptr && !plugin_host::mark_if_duplicate(entry, catalog)) {
            if (auto configured = plugin_host::configure_plugin(entry, env); !configured) {
                entry.state = PluginState::failed;
                entry.reason = configured.error().message;
            } else if (entry.settings.enabled) {
                plugin_host::create_plugin_instance(entry);
            }
        }
        catalog.push_back(std::move(entry));
    }
    return catalog;
}

std::string plugin_title(const PluginEntry &entry)
{
    if (entry.name.empty()) return entry.file;
    return entry.file + ": " + entry.name + " " + entry.version + " (ABI " + entry.abi + ")";
}

std::string type_text(const pgraph_env_var &variable)
{
    if (!PGRAPH_HAS_FIELD(&variable, pgraph_env_var, allowed_values)) return "text";
    switch (variable.type) {
    case PGRAPH_VAR_BOOL: return "true/false";
    case PGRAPH_VAR_INTEGER:
    case PGRAPH_VAR_DURATION_MS: {
        std::string text = variable.type == PGRAPH_VAR_INTEGER ? "integer" : "milliseconds";
        if (variable.min_value != 0 || variable.max_value != 0) {
            text += " " + std::to_string(variable.min_value) + ".." + std::to_string(variable.max_value);
        }
        return text;
    }
    case PGRAPH_VAR_URL: return "URL";
    case PGRAPH_VAR_ENUM: return std::string("one of ") + (variable.allowed_values ? variable.allowed_values : "");
    default: return "text";
    }
}

// "NAME = value" with the value masked for a secret, then what it is.
void print_variables(const PluginEntry &entry, const common::EnvLookup &env)
{
    const pgraph_publisher_descriptor &descriptor = *entry.library->descriptor;
    const auto shown = [&](const std::string &name, bool secret, const char *fallback) {
        const auto value = env(name);
        if (value && !value->empty()) return secret ? std::string("******** (set)") : "\"" + *value + "\"";
        if (fallback != nullptr) return std::string("\"") + fallback + "\" (default)";
        return std::string("(unset)");
    };
    const std::string switch_name = descriptor.enable_variable;
    const std::string switch_note = (descriptor.flags & PGRAPH_PLUGIN_ANALYTICS_PROVIDER) != 0
                                        ? "the plugin's switch; also needs ANALYTICS_ENABLED=true"
                                        : "the plugin's switch";
    bool switch_declared = false;
    for (uint32_t i = 0; i < descriptor.env_var_count; ++i) {
        const pgraph_env_var &variable = plugin_host::declared_variable(descriptor, i);
        switch_declared = switch_declared || (variable.name != nullptr && variable.name == switch_name);
    }
    if (!switch_declared) {
        const bool on_by_default = (descriptor.flags & PGRAPH_PLUGIN_ENABLED_BY_DEFAULT) != 0;
        print("    " + switch_name + " = " + shown(switch_name, false, on_by_default ? "true" : "false") +
              "\n        " + switch_note);
    }
    for (uint32_t i = 0; i < descriptor.env_var_count; ++i) {
        const pgraph_env_var &variable = plugin_host::declared_variable(descriptor, i);
        if (variable.name == nullptr) continue;
        const bool secret = (variable.flags & PGRAPH_ENV_SECRET) != 0;
        std::string traits = type_text(variable);
        if ((variable.flags & PGRAPH_ENV_REQUIRED) != 0) traits += ", required";
        if (secret) traits += ", secret";
        if (variable.name == switch_name) traits += "; " + switch_note;
        print("    " + std::string(variable.name) + " = " + shown(variable.name, secret, variable.default_value) +
              "\n        " + (variable.description != nullptr ? variable.description : "") + " [" + traits + "]");
    }
}

void print_warnings(const std::vector<PluginEntry> &catalog, const Setting &setting, Findings &findings)
{
    for (const auto &warning :
         missing_provider_warnings(catalog, setting.environment->variables(), setting.plugin_dir)) {
        findings.warning(warning);
    }
}

}  // namespace

int run_check()
{
    print("productgraphd " + std::string(build_info::version) + " (commit " + std::string(build_info::git_commit) +
          ", plugin ABI " + std::string(build_info::plugin_abi) + "): checking the configuration");
    Findings findings;
    const Setting setting = read_setting(findings);
    if (setting.environment) {
        const auto catalog = inspect_plugins(setting, findings);
        size_t enabled = 0;
        for (const PluginEntry &entry : catalog) {
            if (entry.state == PluginState::failed || !entry.credentials_refused.empty()) {
                findings.error(plugin_title(entry) + ": " + entry.reason);
                continue;
            }
            enabled += entry.state == PluginState::enabled ? 1 : 0;
            print(plugin_title(entry) + ": " + std::string(plugin_host::state_name(entry.state)) +
                  (entry.reason.empty() ? "" : " (" + entry.reason + ")"));
        }
        if (enabled == 0) findings.warning("no plugin is enabled: accepted events would not be forwarded anywhere");
        print_warnings(catalog, setting, findings);
    }
    if (findings.errors > 0) {
        print("check failed: " + std::to_string(findings.errors) + " error(s), " + std::to_string(findings.warnings) +
              " warning(s)");
        return 1;
    }
    print("check passed: " + std::to_string(findings.warnings) + " warning(s)");
    return 0;
}

int run_list_plugins()
{
    Findings findings;
    const Setting setting = read_setting(findings);
    if (!setting.environment) return 0;
    const auto catalog = inspect_plugins(setting, findings);
    const common::EnvLookup env = setting.environment->lookup();
    for (const PluginEntry &entry : catalog) {
        print(plugin_title(entry));
        if (entry.library != nullptr && entry.library->descriptor->description != nullptr) {
            print("  " + std::string(entry.library->descriptor->description));
        }
        print("  state if started now: " + std::string(plugin_host::state_name(entry.state)) +
              (entry.reason.empty() ? "" : " (" + entry.reason + ")"));
        if (entry.library != nullptr) {
            print("  variables:");
            print_variables(entry, env);
        }
    }
    print_warnings(catalog, setting, findings);
    return 0;
}

}  // namespace productgraph::daemon
