// Owns every dispatch worker, watches for hung publishes, keeps failed plugins'
// backlogs within their share, and drains at shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
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
    /// Dead letters are kept in `dead_letter_dir` (empty: in memory only).
    Dispatcher(queue::EventQueue &queue, WorkerSettings settings, std::chrono::milliseconds hang_grace,
               std::filesystem::path dead_letter_dir);
    ~Dispatcher();
    Dispatcher(const Dispatcher &) = delete;
    Dispatcher &operator=(const Dispatcher &) = delete;

    /// Gives the plugin its own cursor, worker and dead letters. Call before start().
    /// Fails (naming the directory) when its dead letters cannot be opened.
    common::Result<void> add_plugin(plugin_host::PluginInstance &plugin);
    void start();

    /// Waits until every healthy plugin has acknowledged everything, or the deadline.
    /// Returns true when fully drained.
    bool drain(std::chrono::steady_clock::time_point deadline);
    /// Stops every worker (they flush their plugin) and joins them. A worker still
    /// inside a plugin call at `deadline` is abandoned like a hung one, so shutdown
    /// always ends; its unacknowledged events stay queued for the next start. The hang
    /// watchdog keeps running while waiting. Logs what each plugin leaves undelivered.
    void stop(std::chrono::steady_clock::time_point deadline);

    /// For the admin view; nullptr for a plugin without a worker.
    const PluginStats *stats_for(std::string_view plugin_name) const;
    uint64_t lag_for(std::string_view plugin_name) const;
    /// The plugin's dead letters; nullptr for a plugin without a worker.
    const DeadLetterStore *dead_letters_for(std::string_view plugin_name) const;
    /// Puts the plugin's dead letters back in front of its worker. Returns how many,
    /// or why not (no such plugin, plugin failed, a replay still running).
    common::Result<size_t> replay_dead_letters(std::string_view plugin_name);
    /// Marks an added plugin failed with `reason` (e.g. its verify refused the
    /// credentials): it is fed no more, but keeps its cursor and events like any
    /// failed plugin. False when no such plugin was added.
    bool fail_plugin(std::string_view plugin_name, std::string reason);
    /// True when some plugin's thread had to be abandoned inside a plugin call.
    bool any_hung() const;

private:
    struct Slot {
        std::unique_ptr<PluginStats> stats;
        std::unique_ptr<DeadLetterStore> dead_letters;
        std::unique_ptr<DispatchWorker> worker;
        std::atomic<bool> hung{false};  // set by the watchdog or by stop()
    };
    // The watchdog thread: declares hung publishes, and sheds failed plugins' backlogs.
    void supervise();
    void shed_failed_backlogs();

    queue::EventQueue &queue_;
    const WorkerSettings settings_;
    const std::chrono::milliseconds hang_grace_;
    const std::filesystem::path dead_letter_dir_;
    std::map<std::string, Slot, std::less<>> slots_;  // fixed after start()
    bool stopped_ = false;
    std::thread watchdog_;
    std::mutex watchdog_mutex_;
    std::condition_variable watchdog_wake_;
    bool stopping_ = false;
};

}  // namespace productgraph::dispatch
