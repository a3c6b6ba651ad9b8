// A bounded in-memory EventQueue: fast, but lost on exit; the durable queue replaces it.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "queue/event_queue.hpp"

namespace productgraph::queue {

class MemoryQueue final : public EventQueue {
public:
    /// Holds at most `max_events` records and `max_bytes` of record JSON.
    MemoryQueue(uint64_t max_events, uint64_t max_bytes);

    AppendStatus append(std::vector<RecordPtr> records) override;
    CursorId open_cursor(const std::string &name) override;
    std::vector<QueuedRecord> read(CursorId cursor, uint64_t from_offset, ReadLimits limits,
                                   std::chrono::milliseconds wait) override;
    void acknowledge(CursorId cursor, uint64_t next_offset) override;
    uint64_t release_cursor(CursorId cursor) override;
    uint64_t lag(CursorId cursor) const override;
    uint64_t backlog_bytes(CursorId cursor) const override;
    uint64_t offset_to_hold_at_most(CursorId cursor, uint64_t max_bytes) const override;
    QueueStats stats() const override;
    void close() override;

private:
    struct Cursor {
        std::string name;
        uint64_t position = 0;
        bool active = true;
    };

    // Drops records every active cursor has passed. Caller holds mutex_.
    void reclaim();

    const uint64_t max_events_;
    const uint64_t max_bytes_;
    mutable std::mutex mutex_;
    std::condition_variable readable_;
    std::deque<RecordPtr> records_;  // records_[i] has offset head_offset_ + i
    std::deque<uint64_t> starts_;    // starts_[i]: bytes appended before records_[i], ever
    uint64_t appended_bytes_ = 0;    // bytes appended, ever
    uint64_t head_offset_ = 0;
    uint64_t held_bytes_ = 0;
    uint64_t appended_total_ = 0;
    uint64_t refused_full_total_ = 0;
    bool refusing_ = false;
    std::vector<Cursor> cursors_;  // indexed by CursorId
    size_t waiting_readers_ = 0;   // appends wake readers only when someone waits
    bool closed_ = false;
};

}  // namespace productgraph::queue
