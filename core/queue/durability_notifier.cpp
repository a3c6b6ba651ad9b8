// The notifier's loop: take every waiter that arrived during the last sync (under load,
// gather a few more), sync up to the furthest of them, answer them all.
#include "queue/durability_notifier.hpp"
#include "common/thread_name.hpp"

#include <algorithm>

namespace productgraph::queue {

DurabilityNotifier::DurabilityNotifier(GroupCommit &group_commit, std::function<void(const common::Error &)> on_failure,
                                       std::function<void()> on_synced, GroupGathering gathering)
    : group_commit_(group_commit), on_failure_(std::move(on_failure)), on_synced_(std::move(on_synced)),
      gathering_(gathering), thread_([this] { run(); })
{}

DurabilityNotifier::~DurabilityNotifier()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    pending_.notify_all();
    thread_.join();
}

void DurabilityNotifier::notify_when_durable(uint64_t position, EventQueue::AppendDone done)
{
    {
        std::lock_guard lock(mutex_);
        waiters_.push_back(Waiter{position, std::move(done)});
        // Waking the thread for every waiter would cost a futex call each; it only
        // needs to hear of the first, or of the one that completes the group it gathers.
        if (waiters_.size() != wake_at_) return;
    }
    pending_.notify_one();
}

void DurabilityNotifier::drain()
{
    std::unique_lock lock(mutex_);
    answered_.wait(lock, [this] { return waiters_.empty() && !answering_; });
}

void DurabilityNotifier::gather_more(std::unique_lock<std::mutex> &lock, std::vector<Waiter> &batch,
                                     std::chrono::steady_clock::time_point deadline)
{
    wake_at_ = gathering_.full_batch - batch.size();
    pending_.wait_until(lock, deadline, [this] { return stopping_ || waiters_.size() >= wake_at_; });
    wake_at_ = 1;
    for (Waiter &waiter : waiters_) batch.push_back(std::move(waiter));
    waiters_.clear();
}

void DurabilityNotifier::run()
{
    common::name_this_thread("pg-durability");
    size_t previous_batch = 0;
    // The gathering ends max_wait after the previous sync began, not after this batch's
    // first waiter came: whoever arrived during that sync has waited long enough already.
    auto previous_sync_start = std::chrono::steady_clock::now();
    while (true) {
        std::vector<Waiter> batch;
        {
            std::unique_lock lock(mutex_);
            pending_.wait(lock, [this] { return stopping_ || !waiters_.empty(); });
            if (waiters_.empty()) return;  // stopping, and nobody left to answer
            batch.swap(waiters_);
            answering_ = true;
            const bool busy = previous_batch >= gathering_.busy_batch;
            if (busy && batch.size() < gathering_.full_batch && !stopping_) {
                gather_more(lock, batch, previous_sync_start + gathering_.max_wait);
            }
        }
        previous_batch = batch.size();
        previous_sync_start = std::chrono::steady_clock::now();
        uint64_t furthest = 0;
        for (const Waiter &waiter : batch) furthest = std::max(furthest, waiter.position);
        const auto durable = group_commit_.wait_durable(furthest);
        // The records are in the file either way; after a failed sync the client is
        // told to retry, which at worst duplicates them (at-least-once).
        if (!durable) on_failure_(durable.error());
        on_synced_();
        const AppendStatus status = durable ? AppendStatus::appended : AppendStatus::full;
        for (Waiter &waiter : batch) waiter.done(status);
        {
            std::lock_guard lock(mutex_);
            answering_ = false;
        }
        answered_.notify_all();
    }
}

}  // namespace productgraph::queue
