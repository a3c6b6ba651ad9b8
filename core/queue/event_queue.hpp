// The queue interface every dispatch worker reads from: an append-only log of
// accepted events with one cursor per plugin. Implementations: memory_queue (fast,
// lost on exit) and disk_queue (durable, the default), behind this same interface.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "event/event_record.hpp"

namespace productgraph::queue {

using RecordPtr = event::EventRecordPtr;

/// A record and its position in the log. Offsets start at 0 and only grow.
struct QueuedRecord {
    uint64_t offset = 0;
    RecordPtr record;
};

enum class AppendStatus {
    appended,  // every record is in the log
    full,      // nothing was appended: the log is at capacity (answer 503)
    closed,    // nothing was appended: the daemon is shutting down
};

/// How much one read may return; at least one record is returned when any is
/// available, even if it alone exceeds max_bytes.
struct ReadLimits {
    size_t max_events = 1;
    uint64_t max_bytes = 0;  // 0 = no byte limit
};

using CursorId = uint32_t;

struct QueueStats {
    uint64_t depth_events = 0;  // records held (some cursor has not passed them)
    uint64_t depth_bytes = 0;
    uint64_t capacity_events = 0;
    uint64_t capacity_bytes = 0;
    uint64_t appended_total = 0;      // records ever appended
    uint64_t refused_full_total = 0;  // records refused because the log was full
    bool refusing = false;            // the latest append was refused for space and nothing was freed since
};

class EventQueue {
public:
    virtual ~EventQueue() = default;

    /// Appends all of `records` or none; returns once they are as durable as the
    /// queue promises. Thread-safe.
    virtual AppendStatus append(std::vector<RecordPtr> records) = 0;

    using AppendDone = std::function<void(AppendStatus)>;

    /// The same append, but the caller need not wait for durability: `done` is called
    /// exactly once with the outcome, possibly on another thread, once the records are
    /// as durable as append() would have made them. HTTP threads use this so that many
    /// requests share one fdatasync without blocking their connections.
    virtual void append_async(std::vector<RecordPtr> records, AppendDone done) { done(append(std::move(records))); }

    /// Registers a consumer named `name` whose cursor starts at the current end, or
    /// returns the existing cursor of that name (made active again if it was released,
    /// resuming where it stopped). Thread-safe.
    virtual CursorId open_cursor(const std::string &name) = 0;

    /// Records from `from_offset` on (never before the cursor's position), within
    /// `limits`; waits up to `wait` for the first one. Reading does not move the
    /// cursor, so a consumer may read ahead of what it has acknowledged (it keeps
    /// retrying older records meanwhile); after a restart it resumes at the cursor
    /// (at-least-once). Empty on timeout, close or a released cursor.
    virtual std::vector<QueuedRecord> read(CursorId cursor, uint64_t from_offset, ReadLimits limits,
                                           std::chrono::milliseconds wait) = 0;

    /// Moves the cursor to `next_offset`: everything before it is done for this
    /// consumer, and the space can be reclaimed once every cursor has passed it.
    /// A cursor never moves back.
    virtual void acknowledge(CursorId cursor, uint64_t next_offset) = 0;

    /// The consumer is gone for good (its plugin failed): it stops holding records.
    /// Returns how many records it had not acknowledged.
    virtual uint64_t release_cursor(CursorId cursor) = 0;

    /// Records appended but not yet acknowledged by this cursor.
    virtual uint64_t lag(CursorId cursor) const = 0;

    virtual QueueStats stats() const = 0;

    /// Refuses further appends and wakes waiting readers. Records already in the
    /// log stay readable (shutdown drains them).
    virtual void close() = 0;
};

}  // namespace productgraph::queue
