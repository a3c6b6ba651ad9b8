// Directory scan and the fate of each file: loaded, configured, created. Start-up
// runs every step for every file; a reload reuses what did not change.
#include "plugin_host/plugin_catalog.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <system_error>

#include "common/log.hpp"

namespace productgraph::plugin_host {
namespace {

// How long a plugin's credential check may take (one provider request).
constexpr std::chrono::milliseconds verify_budget{5000};

// Asks the plugin to check its credentials before any traffic. Returns the reason
// the entry fails for a definite refusal; an inconclusive answer is only a warning.
std::optional<std::string> credentials_refused(const std::string &name, PluginInstance &instance)
{
    using namespace std::chrono;
    const auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch());
    const VerifyOutcome outcome = instance.verify((now + verify_budget).count());
    if (outcome.kind == VerifyOutcome::Kind::refused) return "credentials refused: " + outcome.reason;
    if (outcome.kind == VerifyOutcome::Kind::inconclusive) {
        common::log_warn("plugin credential check inconclusive; keeping the plugin enabled",
                         {{"name", name}, {"reason", outcome.reason}});
    }
    return std::nullopt;
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

bool PluginEntry::is_analytics_provider() const
{
    return library != nullptr && (library->descriptor->flags & PGRAPH_PLUGIN_ANALYTICS_PROVIDER) != 0;
}

common::Result<std::vector<std::filesystem::path>> list_plugin_files(const std::filesystem::path &directory)
{
    std::error_code error;
    std::vector<std::filesystem::path> files;
    std::filesystem::directory_iterator items(directory, error);
    if (error) {
        return common::fail("PRODUCTGRAPH_PLUGIN_DIR: " + directory.string() + " is not a readable directory");
    }
    for (const auto &item : items) {
        if (item.path().extension() == ".so" && item.is_regular_file(error)) files.push_back(item.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

PluginEntry open_plugin_file(const PluginFileImage &image)
{
    PluginEntry entry;
    entry.file = image.file.filename().string();
    entry.fingerprint = image.fingerprint;
    auto library = load_plugin_library(image);
    if (!library) {
        entry.reason = library.error().message;
        return entry;
    }
    entry.library = std::make_shared<const PluginLibrary>(std::move(*library));
    const pgraph_publisher_descriptor &descriptor = *entry.library->descriptor;
    entry.name = descriptor.name;
    entry.version = descriptor.version != nullptr ? descriptor.version : "";
    entry.abi = std::to_string(descriptor.abi_major) + "." + std::to_string(descriptor.abi_minor);
    return entry;
}

PluginEntry open_plugin_file(const std::filesystem::path &file)
{
    auto image = read_plugin_file(file);
    if (image) return open_plugin_file(*image);
    PluginEntry entry;
    entry.file = file.filename().string();
    entry.reason = image.error().message;
    return entry;
}

common::Result<void> configure_plugin(PluginEntry &entry, const EnvLookup &env)
{
    auto settings = read_plugin_settings(*entry.library->descriptor, env);
    if (!settings) return tl::unexpected(settings.error());
    entry.settings = std::move(*settings);
    if (!entry.settings.enabled) {
        entry.state = PluginState::disabled;
        entry.reason = entry.settings.disabled_reason;
    }
    return {};
}

void create_plugin_instance(PluginEntry &entry)
{
    if (!entry.settings.invalid_value.empty()) {  // e.g. AMPLITUDE_REGION: must be one of us|eu, got "mars"
        entry.state = PluginState::failed;
        entry.reason = entry.settings.invalid_value;
        return;
    }
    // The file and the fingerprint of the bytes loaded: a crash record names them.
    auto instance = PluginInstance::create(*entry.library->descriptor, entry.settings,
                                           PluginOrigin{entry.library->file, entry.library->fingerprint});
    if (!instance) {
        entry.state = PluginState::failed;
        entry.reason = instance.error().message;
        return;
    }
    entry.state = PluginState::enabled;
    entry.reason.clear();
    if (auto refused = credentials_refused(entry.name, **instance)) {
        common::log_error("plugin credentials refused; the plugin is failed and keeps its events",
                          {{"name", entry.name}, {"reason", *refused}});
        entry.reason = *refused;
        entry.credentials_refused = std::move(*refused);
    }
    entry.instance = std::move(*instance);
}

bool mark_if_duplicate(PluginEntry &entry, const std::vector<PluginEntry> &catalog)
{
    const bool taken = std::any_of(catalog.begin(), catalog.end(), [&](const PluginEntry &other) {
        return other.library != nullptr && !other.duplicate && other.name == entry.name;
    });
    if (!taken) return false;
    entry.state = PluginState::failed;
    entry.reason = "another file already provides plugin " + entry.name;
    entry.duplicate = true;  // never configured nor created: the first file is the plugin
    return true;
}

void log_plugin_entry(const PluginEntry &entry)
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

common::Result<std::vector<PluginEntry>> load_plugin_catalog(const std::filesystem::path &directory,
                                                             const EnvLookup &env)
{
    auto files = list_plugin_files(directory);
    if (!files) return tl::unexpected(files.error());
    std::vector<PluginEntry> catalog;
    for (const auto &file : *files) {
        PluginEntry entry = open_plugin_file(file);
        if (entry.library != nullptr && !mark_if_duplicate(entry, catalog)) {
            if (auto configured = configure_plugin(entry, env); !configured) return tl::unexpected(configured.error());
            if (entry.settings.enabled) create_plugin_instance(entry);
        }
        log_plugin_entry(entry);
        if (entry.state == PluginState::enabled && entry.is_analytics_provider()) {
            common::log_info(entry.name + " provider enabled");
        }
        catalog.push_back(std::move(entry));
    }
    return catalog;
}

}  // namespace productgraph::plugin_host
