// Group commit: many appenders waiting for durability share one fdatasync.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "common/result.hpp"

namespace productgraph::queue {

/// Positions are log offsets: "written up to N" means every record before offset N is
/// in the file. This disk does ~3,000 fdatasyncs a second (toolchain.md §5), so one
/// sync per append would cap intake there; instead the first appender to wait becomes
/// the leader and syncs everything written so far, and the others wait for it. While
/// it syncs, new appenders queue up behind the next leader, so the number of syncs
/// adapts to the load.
class GroupCommit {
public:
    /// `sync_log` makes durable everything written before it was called.
    explicit GroupCommit(std::function<common::Result<void>()> sync_log) : sync_log_(std::move(sync_log)) {}

    /// Records before `position` have been written (positions only grow).
    void note_written(uint64_t position);

    /// Returns once everything before `position` is durable, syncing as the leader if
    /// nobody else is. After one failed sync every later call fails too: the kernel may
    /// already have dropped the unsynced pages, so a later "successful" sync would lie.
    common::Result<void> wait_durable(uint64_t position);

    /// Syncs everything written so far (the interval thread, shutdown).
    common::Result<void> sync_written();

    /// Makes every later wait fail (a sync done outside, at segment roll-over, failed).
    void fail(common::Error error);

    /// fdatasync calls made through this object.
    uint64_t sync_count() const { return syncs_.load(); }

private:
    std::function<common::Result<void>()> sync_log_;
    std::mutex mutex_;
    std::condition_variable synced_cv_;
    uint64_t written_ = 0;
    uint64_t synced_ = 0;
    bool syncing_ = false;  // a leader is inside sync_log_
    std::optional<common::Error> failure_;
    std::atomic<uint64_t> syncs_{0};
};

}  // namespace productgraph::queue
