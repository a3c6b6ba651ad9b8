// Packing an event's text into one buffer, and a request's records into one block.
#include "event/event_record.hpp"

#include <cstring>
#include <functional>

namespace productgraph::event {

EventRecord::EventRecord(const EventFields &fields)
    : owned_(std::make_unique_for_overwrite<char[]>(storage_size(fields)))
{
    pack(fields, owned_.get());
}

EventRecord::EventRecord(const EventFields &fields, char *storage)
{
    pack(fields, storage);
}

namespace {

// True when `part` is a non-empty piece of `whole` (the same bytes, not a copy).
bool inside(std::string_view whole, std::string_view part)
{
    return !part.empty() && std::less_equal<const char *>()(whole.data(), part.data()) &&
           std::less_equal<const char *>()(part.data() + part.size(), whole.data() + whole.size());
}

// Bytes a field takes in the record's buffer: none when it is a piece of the JSON.
size_t copied_size(const EventFields &fields, std::string_view part)
{
    return inside(fields.json, part) ? 0 : part.size();
}

}  // namespace

size_t EventRecord::storage_size(const EventFields &fields)
{
    return fields.json.size() + copied_size(fields, fields.event_id) + copied_size(fields, fields.type) +
           copied_size(fields, fields.name) + copied_size(fields, fields.user_id) +
           copied_size(fields, fields.device_id) + copied_size(fields, fields.session_id) + fields.client_ip.size() +
           fields.user_agent.size();
}

void EventRecord::pack(const EventFields &fields, char *storage)
{
    text_ = storage;
    timestamp_ms_ = fields.timestamp_ms;
    received_ms_ = fields.received_ms;
    // Bodies are capped at 10 MB, so offsets always fit in 32 bits.
    uint32_t used = 0;
    auto append = [&](std::string_view text) {
        const Span span{used, static_cast<uint32_t>(text.size())};
        if (!text.empty()) std::memcpy(storage + used, text.data(), text.size());
        used += span.length;
        return span;
    };
    json_ = append(fields.json);
    // A field that is a piece of the JSON (the plain-batch reader's views are) points
    // into the copy of it instead of being copied again.
    auto piece = [&](std::string_view text) {
        if (!inside(fields.json, text)) return append(text);
        return Span{static_cast<uint32_t>(text.data() - fields.json.data()), static_cast<uint32_t>(text.size())};
    };
    event_id_ = piece(fields.event_id);
    type_ = piece(fields.type);
    name_ = piece(fields.name);
    user_id_ = piece(fields.user_id);
    device_id_ = piece(fields.device_id);
    session_id_ = piece(fields.session_id);
    client_ip_ = append(fields.client_ip);
    user_agent_ = append(fields.user_agent);
}

EventFields EventRecord::fields() const
{
    return EventFields{json(),       event_id(),  type(),       name(),         user_id(),    device_id(),
                       session_id(), client_ip(), user_agent(), timestamp_ms(), received_ms()};
}

namespace {

// What the records of one request share.
struct RecordBlock {
    std::unique_ptr<char[]> text;
    std::vector<EventRecord> records;
};

}  // namespace

std::vector<EventRecordPtr> pack_event_records(const std::vector<EventFields> &fields)
{
    std::vector<EventRecordPtr> records;
    if (fields.empty()) return records;
    size_t total = 0;
    for (const EventFields &one : fields) total += EventRecord::storage_size(one);
    auto block = std::make_shared<RecordBlock>();
    block->text = std::make_unique_for_overwrite<char[]>(total);
    block->records.reserve(fields.size());  // never reallocated: the pointers below stay valid
    records.reserve(fields.size());
    char *next = block->text.get();
    for (const EventFields &one : fields) {
        block->records.emplace_back(one, next);
        next += EventRecord::storage_size(one);
        records.emplace_back(block, &block->records.back());  // shares the block's ownership
    }
    return records;
}

}  // namespace productgraph::event
