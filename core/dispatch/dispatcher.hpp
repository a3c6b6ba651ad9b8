// Owns every dispatch worker, watches for hung publishes, keeps failed plugins'
// backlogs within their share, and drains at shutdown. Plugins can be added, removed
// and replaced while running (a reload); the slot map is guarded by a mutex, and what
// the admin views read is shared, so a removal never frees what a request is still
// reading.
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

    /// Gives the plugin its own cursor (its persisted position, or the queue's end for
    /// a plugin never seen), worker and dead letters. Before start(), or after it (the
    /// worker starts at once). Fails (naming the directory) when its dead letters
    /// cannot be opened, or when a plugin of that name is already running.
    common::Result<void> add_plugin(std::shared_ptr<plugin_host::PluginInstance> plugin);
    /// Stops the plugin's worker after its current publish (the worker flushes the
    /// plugin) and drops the dispatcher's hold on the instance. Its cursor position
    /// stays (persisted), but it stops holding queue records, so events it has not
    /// acknowledged wait for it only as long as the queue keeps them. A worker stuck
    /// past the hang limit is abandoned, as at shutdown. No-op for an unknown name.
    /// Returns the events it leaves unacknowledged.
    uint64_t remove_plugin(std::string_view plugin_name);
    /// Swaps the running instance of `plugin`'s name for `plugin`: the old worker stops
    /// as in remove_plugin, and the new one resumes from the same cursor with the same
    /// dead letters, so nothing acknowledged is sent twice and nothing is skipped.
    /// Also revives a plugin that failed (its cursor is reopened where it stopped).
    common::Result<void> replace_plugin(std::shared_ptr<plugin_host::PluginInstance> plugin);
    void start();

    /// Waits until every healthy plugin has acknowledged everything, or the deadline.
    /// Returns true when fully drained.
    bool drain(std::chrono::steady_clock::time_point deadline);
    /// Stops every worker (they flush their plugin) and joins them. A worker still
    /// inside a plugin call at `deadline` is abandoned like a hung one, so shutdown
    /// always ends; its unacknowledged events stay queued for the next start. The hang
    /// watchdog keeps running while waiting. Logs what each plugin leaves undelivered.
    void stop(std::chrono::steady_clock::time_point deadline);

    /// For the admin view; null for a plugin without a worker. Shared, because the
    /// plugin may be removed by a reload while a request reads them.
    std::shared_ptr<const PluginStats> stats_for(std::string_view plugin_name) const;
    uint64_t lag_for(std::string_view plugin_name) const;
    /// The plugin's dead letters; null for a plugin without a worker.
    std::shared_ptr<const DeadLetterStore> dead_letters_for(std::string_view plugin_name) const;
    /// Puts the plugin's dead letters back in front of its worker. Returns how many,
    /// or why not (no such plugin, plugin failed, a replay still running).
    common::Result<size_t> replay_dead_letters(std::string_view plugin_name);
    /// Marks an added plugin failed with `reason` (e.g. its verify refused the
    /// credentials): it is fed no more, but keeps its cursor and events like any
    /// failed plugin. False when no such plugin was added.
    bool fail_plugin(std::string_view plugin_name, std::string reason);
    /// True when some plugin's thread had to be abandoned inside a plugin call.
    bool any_hung() const;
    /// True when the plugin's worker thread was abandoned inside publish: only a
    /// restart of the daemon can bring that plugin back.
    bool hung(std::string_view plugin_name) const;

private:
    // Members in destruction order: the worker goes first, the instance it calls last.
    struct Slot {
        std::shared_ptr<plugin_host::PluginInstance> plugin;
        std::shared_ptr<PluginStats> stats;
        std::shared_ptr<DeadLetterStore> dead_letters;
        std::unique_ptr<DispatchWorker> worker;
        bool hung = false;  // set by the watchdog, a removal or stop(); under slots_mutex_
    };
    using Slots = std::map<std::string, Slot, std::less<>>;

    // The watchdog thread: declares hung publishes, and sheds failed plugins' backlogs.
    void supervise();
    void shed_failed_backlogs();
    // A worker on the plugin's cursor; the slot is not in slots_ yet.
    Slot make_slot(std::shared_ptr<plugin_host::PluginInstance> plugin, std::shared_ptr<DeadLetterStore> dead_letters);
    // Stops a slot already taken out of slots_: joins its worker, or abandons (and
    // leaks) it when it is stuck past the hang limit.
    void retire(Slots::node_type node);

    queue::EventQueue &queue_;
    const WorkerSettings settings_;
    const std::chrono::milliseconds hang_grace_;
    const std::filesystem::path dead_letter_dir_;
    mutable std::mutex slots_mutex_;  // slots_ and started_; never held while joining a worker
    Slots slots_;
    bool started_ = false;
    bool stopped_ = false;                           // control thread only
    std::atomic<bool> abandoned_on_removal_{false};  // a removed plugin's thread was left inside publish
    std::thread watchdog_;
    std::mutex watchdog_mutex_;
    std::condition_variable watchdog_wake_;
    bool stopping_ = false;
};

}  // namespace productgraph::dispatch
