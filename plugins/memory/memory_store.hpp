// A thread-safe store that keeps the newest events and answers filtered queries; no I/O.
#ifndef PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_STORE_HPP
#define PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_STORE_HPP

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace productgraph::memory {

/// The parts of one event the store keeps; views, copied by MemoryStore::add.
struct EventToStore {
    std::string_view json;  // canonical JSON text
    std::string_view type;
    std::string_view user_id;
    std::string_view session_id;
};

/// Which events a query wants. An unset filter matches everything; a set one must
/// match exactly (an empty value selects events without that field).
struct EventFilter {
    std::optional<std::string> session_id;
    std::optional<std::string> user_id;
    std::optional<std::string> type;
    std::size_t limit = 100;
};

/// Counters for GET /stats.
struct StoreStats {
    std::size_t stored = 0;
    std::size_t max_events = 0;
    std::uint64_t received_total = 0;
    std::uint64_t evicted_total = 0;
};

/// Keeps the newest `max_events` events; adding to a full store evicts the oldest.
/// Writers (publish) and readers (admin requests) may run on different threads.
class MemoryStore {
public:
    /// max_events must be at least 1.
    explicit MemoryStore(std::size_t max_events);

    /// Appends copies of the events in order, evicting the oldest ones beyond max_events.
    void add(std::span<const EventToStore> events);

    /// The JSON of the newest events that pass `filter`, newest first, at most filter.limit.
    std::vector<std::string> find(const EventFilter &filter) const;

    /// A consistent snapshot of the counters.
    StoreStats stats() const;

private:
    // The events of one add() call, packed into one buffer: one allocation per
    // publish call instead of one per event, and one free when its last event goes.
    struct Block {
        struct Entry {
            std::size_t offset;  // json, type, user_id, session_id back to back
            std::uint32_t json_length, type_length, user_id_length, session_id_length;
        };
        std::string text;
        std::vector<Entry> entries;
        std::size_t first_kept = 0;  // entries before it are evicted
    };
    static EventToStore view(const Block &block, const Block::Entry &entry);

    const std::size_t max_events_;
    mutable std::shared_mutex mutex_;
    // Oldest at the front; eviction moves the front block's first_kept and drops the
    // block once all its events are gone.
    std::deque<Block> blocks_;
    std::size_t stored_ = 0;
    std::uint64_t received_total_ = 0;
    std::uint64_t evicted_total_ = 0;
};

}  // namespace productgraph::memory

#endif  // PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_STORE_HPP
