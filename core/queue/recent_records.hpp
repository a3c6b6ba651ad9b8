// The disk queue's newest records, kept in memory for readers that keep up with the writers.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "queue/event_queue.hpp"

namespace productgraph::queue {

/// The records one append wrote, shared: by the window and by the reads that took them.
using AppendedRecords = std::shared_ptr<const std::vector<RecordPtr>>;

/// What a read takes from the window: found under the queue's lock, copied out after it.
class RecentSlice {
public:
    bool empty() const { return appends_.empty(); }
    /// The records from the slice's start, within `limits` (at least one).
    std::vector<QueuedRecord> records(ReadLimits limits) const;

private:
    friend class RecentRecords;
    uint64_t start_ = 0;        // offset of the first record to return
    size_t skip_in_first_ = 0;  // records of appends_.front() before start_
    std::vector<AppendedRecords> appends_;
};

/// The newest records up to a budget of record JSON bytes, one entry per append, so the
/// work done under the queue's lock is a few pointer copies per request instead of one
/// per record: a read copies its records out after the lock is released. Not
/// thread-safe: the DiskQueue's mutex guards it.
class RecentRecords {
public:
    explicit RecentRecords(uint64_t budget_bytes) : budget_bytes_(budget_bytes) {}

    /// Keeps `records` (offsets first_offset on) and drops the oldest records beyond the
    /// budget. Offsets are contiguous within a run; after a gap the window starts over.
    /// Returns the appends no longer held, for the caller to release after its lock.
    /// `sizes` are the records' byte_size(), taken while they are still in the cache:
    /// the window drops its oldest records long after they were written.
    std::vector<AppendedRecords> remember(AppendedRecords records, std::vector<uint32_t> sizes, uint64_t first_offset);

    /// The records from `start` on, up to limits.max_events of them; empty when the
    /// window does not hold `start`.
    RecentSlice slice(uint64_t start, ReadLimits limits) const;

private:
    struct Append {
        uint64_t first_offset;
        AppendedRecords records;
        std::vector<uint32_t> sizes;  // of each record, for dropping the oldest one by one
    };
    uint64_t end_offset() const { return appends_.back().first_offset + appends_.back().records->size(); }

    const uint64_t budget_bytes_;
    std::deque<Append> appends_;
    size_t dropped_from_front_ = 0;  // records of appends_.front() already beyond the budget
    uint64_t bytes_ = 0;             // JSON bytes of the records held
};

}  // namespace productgraph::queue
