// Tells asynchronous appenders when their records are durable: one thread syncs for
// all of them, so a burst of requests shares one fdatasync.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "queue/event_queue.hpp"
#include "queue/group_commit.hpp"

namespace productgraph::queue {

class DurabilityNotifier {
public:
    /// `on_failure` is called (once per failed sync) before the waiters hear `full`;
    /// `on_synced` once per sync, before the waiters are answered.
    DurabilityNotifier(
        GroupCommit &group_commit, std::function<void(const common::Error &)> on_failure,
        std::function<void()> on_synced = [] {});
    /// Syncs and answers every waiter still pending, then stops.
    ~DurabilityNotifier();
    DurabilityNotifier(const DurabilityNotifier &) = delete;
    DurabilityNotifier &operator=(const DurabilityNotifier &) = delete;

    /// Calls `done` once everything before `position` is durable.
    void notify_when_durable(uint64_t position, EventQueue::AppendDone done);

    /// Returns once every waiter registered so far has been answered. The daemon
    /// calls it (through close()) before the HTTP server goes, so that no answer is
    /// sent on a connection that no longer exists.
    void drain();

private:
    struct Waiter {
        uint64_t position;
        EventQueue::AppendDone done;
    };
    void run();

    GroupCommit &group_commit_;
    std::function<void(const common::Error &)> on_failure_;
    std::function<void()> on_synced_;
    std::mutex mutex_;
    std::condition_variable pending_;
    std::condition_variable answered_;
    std::vector<Waiter> waiters_;
    bool answering_ = false;  // a batch taken from waiters_ is being synced and answered
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace productgraph::queue
