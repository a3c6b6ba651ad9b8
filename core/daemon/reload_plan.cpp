// Diffing two catalogs by file (what to load again) and then by plugin name (what
// the dispatcher must start, stop or restart).
#include "daemon/reload_plan.hpp"

#include <algorithm>
#include <map>

namespace productgraph::daemon {
namespace {

using plugin_host::PluginEntry;
using plugin_host::PluginState;

const PluginEntry *find_by_file(const std::vector<PluginEntry> &catalog, const std::string &file)
{
    for (const PluginEntry &entry : catalog) {
        if (entry.file == file) return &entry;
    }
    return nullptr;
}

// The entry `image` gives, before the enable rule: the previous one's library when
// the bytes are the same, a fresh load otherwise.
common::Result<PluginEntry> reopen(const plugin_host::PluginFileImage &image, const PluginEntry *previous,
                                   const std::vector<PluginEntry> &catalog)
{
    PluginEntry entry;
    if (previous != nullptr && previous->fingerprint == image.fingerprint && previous->library != nullptr) {
        entry.file = previous->file;
        entry.name = previous->name;
        entry.version = previous->version;
        entry.abi = previous->abi;
        entry.fingerprint = previous->fingerprint;
        entry.library = previous->library;
    } else {
        entry = plugin_host::open_plugin_file(image);
        if (entry.library == nullptr) return common::fail(entry.file + ": " + entry.reason);
    }
    if (plugin_host::mark_if_duplicate(entry, catalog)) {
        // Quiet when it was already the duplicate of the same plugin: nothing changed.
        const bool already = previous != nullptr && previous->duplicate && previous->library == entry.library;
        if (!already) return common::fail(entry.file + ": " + entry.reason);
    }
    return entry;
}

// A previous entry that reload leaves exactly as it was: it failed, and neither its
// file nor (for one that failed at create) its variables changed.
bool still_failed_the_same_way(const PluginEntry *previous, const PluginEntry &next)
{
    return previous != nullptr && previous->state == PluginState::failed && previous->library == next.library &&
           previous->settings.values == next.settings.values;
}

std::string why_restarted(const PluginEntry &previous, const PluginEntry &next)
{
    if (previous.library != next.library) return "its file changed";
    return "its variables changed";
}

}  // namespace

std::string_view change_name(PluginChange::Kind kind)
{
    switch (kind) {
    case PluginChange::Kind::start: return "started";
    case PluginChange::Kind::stop: return "stopped";
    case PluginChange::Kind::restart: return "restarted";
    }
    return "changed";
}

common::Result<ReloadPlan> plan_reload(const std::vector<PluginEntry> &current, const std::filesystem::path &directory,
                                       const common::EnvLookup &env)
{
    auto files = plugin_host::list_plugin_files(directory);
    if (!files) return tl::unexpected(files.error());
    ReloadPlan plan;
    for (const auto &file : *files) {
        const PluginEntry *previous = find_by_file(current, file.filename().string());
        auto image = plugin_host::read_plugin_file(file);
        if (!image) return common::fail(file.filename().string() + ": " + image.error().message);
        if (previous != nullptr && previous->library == nullptr && previous->fingerprint == image->fingerprint) {
            plan.catalog.push_back(*previous);  // did not load before, and has not changed since
            continue;
        }
        auto entry = reopen(*image, previous, plan.catalog);
        if (!entry) return tl::unexpected(entry.error());
        if (entry->duplicate) {
            plan.catalog.push_back(std::move(*entry));
            continue;
        }
        if (auto configured = plugin_host::configure_plugin(*entry, env); !configured) {
            return common::fail(entry->file + ": " + configured.error().message);
        }
        if (entry->settings.enabled) {
            const bool same = previous != nullptr && previous->instance != nullptr &&
                              previous->library == entry->library &&
                              previous->settings.values == entry->settings.values;
            if (same) {
                *entry = *previous;  // untouched: the running instance and its state
            } else if (still_failed_the_same_way(previous, *entry)) {
                *entry = *previous;
            } else {
                plugin_host::create_plugin_instance(*entry);
                if (entry->instance == nullptr) return common::fail(entry->file + ": " + entry->reason);
            }
        }
        plan.catalog.push_back(std::move(*entry));
    }

    // Now by name: the dispatcher knows plugins, not files.
    std::map<std::string, const PluginEntry *> running_before;
    std::map<std::string, const PluginEntry *> running_after;
    for (const PluginEntry &entry : current) {
        if (entry.instance != nullptr) running_before.emplace(entry.name, &entry);
    }
    for (const PluginEntry &entry : plan.catalog) {
        if (entry.instance != nullptr) running_after.emplace(entry.name, &entry);
    }
    for (const auto &[name, before] : running_before) {
        const auto after = running_after.find(name);
        if (after == running_after.end()) {
            const PluginEntry *now = find_by_file(plan.catalog, before->file);
            const std::string why = now == nullptr ? "its file was removed" : "disabled: " + now->reason;
            plan.changes.push_back({PluginChange::Kind::stop, name, before->file, why, nullptr});
        }
    }
    for (const auto &[name, after] : running_after) {
        const auto before = running_before.find(name);
        if (before == running_before.end()) {
            const bool known = find_by_file(current, after->file) != nullptr;
            plan.changes.push_back(
                {PluginChange::Kind::start, name, after->file, known ? "enabled" : "new plugin file", after->instance});
        } else if (before->second->instance != after->instance) {
            plan.changes.push_back({PluginChange::Kind::restart, name, after->file,
                                    why_restarted(*before->second, *after), after->instance});
        } else {
            ++plan.unchanged;
        }
    }
    std::stable_partition(plan.changes.begin(), plan.changes.end(),
                          [](const PluginChange &change) { return change.kind == PluginChange::Kind::stop; });
    return plan;
}

}  // namespace productgraph::daemon
