// The memory plugin's bounded event store and its filtered, newest-first query.
#include "memory_store.hpp"

#include <cassert>
#include <mutex>
#include <utility>

namespace productgraph::memory {
namespace {

bool matches(const std::optional<std::string> &wanted, const std::string &actual)
{
    return !wanted || *wanted == actual;
}

bool matches(const EventFilter &filter, const StoredEvent &event)
{
    return matches(filter.type, event.type) && matches(filter.user_id, event.user_id) &&
           matches(filter.session_id, event.session_id);
}

}  // namespace

MemoryStore::MemoryStore(std::size_t max_events) : max_events_(max_events)
{
    assert(max_events_ >= 1);
}

void MemoryStore::add(std::vector<StoredEvent> events)
{
    std::unique_lock lock(mutex_);
    for (StoredEvent &event : events) {
        if (events_.size() == max_events_) {
            events_.pop_front();
            ++evicted_total_;
        }
        events_.push_back(std::move(event));
        ++received_total_;
    }
}

std::vector<std::string> MemoryStore::find(const EventFilter &filter) const
{
    std::vector<std::string> found;
    std::shared_lock lock(mutex_);
    for (auto it = events_.rbegin(); it != events_.rend() && found.size() < filter.limit; ++it) {
        if (matches(filter, *it)) found.push_back(it->json);
    }
    return found;
}

StoreStats MemoryStore::stats() const
{
    std::shared_lock lock(mutex_);
    return StoreStats{events_.size(), max_events_, received_total_, evicted_total_};
}

}  // namespace productgraph::memory
