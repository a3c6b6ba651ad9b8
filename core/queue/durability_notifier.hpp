// Tells asynchronous appenders when their records are durable: one thread syncs for
// all of them, so a burst of requests shares one fdatasync.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "queue/event_queue.hpp"
#include "queue/group_commit.hpp"

namespace productgraph::queue {

/// When the durability thread waits for more waiters before it syncs. Each fdatasync
/// costs about 100 us of CPU on the VMs we measure on, whatever it covers (each I/O
/// round trip is a VM exit; bench/README.md, "What changed after that"). Left alone,
/// a sync covers what arrived during the previous one: about 4 requests at
/// saturation, so the syncs cost more CPU than the requests' own disk writes. Once a
/// batch shows the daemon is busy, the next one waits for `full_batch` waiters until
/// `max_wait` after the previous sync began. A quiet daemon (batches below
/// `busy_batch`) never waits, so a lone request is synced at once.
struct GroupGathering {
    size_t busy_batch = 3;
    size_t full_batch = 16;
    std::chrono::microseconds max_wait{1000};
};

class DurabilityNotifier {
public:
    /// `on_failure` is called (once per failed sync) before the waiters hear `full`;
    /// `on_synced` once per sync, before the waiters are answered.
    DurabilityNotifier(
        GroupCommit &group_commit, std::function<void(const common::Error &)> on_failure,
        std::function<void()> on_synced = [] {}, GroupGathering gathering = {});
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
    // Under load, waits (until `deadline` at the latest) for more waiters to join `batch`.
    void gather_more(std::unique_lock<std::mutex> &lock, std::vector<Waiter> &batch,
                     std::chrono::steady_clock::time_point deadline);

    GroupCommit &group_commit_;
    std::function<void(const common::Error &)> on_failure_;
    std::function<void()> on_synced_;
    const GroupGathering gathering_;
    std::mutex mutex_;
    std::condition_variable pending_;
    std::condition_variable answered_;
    std::vector<Waiter> waiters_;
    bool answering_ = false;  // a batch taken from waiters_ is being synced and answered
    bool stopping_ = false;
    size_t wake_at_ = 1;  // notify_when_durable wakes the thread when waiters_ reaches this size
    std::thread thread_;
};

}  // namespace productgraph::queue
