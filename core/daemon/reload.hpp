// SIGHUP: re-read the env file, rescan the plugin directory, apply what changed.
#pragma once

#include <string>

#include "daemon/daemon_config.hpp"
#include "daemon/daemon_environment.hpp"
#include "daemon/plugin_set.hpp"
#include "daemon/systemd_notify.hpp"

namespace productgraph::daemon {

/// What the running daemon was configured with; a successful reload updates it.
struct DaemonState {
    Variables inherited;
    DaemonEnvironment environment;
    DaemonConfig config;
};

/// Handles one reload on the control thread. Everything is checked before anything
/// changes: a bad env file line, a bad variable, or a new or changed plugin that
/// fails leaves every plugin as it was. Plugin-level variables (ANALYTICS_ENABLED,
/// each plugin's own) and DEBUG take effect; a changed daemon-level variable is
/// logged as needing a restart. Sends RELOADING=1, then READY=1 with a STATUS line
/// (failed or not). Ingestion goes on throughout. Returns that STATUS.
std::string reload(DaemonState &state, PluginSet &plugins, const SystemdNotifier &notifier);

}  // namespace productgraph::daemon
