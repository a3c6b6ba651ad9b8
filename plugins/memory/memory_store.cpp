// The memory plugin's bounded event store and its filtered, newest-first query.
#include "memory_store.hpp"

#include <cassert>
#include <mutex>
#include <utility>

namespace productgraph::memory {
namespace {

bool matches(const std::optional<std::string> &wanted, std::string_view actual)
{
    return !wanted || *wanted == actual;
}

bool matches(const EventFilter &filter, const StoredEvent &event)
{
    return matches(filter.type, event.type()) && matches(filter.user_id, event.user_id()) &&
           matches(filter.session_id, event.session_id());
}

}  // namespace

MemoryStore::MemoryStore(std::size_t max_events) : max_events_(max_events)
{
    assert(max_events_ >= 1);
}

StoredEvent::StoredEvent(std::string_view json, std::string_view type, std::string_view user_id,
                         std::string_view session_id)
    : json_length_(json.size()), type_length_(type.size()), user_id_length_(user_id.size())
{
    data_.reserve(json.size() + type.size() + user_id.size() + session_id.size());
    data_.append(json).append(type).append(user_id).append(session_id);
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
        if (matches(filter, *it)) found.emplace_back(it->json());
    }
    return found;
}

StoreStats MemoryStore::stats() const
{
    std::shared_lock lock(mutex_);
    return StoreStats{events_.size(), max_events_, received_total_, evicted_total_};
}

}  // namespace productgraph::memory
