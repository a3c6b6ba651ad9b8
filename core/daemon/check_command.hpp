// productgraphd --check and --list-plugins: the start-up's checks without starting.
#pragma once

namespace productgraph::daemon {

/// Reads the environment and the env file, validates every daemon variable, loads,
/// negotiates, configures and creates every plugin (and lets it verify its
/// credentials when it can), prints one line per finding and a summary on stdout.
/// Binds no port, opens no queue. Returns 0 when nothing is wrong (warnings allowed),
/// 1 on any error.
int run_check();

/// Prints each plugin file, the state it would have if the daemon started now, and
/// its declared variables with their descriptions and values (secrets masked).
/// Returns 0.
int run_list_plugins();

}  // namespace productgraph::daemon
