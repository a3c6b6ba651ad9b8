// A thread-safe store that keeps the newest events and answers filtered queries; no I/O.
#ifndef PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_STORE_HPP
#define PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_STORE_HPP

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace productgraph::memory {

/// One stored event: its canonical JSON text plus the fields the filters look at,
/// packed into one allocation (the store holds 100,000 of them by default).
class StoredEvent {
public:
    StoredEvent(std::string_view json, std::string_view type, std::string_view user_id, std::string_view session_id);

    std::string_view json() const { return std::string_view(data_).substr(0, json_length_); }
    std::string_view type() const { return std::string_view(data_).substr(json_length_, type_length_); }
    std::string_view user_id() const
    {
        return std::string_view(data_).substr(json_length_ + type_length_, user_id_length_);
    }
    std::string_view session_id() const
    {
        return std::string_view(data_).substr(json_length_ + type_length_ + user_id_length_);
    }

private:
    std::string data_;  // json, type, user_id, session_id back to back
    std::size_t json_length_;
    std::size_t type_length_;
    std::size_t user_id_length_;
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

    /// Appends the events in order, evicting the oldest ones beyond max_events.
    void add(std::vector<StoredEvent> events);

    /// The JSON of the newest events that pass `filter`, newest first, at most filter.limit.
    std::vector<std::string> find(const EventFilter &filter) const;

    /// A consistent snapshot of the counters.
    StoreStats stats() const;

private:
    const std::size_t max_events_;
    mutable std::shared_mutex mutex_;
    // Oldest at the front. A bounded deque is the ring buffer: push_back + pop_front
    // never move the other elements and need no wrap-around arithmetic.
    std::deque<StoredEvent> events_;
    std::uint64_t received_total_ = 0;
    std::uint64_t evicted_total_ = 0;
};

}  // namespace productgraph::memory

#endif  // PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_STORE_HPP
