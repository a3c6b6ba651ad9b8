// The leader/follower loop of group commit.
#include "queue/group_commit.hpp"

#include <algorithm>

namespace productgraph::queue {

void GroupCommit::note_written(uint64_t position)
{
    std::lock_guard lock(mutex_);
    written_ = std::max(written_, position);
}

common::Result<void> GroupCommit::wait_durable(uint64_t position)
{
    std::unique_lock lock(mutex_);
    while (synced_ < position) {
        if (failure_) return tl::unexpected(*failure_);
        if (syncing_) {
            synced_cv_.wait(lock);
            continue;
        }
        // Leader: sync outside the lock so appenders can keep writing meanwhile; they
        // become the next group.
        syncing_ = true;
        const uint64_t target = written_;
        lock.unlock();
        common::Result<void> synced = sync_log_();
        lock.lock();
        syncs_.fetch_add(1);
        syncing_ = false;
        if (synced) {
            synced_ = std::max(synced_, target);
        } else if (!failure_) {
            failure_ = synced.error();
        }
        synced_cv_.notify_all();
    }
    return {};
}

common::Result<void> GroupCommit::sync_written()
{
    uint64_t target = 0;
    {
        std::lock_guard lock(mutex_);
        target = written_;
    }
    return wait_durable(target);
}

void GroupCommit::fail(common::Error error)
{
    {
        std::lock_guard lock(mutex_);
        if (!failure_) failure_ = std::move(error);
    }
    synced_cv_.notify_all();
}

}  // namespace productgraph::queue
