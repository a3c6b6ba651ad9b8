// The plugins the daemon runs: the catalog the admin views read and the workers the
// dispatcher runs, kept in step at start-up and by every reload.
#pragma once

#include <memory>
#include <vector>

#include "common/result.hpp"
#include "daemon/reload_plan.hpp"
#include "dispatch/dispatcher.hpp"
#include "plugin_host/plugin_registry.hpp"

namespace productgraph::daemon {

/// What apply() did, for the summary line and the STATUS sent to systemd.
struct AppliedChanges {
    size_t started = 0;
    size_t stopped = 0;
    size_t restarted = 0;
    size_t unchanged = 0;
    size_t failed = 0;  // changes the dispatcher refused (logged)
};

/// Control thread only (start-up, reloads, shutdown).
class PluginSet {
public:
    explicit PluginSet(dispatch::Dispatcher &dispatcher) : dispatcher_(dispatcher) {}
    ~PluginSet();
    PluginSet(const PluginSet &) = delete;
    PluginSet &operator=(const PluginSet &) = delete;

    /// Hands every enabled plugin of the start-up catalog to the dispatcher. Returns
    /// how many, or the first error (its dead letters cannot be opened).
    common::Result<size_t> start(std::vector<plugin_host::PluginEntry> catalog);

    /// Applies a reload plan: stops, restarts and starts plugins (one log line each),
    /// then publishes the new catalog. Instances no longer used are destroyed here,
    /// on the control thread, once no request still holds them.
    AppliedChanges apply(ReloadPlan plan);

    /// The catalog as it is now: what a reload compares with.
    plugin_host::PluginRegistry::Snapshot catalog() const { return registry_.snapshot(); }
    plugin_host::PluginRegistry &registry() { return registry_; }

    /// Shutdown, after the dispatcher stopped: destroys every instance no stuck worker
    /// still holds.
    void clear();

private:
    // Destroys `instances` once this thread holds the last reference to each.
    static void destroy_when_unused(std::vector<std::shared_ptr<plugin_host::PluginInstance>> instances);

    dispatch::Dispatcher &dispatcher_;
    plugin_host::PluginRegistry registry_;
};

}  // namespace productgraph::daemon
