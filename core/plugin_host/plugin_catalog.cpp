// Directory scan and start-up log lines; each file's fate is decided here once.
#include "plugin_host/plugin_catalog.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <system_error>

#include "common/log.hpp"

namespace productgraph::plugin_host {
namespace {

// How long a plugin's start-up credential check may take (one provider request).
constexpr std::chrono::milliseconds verify_budget{5000};

std::vector<std::filesystem::path> plugin_files(const std::filesystem::path &directory)
{
    std::vector<std::filesystem::path> files;
    for (const auto &item : std::filesystem::directory_iterator(directory)) {
        if (item.path().extension() == ".so" && item.is_regular_file()) files.push_back(item.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

void log_entry(const PluginEntry &entry)
{
    if (entry.state == PluginState::failed) {
        common::log_warn("plugin skipped", {{"file", entry.file}, {"name", entry.name}, {"reason", entry.reason}});
        return;
    }
    common::log_info("plugin loaded", {{"file", entry.file},
                                       {"name", entry.name},
                                       {"version", entry.version},
                                       {"abi", entry.abi},
                                       {"state", state_name(entry.state)},
                                       {"reason", entry.reason}});
}

// Asks the plugin to check its credentials before any traffic: a definite refusal
// fails the entry (the instance is destroyed); an inconclusive answer is a warning.
bool credentials_accepted(PluginEntry &entry, PluginInstance &instance)
{
    using namespace std::chrono;
    const auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch());
    const VerifyOutcome outcome = instance.verify((now + verify_budget).count());
    if (outcome.kind == VerifyOutcome::Kind::refused) {
        entry.reason = "credentials refused: " + outcome.reason;
        return false;
    }
    if (outcome.kind == VerifyOutcome::Kind::inconclusive) {
        common::log_warn("plugin credential check inconclusive; keeping the plugin enabled",
                         {{"name", entry.name}, {"reason", outcome.reason}});
    }
    return true;
}

}  // namespace

std::string_view state_name(PluginState state)
{
    switch (state) {
    case PluginState::enabled: return "enabled";
    case PluginState::disabled: return "disabled";
    case PluginState::failed: return "failed";
    }
    return "failed";
}

common::Result<std::vector<PluginEntry>> load_plugin_catalog(const std::filesystem::path &directory,
                                                             const EnvLookup &env)
{
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) {
        return common::fail("PRODUCTGRAPH_PLUGIN_DIR: " + directory.string() + " is not a readable directory");
    }
    std::vector<PluginEntry> catalog;
    std::set<std::string> names_seen;
    for (const auto &file : plugin_files(directory)) {
        PluginEntry entry;
        entry.file = file.filename().string();
        auto library = load_plugin_library(file);
        if (!library) {
            entry.reason = library.error().message;
            log_entry(entry);
            catalog.push_back(std::move(entry));
            continue;
        }
        entry.library = std::move(*library);
        const pgraph_publisher_descriptor &descriptor = *entry.library.descriptor;
        entry.name = descriptor.name;
        entry.version = descriptor.version != nullptr ? descriptor.version : "";
        entry.abi = std::to_string(descriptor.abi_major) + "." + std::to_string(descriptor.abi_minor);
        if (!names_seen.insert(entry.name).second) {
            entry.reason = "another file already provides plugin " + entry.name;
            log_entry(entry);
            catalog.push_back(std::move(entry));
            continue;
        }
        auto settings = read_plugin_settings(descriptor, env);
        if (!settings) return tl::unexpected(settings.error());
        if (!settings->enabled) {
            entry.state = PluginState::disabled;
            entry.reason = settings->disabled_reason;
        } else if (!settings->invalid_value.empty()) {
            entry.reason = settings->invalid_value;  // e.g. AMPLITUDE_REGION: must be one of us|eu, got "mars"
        } else if (auto instance = PluginInstance::create(descriptor, *settings)) {
            if (credentials_accepted(entry, **instance)) {
                entry.state = PluginState::enabled;
                entry.instance = std::move(*instance);
            }
        } else {
            entry.reason = instance.error().message;
        }
        log_entry(entry);
        if (entry.state == PluginState::enabled && (descriptor.flags & PGRAPH_PLUGIN_ANALYTICS_PROVIDER) != 0) {
            common::log_info(entry.name + " provider enabled");
        }
        catalog.push_back(std::move(entry));
    }
    return catalog;
}

}  // namespace productgraph::plugin_host
