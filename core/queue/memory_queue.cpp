// The in-memory log: a deque trimmed from the front as the slowest active cursor advances.
#include "queue/memory_queue.hpp"

#include <algorithm>
#include <cassert>

namespace productgraph::queue {

MemoryQueue::MemoryQueue(uint64_t max_events, uint64_t max_bytes) : max_events_(max_events), max_bytes_(max_bytes) {}

AppendStatus MemoryQueue::append(std::vector<RecordPtr> records)
{
    uint64_t bytes = 0;
    for (const RecordPtr &record : records) bytes += record->byte_size();
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return AppendStatus::closed;
        if (records_.size() + records.size() > max_events_ || held_bytes_ + bytes > max_bytes_) {
            refused_full_total_ += records.size();
            refusing_ = true;
            return AppendStatus::full;
        }
        for (RecordPtr &record : records) records_.push_back(std::move(record));
        held_bytes_ += bytes;
        appended_total_ += records.size();
        refusing_ = false;
        reclaim();  // with no active cursor nothing will ever read these
        wake = waiting_readers_ > 0;
    }
    // A busy worker reads again without waiting; waking it on every append would
    // cost a futex call per request for nothing.
    if (wake) readable_.notify_all();
    return AppendStatus::appended;
}

CursorId MemoryQueue::open_cursor(const std::string &name)
{
    std::lock_guard lock(mutex_);
    for (CursorId id = 0; id < cursors_.size(); ++id) {
        Cursor &cursor = cursors_[id];
        if (cursor.name != name) continue;
        // A released cursor (its plugin was removed or failed, then came back in a
        // reload) resumes where it stopped, or at the oldest record still held.
        cursor.position = std::max(cursor.position, head_offset_);
        cursor.active = true;
        return id;
    }
    cursors_.push_back(Cursor{name, head_offset_ + records_.size(), true});
    return static_cast<CursorId>(cursors_.size() - 1);
}

std::vector<QueuedRecord> MemoryQueue::read(CursorId cursor, uint64_t from_offset, ReadLimits limits,
                                            std::chrono::milliseconds wait)
{
    std::unique_lock lock(mutex_);
    assert(cursor < cursors_.size());
    const auto end_offset = [this] { return head_offset_ + records_.size(); };
    const auto start = [&] { return std::max(from_offset, cursors_[cursor].position); };
    ++waiting_readers_;
    readable_.wait_for(lock, wait, [&] { return closed_ || !cursors_[cursor].active || start() < end_offset(); });
    --waiting_readers_;
    std::vector<QueuedRecord> batch;
    if (!cursors_[cursor].active) return batch;
    uint64_t bytes = 0;
    for (uint64_t offset = start(); offset < end_offset() && batch.size() < limits.max_events; ++offset) {
        const RecordPtr &record = records_[offset - head_offset_];
        if (!batch.empty() && limits.max_bytes != 0 && bytes + record->byte_size() > limits.max_bytes) break;
        bytes += record->byte_size();
        batch.push_back(QueuedRecord{offset, record});
    }
    return batch;
}

void MemoryQueue::acknowledge(CursorId cursor, uint64_t next_offset)
{
    std::lock_guard lock(mutex_);
    Cursor &state = cursors_.at(cursor);
    state.position = std::clamp(next_offset, state.position, head_offset_ + records_.size());
    reclaim();
}

uint64_t MemoryQueue::release_cursor(CursorId cursor)
{
    std::lock_guard lock(mutex_);
    Cursor &state = cursors_.at(cursor);
    if (!state.active) return 0;
    const uint64_t abandoned = head_offset_ + records_.size() - state.position;
    state.active = false;
    reclaim();
    readable_.notify_all();
    return abandoned;
}

uint64_t MemoryQueue::lag(CursorId cursor) const
{
    std::lock_guard lock(mutex_);
    const Cursor &state = cursors_.at(cursor);
    return state.active ? head_offset_ + records_.size() - state.position : 0;
}

QueueStats MemoryQueue::stats() const
{
    std::lock_guard lock(mutex_);
    return QueueStats{records_.size(), held_bytes_,         max_events_, max_bytes_,
                      appended_total_, refused_full_total_, refusing_};
}

void MemoryQueue::close()
{
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    readable_.notify_all();
}

void MemoryQueue::reclaim()
{
    uint64_t oldest_needed = head_offset_ + records_.size();
    for (const Cursor &cursor : cursors_) {
        if (cursor.active) oldest_needed = std::min(oldest_needed, cursor.position);
    }
    while (head_offset_ < oldest_needed) {
        held_bytes_ -= records_.front()->byte_size();
        records_.pop_front();
        ++head_offset_;
        refusing_ = false;  // room again
    }
}

}  // namespace productgraph::queue
