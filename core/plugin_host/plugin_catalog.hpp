// Scans the plugin directory and turns every *.so into a catalog entry: enabled
// (with a created instance), disabled, or failed with the reason. The steps are
// separate so that a reload can redo only the ones a change requires.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "plugin_host/plugin_instance.hpp"
#include "plugin_host/plugin_library.hpp"
#include "plugin_host/plugin_settings.hpp"

namespace productgraph::plugin_host {

enum class PluginState { enabled, disabled, failed };

std::string_view state_name(PluginState state);

/// One plugin file, for dispatch and for GET /v1/plugins. Copyable: a catalog
/// snapshot shares the library and instance with the running daemon.
struct PluginEntry {
    std::string file;  // file name inside the plugin directory
    std::string name;  // from the descriptor; empty when it never loaded
    std::string version;
    std::string abi;  // "1.0": the major and the minor the plugin was built for
    PluginState state = PluginState::failed;
    std::string reason;  // why disabled or failed
    // Set when verify definitely refused the credentials. The instance is still
    // created and handed to the dispatcher, which marks it failed at once: a failed
    // plugin keeps its cursor, so nothing accepted meanwhile is lost.
    std::string credentials_refused;
    std::string fingerprint;                       // of the file's bytes; empty when unreadable
    std::shared_ptr<const PluginLibrary> library;  // keeps the code mapped; null when it never loaded
    PluginSettings settings;                       // what the enable rule and variables gave
    std::shared_ptr<PluginInstance> instance;      // set when enabled
    bool duplicate = false;                        // an earlier file provides the same plugin name

    bool is_analytics_provider() const;
};

/// The regular *.so files in `directory`, sorted. Fails naming PRODUCTGRAPH_PLUGIN_DIR
/// when the directory cannot be read.
common::Result<std::vector<std::filesystem::path>> list_plugin_files(const std::filesystem::path &directory);

/// An entry for an already read file: loaded (state still to be decided by
/// configure_plugin) or failed with the reason.
PluginEntry open_plugin_file(const PluginFileImage &image);

/// The same with the file read here (a file that cannot be read is a failed entry).
PluginEntry open_plugin_file(const std::filesystem::path &file);

/// Applies the enable rule and reads the plugin's variables into entry.settings; a
/// disabled plugin gets its state and reason here. Fails, naming the variable, on a
/// bad switch or a missing or invalid variable of an enabled plugin.
common::Result<void> configure_plugin(PluginEntry &entry, const EnvLookup &env);

/// Creates the instance of a configured, enabled entry and lets it check its
/// credentials (ABI 1.2 verify): state enabled, or failed with the plugin's reason, the
/// typed-variable rule a value broke, or "credentials refused: ...".
void create_plugin_instance(PluginEntry &entry);

/// Marks `entry` failed when another entry before it in `catalog` has its name.
/// Returns true when it did.
bool mark_if_duplicate(PluginEntry &entry, const std::vector<PluginEntry> &catalog);

/// The start-up line for one entry: "plugin loaded" (enabled or disabled) or
/// "plugin skipped" (failed).
void log_plugin_entry(const PluginEntry &entry);

/// Loads every regular *.so file in `directory`, in sorted order, logging one line
/// per file. A bad file is a failed entry; the rest still load. Fails (naming the
/// variable or directory) only for start-up errors the operator must fix.
common::Result<std::vector<PluginEntry>> load_plugin_catalog(const std::filesystem::path &directory,
                                                             const EnvLookup &env);

}  // namespace productgraph::plugin_host
