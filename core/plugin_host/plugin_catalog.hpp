// Scans the plugin directory and turns every *.so into a catalog entry: enabled
// (with a created instance), disabled, or failed with the reason.
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

/// One plugin file seen at start-up, for dispatch and for GET /v1/plugins.
struct PluginEntry {
    std::string file;  // file name inside the plugin directory
    std::string name;  // from the descriptor; empty when it never loaded
    std::string version;
    std::string abi;  // "1.0": the major and the minor the plugin was built for
    PluginState state = PluginState::failed;
    std::string reason;                        // why disabled or failed
    PluginLibrary library;                     // keeps the code mapped
    std::unique_ptr<PluginInstance> instance;  // set when enabled
};

/// Loads every regular *.so file in `directory`, in sorted order, logging one line
/// per file. A bad file is a failed entry; the rest still load. Fails (naming the
/// variable or directory) only for start-up errors the operator must fix.
common::Result<std::vector<PluginEntry>> load_plugin_catalog(const std::filesystem::path &directory,
                                                             const EnvLookup &env);

}  // namespace productgraph::plugin_host
