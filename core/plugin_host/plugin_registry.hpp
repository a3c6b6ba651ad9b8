// The plugin catalog as the HTTP threads see it: an immutable snapshot, swapped
// whole by a reload, so a request never sees a half-applied change.
#pragma once

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "plugin_host/plugin_catalog.hpp"

namespace productgraph::plugin_host {

class PluginRegistry {
public:
    using Snapshot = std::shared_ptr<const std::vector<PluginEntry>>;

    /// The current catalog. Holding it keeps its instances alive; hold it only for
    /// the length of a request.
    Snapshot snapshot() const
    {
        std::lock_guard lock(mutex_);
        return current_;
    }

    /// Replaces the catalog; readers holding the previous snapshot keep it.
    void publish(std::vector<PluginEntry> entries)
    {
        Snapshot previous;  // released after the lock: it may hold the last reference
        auto next = std::make_shared<const std::vector<PluginEntry>>(std::move(entries));
        std::lock_guard lock(mutex_);
        previous = std::exchange(current_, std::move(next));
    }

private:
    mutable std::mutex mutex_;
    Snapshot current_ = std::make_shared<const std::vector<PluginEntry>>();
};

}  // namespace productgraph::plugin_host
