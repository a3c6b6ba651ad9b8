// What a reload changes in the plugin set: the new catalog, worked out from the
// plugin directory and the environment, reusing everything that did not change.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/environment.hpp"
#include "common/result.hpp"
#include "plugin_host/plugin_catalog.hpp"

namespace productgraph::daemon {

/// One plugin to start, stop or restart, and why (for its log line).
struct PluginChange {
    enum class Kind { start, stop, restart };
    Kind kind = Kind::start;
    std::string name;
    std::string file;
    std::string why;
    std::shared_ptr<plugin_host::PluginInstance> instance;  // the new one (start, restart)
};

std::string_view change_name(PluginChange::Kind kind);

struct ReloadPlan {
    std::vector<plugin_host::PluginEntry> catalog;  // to publish once the changes are applied
    std::vector<PluginChange> changes;              // stops first, then restarts, then starts
    size_t unchanged = 0;                           // running plugins left untouched
};

/// The catalog `directory` and `env` ask for, compared with `current`:
/// - a file whose bytes did not change keeps its loaded library (it is not loaded
///   again), and a running plugin whose file and variables did not change keeps its
///   instance (untouched, state and all);
/// - a new or changed file is loaded from a fresh private copy, and a plugin whose
///   file or variables changed, or that becomes enabled, gets a new instance;
/// - a removed or disabled plugin is stopped.
/// Fails, and nothing may be applied, on any new failure: a new or changed file that
/// cannot be loaded or duplicates a name, an invalid or missing variable, a failed
/// create. A file that had failed before and did not change stays failed quietly.
common::Result<ReloadPlan> plan_reload(const std::vector<plugin_host::PluginEntry> &current,
                                       const std::filesystem::path &directory, const common::EnvLookup &env);

}  // namespace productgraph::daemon
