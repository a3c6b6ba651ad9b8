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

bool matches(const EventFilter &filter, const EventToStore &event)
{
    return matches(filter.type, event.type) && matches(filter.user_id, event.user_id) &&
           matches(filter.session_id, event.session_id);
}

}  // namespace

MemoryStore::MemoryStore(std::size_t max_events) : max_events_(max_events)
{
    assert(max_events_ >= 1);
}

void MemoryStore::add(std::span<const EventToStore> events)
{
    if (events.empty()) return;
    // Built before taking the lock, so readers wait only for the insertion.
    Block block;
    std::size_t bytes = 0;
    for (const EventToStore &event : events) {
        bytes += event.json.size() + event.type.size() + event.user_id.size() + event.session_id.size();
    }
    block.text.reserve(bytes);
    block.entries.reserve(events.size());
    for (const EventToStore &event : events) {
        block.entries.push_back(Block::Entry{block.text.size(), static_cast<std::uint32_t>(event.json.size()),
                                             static_cast<std::uint32_t>(event.type.size()),
                                             static_cast<std::uint32_t>(event.user_id.size()),
                                             static_cast<std::uint32_t>(event.session_id.size())});
        block.text.append(event.json).append(event.type).append(event.user_id).append(event.session_id);
    }

    std::unique_lock lock(mutex_);
    blocks_.push_back(std::move(block));
    stored_ += events.size();
    received_total_ += events.size();
    while (stored_ > max_events_) {
        Block &oldest = blocks_.front();
        ++oldest.first_kept;
        --stored_;
        ++evicted_total_;
        if (oldest.first_kept == oldest.entries.size()) blocks_.pop_front();
    }
}

EventToStore MemoryStore::view(const Block &block, const Block::Entry &entry)
{
    const std::string_view text(block.text);
    std::size_t at = entry.offset;
    auto next = [&](std::uint32_t length) {
        const std::string_view part = text.substr(at, length);
        at += length;
        return part;
    };
    EventToStore event;
    event.json = next(entry.json_length);
    event.type = next(entry.type_length);
    event.user_id = next(entry.user_id_length);
    event.session_id = next(entry.session_id_length);
    return event;
}

std::vector<std::string> MemoryStore::find(const EventFilter &filter) const
{
    std::vector<std::string> found;
    std::shared_lock lock(mutex_);
    for (auto block = blocks_.rbegin(); block != blocks_.rend() && found.size() < filter.limit; ++block) {
        for (std::size_t i = block->entries.size(); i > block->first_kept && found.size() < filter.limit; --i) {
            const EventToStore event = view(*block, block->entries[i - 1]);
            if (matches(filter, event)) found.emplace_back(event.json);
        }
    }
    return found;
}

StoreStats MemoryStore::stats() const
{
    std::shared_lock lock(mutex_);
    return StoreStats{stored_, max_events_, received_total_, evicted_total_};
}

}  // namespace productgraph::memory
