// The payload format of one queued event; see record_codec.hpp for the layout.
#include "queue/record_codec.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "queue/byte_order.hpp"

namespace productgraph::queue {
namespace {

constexpr uint8_t format_version = 1;
constexpr size_t string_count = 9;
constexpr size_t fixed_bytes = 1 + 8 + 8 + 4 * string_count;

std::array<std::string_view, string_count> strings_of(const event::EventRecord &record)
{
    return {record.json(),      record.event_id(),   record.type(),      record.name(),      record.user_id(),
            record.device_id(), record.session_id(), record.client_ip(), record.user_agent()};
}

}  // namespace

size_t encoded_record_size(const event::EventRecord &record)
{
    size_t size = fixed_bytes;
    for (std::string_view text : strings_of(record)) size += text.size();
    return size;
}

void encode_record(const event::EventRecord &record, std::string &out)
{
    // Sized once and filled through a pointer: appending field by field, a byte at a time
    // for the lengths, cost about as much as the CRC of the frame.
    const auto strings = strings_of(record);
    size_t size = fixed_bytes;
    for (std::string_view text : strings) size += text.size();
    const size_t start = out.size();
    out.resize(start + size);
    char *at = out.data() + start;
    *at++ = static_cast<char>(format_version);
    store_u64(at, static_cast<uint64_t>(record.timestamp_ms()));
    store_u64(at + 8, static_cast<uint64_t>(record.received_ms()));
    at += 16;
    for (std::string_view text : strings) {
        store_u32(at, static_cast<uint32_t>(text.size()));  // records are far below 4 GiB
        at += 4;
        if (!text.empty()) std::memcpy(at, text.data(), text.size());
        at += text.size();
    }
}

common::Result<event::EventRecordPtr> decode_record(std::string_view payload)
{
    if (payload.size() < fixed_bytes) return common::fail("queued record is too short");
    if (static_cast<uint8_t>(payload[0]) != format_version) {
        return common::fail("queued record has unknown format version " +
                            std::to_string(static_cast<uint8_t>(payload[0])));
    }
    event::EventFields fields;
    fields.timestamp_ms = static_cast<int64_t>(get_u64(payload.data() + 1));
    fields.received_ms = static_cast<int64_t>(get_u64(payload.data() + 9));
    std::array<std::string_view *, string_count> targets = {&fields.json,       &fields.event_id,  &fields.type,
                                                            &fields.name,       &fields.user_id,   &fields.device_id,
                                                            &fields.session_id, &fields.client_ip, &fields.user_agent};
    size_t position = 17;
    for (std::string_view *target : targets) {
        if (payload.size() - position < 4) return common::fail("queued record is truncated");
        const uint32_t length = get_u32(payload.data() + position);
        position += 4;
        if (payload.size() - position < length) return common::fail("queued record is truncated");
        *target = payload.substr(position, length);
        position += length;
    }
    if (position != payload.size()) return common::fail("queued record has trailing bytes");
    return std::make_shared<const event::EventRecord>(fields);
}

}  // namespace productgraph::queue
