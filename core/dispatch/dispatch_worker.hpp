// The loop that feeds one plugin instance from its queue cursor, on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "dispatch/plugin_stats.hpp"
#include "dispatch/retry_policy.hpp"
#include "plugin_host/plugin_instance.hpp"
#include "queue/event_queue.hpp"

namespace productgraph::dispatch {

struct WorkerSettings {
    RetryPolicy retry;
    std::chrono::milliseconds publish_timeout{30'000};  // the deadline lent to each publish
};

class DispatchWorker {
public:
    DispatchWorker(plugin_host::PluginInstance &plugin, queue::EventQueue &queue, queue::CursorId cursor,
                   PluginStats &stats, WorkerSettings settings);
    ~DispatchWorker();  // joins unless the worker was abandoned
    DispatchWorker(const DispatchWorker &) = delete;
    DispatchWorker &operator=(const DispatchWorker &) = delete;

    void start();
    /// Asks the loop to end after the current publish; it flushes the plugin and exits.
    void request_stop();
    /// Waits for the thread to end.
    void join();

    /// Monotonic ms at which the current publish began, or 0 when not publishing.
    int64_t publishing_since_ms() const { return publishing_since_ms_.load(); }
    /// True while a batch is read but not yet resolved.
    bool busy() const { return busy_.load(); }

    /// Marks the plugin failed, releases its cursor (counting what it abandons) and
    /// wakes the loop. Safe from any thread; used for FATAL and for hangs.
    void fail(std::string reason);
    /// For a publish that never returns: the thread is detached and the instance
    /// leaked, because joining would hang shutdown.
    void abandon_thread();

    plugin_host::PluginInstance &plugin() { return plugin_; }
    queue::CursorId cursor() const { return cursor_; }

private:
    void run();
    // Publishes `pending` until every event is delivered or rejected. False when the
    // loop must stop first (shutdown or failure): the batch is then not acknowledged.
    bool deliver(std::vector<queue::QueuedRecord> pending);
    // Sleeps up to `delay`, waking early on stop or failure. False when woken so.
    bool wait_before_retry(std::chrono::milliseconds delay);
    bool should_stop() const { return stop_requested_.load() || stats_.failed(); }

    plugin_host::PluginInstance &plugin_;
    queue::EventQueue &queue_;
    const queue::CursorId cursor_;
    PluginStats &stats_;
    const WorkerSettings settings_;

    std::thread thread_;
    std::atomic<bool> stop_requested_{false};
    std::atomic<int64_t> publishing_since_ms_{0};
    std::atomic<bool> busy_{false};
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    std::minstd_rand jitter_source_;
};

}  // namespace productgraph::dispatch
