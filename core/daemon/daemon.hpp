// Start-up and shutdown of the whole daemon, in the order the data flows.
#pragma once

namespace productgraph::daemon {

/// Runs until SIGTERM or SIGINT, reloading on SIGHUP; returns the process exit code
/// (0 after a clean shutdown, 2 for a start-up error already logged with the
/// variable or file).
int run();

}  // namespace productgraph::daemon
