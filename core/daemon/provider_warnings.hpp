// The warning for a provider switched on with no plugin file to run it (the quiet
// "publishers":0 an operator could not explain).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "daemon/daemon_environment.hpp"
#include "plugin_host/plugin_catalog.hpp"

namespace productgraph::daemon {

/// With ANALYTICS_ENABLED true, one message per `<P>_ENABLED` set to true that no
/// loaded plugin in `catalog` uses as its switch, e.g. MIXPANEL_ENABLED=true without
/// mixpanel.so in `plugin_dir`.
std::vector<std::string> missing_provider_warnings(const std::vector<plugin_host::PluginEntry> &catalog,
                                                   const Variables &variables, const std::filesystem::path &plugin_dir);

/// Logs each of them as a warning line.
void log_missing_providers(const std::vector<plugin_host::PluginEntry> &catalog, const Variables &variables,
                           const std::filesystem::path &plugin_dir);

}  // namespace productgraph::daemon
