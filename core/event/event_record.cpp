// Packing an event's text into one buffer.
#include "event/event_record.hpp"

namespace productgraph::event {

EventRecord::EventRecord(const EventFields &fields)
    : timestamp_ms_(fields.timestamp_ms), received_ms_(fields.received_ms)
{
    storage_.reserve(fields.json.size() + fields.event_id.size() + fields.type.size() + fields.name.size() +
                     fields.user_id.size() + fields.device_id.size() + fields.session_id.size() +
                     fields.client_ip.size() + fields.user_agent.size());
    json_ = append(fields.json);
    event_id_ = append(fields.event_id);
    type_ = append(fields.type);
    name_ = append(fields.name);
    user_id_ = append(fields.user_id);
    device_id_ = append(fields.device_id);
    session_id_ = append(fields.session_id);
    client_ip_ = append(fields.client_ip);
    user_agent_ = append(fields.user_agent);
}

EventRecord::Span EventRecord::append(std::string_view text)
{
    // Bodies are capped at 10 MB, so offsets always fit in 32 bits.
    const Span span{static_cast<uint32_t>(storage_.size()), static_cast<uint32_t>(text.size())};
    storage_.append(text);
    return span;
}

}  // namespace productgraph::event
