// Owns every dispatch worker, watches for hung publishes, and drains at shutdown.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dispatch/dispatch_worker.hpp"

namespace productgraph::dispatch {

class Dispatcher {
public:
    /// A publish running longer than its timeout plus `hang_grace` is declared hung.
    Dispatcher(queue::EventQueue &queue, WorkerSettings settings, std::chrono::milliseconds hang_grace);
    ~Dispatcher();
    Dispatcher(const Dispatcher &) = delete;
    Dispatcher &operator=(const Dispatcher &) = delete;

    /// Gives the plugin its own cursor and worker. Call before start().
    void add_plugin(plugin_host::PluginInstance &plugin);
    void start();

    /// Waits until every healthy plugin has acknowledged everything, or the deadline.
    /// Returns true when fully drained.
    bool drain(std::chrono::steady_clock::time_point deadline);
    /// Stops every worker (they flush their plugin), joins them, and abandons the
    /// threads of hung plugins. Logs what each plugin leaves undelivered.
    void stop();

    /// For the admin view; nullptr for a plugin without a worker.
    const PluginStats *stats_for(std::string_view plugin_name) const;
    uint64_t lag_for(std::string_view plugin_name) const;
    /// True when some plugin's thread had to be abandoned inside publish.
    bool any_hung() const;

private:
    struct Slot {
        std::unique_ptr<PluginStats> stats;
        std::unique_ptr<DispatchWorker> worker;
        bool hung = false;
    };
    void watch_for_hangs();

    queue::EventQueue &queue_;
    const WorkerSettings settings_;
    const std::chrono::milliseconds hang_grace_;
    std::map<std::string, Slot, std::less<>> slots_;  // fixed after start()
    std::thread watchdog_;
    std::mutex watchdog_mutex_;
    std::condition_variable watchdog_wake_;
    bool stopping_ = false;
};

}  // namespace productgraph::dispatch
