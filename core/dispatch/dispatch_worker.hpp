// The loop that feeds one plugin instance from its queue cursor, on its own thread.
// Events a plugin asks to retry are parked with a due time while the worker goes on
// with newer events, so one throttled user or one bad batch never holds up the rest.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "dispatch/dead_letter_store.hpp"
#include "dispatch/plugin_stats.hpp"
#include "dispatch/retry_policy.hpp"
#include "plugin_host/plugin_instance.hpp"
#include "queue/event_queue.hpp"

namespace productgraph::dispatch {

struct WorkerSettings {
    RetryPolicy retry;
    std::chrono::milliseconds publish_timeout{30'000};  // the deadline lent to each publish
    // Parked retries, in batches of the plugin's size, before the worker stops
    // reading new events (a provider that is down must not pull the whole queue
    // into the retry set).
    size_t parked_batches_max = 10;
    // An event still undelivered this long after it was accepted goes to the dead
    // letters instead of being retried again (PRODUCTGRAPH_RETRY_MAX_AGE).
    std::chrono::seconds retry_max_age{86'400};
    // A failed plugin keeps its cursor, so its events wait for the restart that fixes
    // it; past this much backlog its oldest events move to its dead letters instead,
    // so that it never fills the queue (PRODUCTGRAPH_FAILED_BACKLOG_BYTES).
    uint64_t failed_backlog_bytes = 128ull << 20;
    // Each plugin's dead letters hold at most this much (PRODUCTGRAPH_DEAD_LETTER_MAX_BYTES).
    uint64_t dead_letter_max_bytes = 1ull << 30;
};

class DispatchWorker {
public:
    DispatchWorker(plugin_host::PluginInstance &plugin, queue::EventQueue &queue, queue::CursorId cursor,
                   PluginStats &stats, DeadLetterStore &dead_letters, WorkerSettings settings);
    ~DispatchWorker();  // joins unless the worker was abandoned
    DispatchWorker(const DispatchWorker &) = delete;
    DispatchWorker &operator=(const DispatchWorker &) = delete;

    void start();
    /// Asks the loop to end after the current publish; it flushes the plugin and exits.
    void request_stop();
    /// Waits until the loop has ended or `deadline` passes; true when it has ended.
    bool wait_finished(std::chrono::steady_clock::time_point deadline);
    /// True once the loop has ended: nothing on this thread touches the queue any more.
    bool finished() const { return finished_.load(); }
    /// Waits for the thread to end.
    void join();

    /// Monotonic ms at which the current publish began, or 0 when not publishing.
    int64_t publishing_since_ms() const { return publishing_since_ms_.load(); }
    /// True while a publish round is in progress.
    bool busy() const { return busy_.load(); }

    /// Marks the plugin failed and wakes the loop, which then ends. The cursor stays
    /// where it is, so the plugin's events stay queued (see failed_backlog_bytes).
    /// Safe from any thread; used for FATAL, exceptions and hangs.
    void fail(std::string reason);
    /// For a publish that never returns: the thread is detached and the instance
    /// leaked, because joining would hang shutdown.
    void abandon_thread();

    plugin_host::PluginInstance &plugin() { return plugin_; }
    queue::CursorId cursor() const { return cursor_; }

private:
    using Clock = std::chrono::steady_clock;

    /// An event in flight or waiting for its retry.
    struct Pending {
        queue::QueuedRecord queued;
        uint32_t attempt = 1;   // the publish attempt this event is on
        uint32_t failures = 0;  // RETRY answers so far, for the backoff
        Clock::time_point due{};
        bool replayed = false;           // from the dead letters, not the log: no cursor offset
        int64_t budget_start_ms = 0;     // the retry budget counts from here: acceptance, or the replay
        int64_t own_retry_after_ms = 0;  // the plugin's delay for this event alone (ABI 1.1)
    };

    void run();
    // Retries whose time has come, up to one batch of the plugin's limits.
    std::vector<Pending> take_due_retries(Clock::time_point now);
    // One publish of `round`; RETRY events are parked, the rest resolved.
    void publish_round(std::vector<Pending> round);
    // Dead letters an operator asked to replay, as the next round.
    std::vector<Pending> take_replayed();
    // Files an event as dead with `reason`, and settles its replay bookkeeping.
    void bury(Pending &pending, std::string reason, std::vector<DeadLetter> &graves);
    // Stores dead letters, counting any the store had no room for.
    void add_dead_letters(std::vector<DeadLetter> graves);
    // Moves the cursor to the oldest event not yet resolved.
    void acknowledge_resolved();
    // Sleeps until `until`, waking early on stop or failure.
    void sleep_until(Clock::time_point until);
    Clock::time_point earliest_due() const;
    bool should_stop() const { return stop_requested_.load() || stats_.failed(); }

    plugin_host::PluginInstance &plugin_;
    queue::EventQueue &queue_;
    const queue::CursorId cursor_;
    PluginStats &stats_;
    DeadLetterStore &dead_letters_;
    const WorkerSettings settings_;

    std::thread thread_;
    std::atomic<bool> stop_requested_{false};
    std::atomic<int64_t> publishing_since_ms_{0};
    std::atomic<bool> busy_{false};
    std::atomic<bool> finished_{false};
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    std::condition_variable finished_cv_;  // with wake_mutex_
    std::minstd_rand jitter_source_;

    // Owned by the worker thread only.
    uint64_t next_read_offset_ = 0;
    std::vector<Pending> parked_;
};

}  // namespace productgraph::dispatch
