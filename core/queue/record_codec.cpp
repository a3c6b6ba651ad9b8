// The payload format of one queued event; see record_codec.hpp for the layout.
#include "queue/record_codec.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "queue/byte_order.hpp"

namespace productgraph::queue {
namespace {

// Version 2 writes the id, type, name, user, device and session ids that are pieces of
// the JSON as (length | piece_flag, offset into the JSON) instead of their bytes again;
// version 1 (every string spelled out) is still read.
constexpr uint8_t format_version = 2;
constexpr uint8_t spelled_out_version = 1;
constexpr uint32_t piece_flag = 0x80000000u;
constexpr size_t string_count = 9;
constexpr size_t fixed_bytes = 1 + 8 + 8 + 4 * string_count;

std::array<std::string_view, string_count> strings_of(const event::EventRecord &record)
{
    return {record.json(),      record.event_id(),   record.type(),      record.name(),      record.user_id(),
            record.device_id(), record.session_id(), record.client_ip(), record.user_agent()};
}

// The strings that may be written as pieces of the JSON (index 0 is the JSON itself).
bool may_be_piece(size_t index)
{
    return index >= 1 && index <= 6;
}

}  // namespace

size_t encoded_record_size(const event::EventRecord &record)
{
    size_t size = fixed_bytes;
    const auto strings = strings_of(record);
    for (size_t i = 0; i < string_count; ++i) {
        size += may_be_piece(i) && record.offset_in_json(strings[i]) ? 4 : strings[i].size();
    }
    return size;
}

char *encode_record_to(const event::EventRecord &record, char *at)
{
    const auto strings = strings_of(record);
    *at++ = static_cast<char>(format_version);
    store_u64(at, static_cast<uint64_t>(record.timestamp_ms()));
    store_u64(at + 8, static_cast<uint64_t>(record.received_ms()));
    at += 16;
    for (size_t i = 0; i < string_count; ++i) {
        const std::string_view text = strings[i];
        const auto offset = may_be_piece(i) ? record.offset_in_json(text) : std::nullopt;
        if (offset) {
            store_u32(at, static_cast<uint32_t>(text.size()) | piece_flag);  // records are far below 2 GiB
            store_u32(at + 4, *offset);
            at += 8;
            continue;
        }
        store_u32(at, static_cast<uint32_t>(text.size()));
        at += 4;
        if (!text.empty()) std::memcpy(at, text.data(), text.size());
        at += text.size();
    }
    return at;
}

void encode_record(const event::EventRecord &record, std::string &out)
{
    // Sized once and filled through a pointer: appending field by field, a byte at a time
    // for the lengths, cost about as much as the CRC of the frame.
    const size_t start = out.size();
    out.resize(start + encoded_record_size(record));
    encode_record_to(record, out.data() + start);
}

common::Result<event::EventRecordPtr> decode_record(std::string_view payload)
{
    if (payload.size() < 17) return common::fail("queued record is too short");
    const auto version = static_cast<uint8_t>(payload[0]);
    if (version != format_version && version != spelled_out_version) {
        return common::fail("queued record has unknown format version " + std::to_string(version));
    }
    event::EventFields fields;
    fields.timestamp_ms = static_cast<int64_t>(get_u64(payload.data() + 1));
    fields.received_ms = static_cast<int64_t>(get_u64(payload.data() + 9));
    std::array<std::string_view *, string_count> targets = {&fields.json,       &fields.event_id,  &fields.type,
                                                            &fields.name,       &fields.user_id,   &fields.device_id,
                                                            &fields.session_id, &fields.client_ip, &fields.user_agent};
    size_t position = 17;
    for (size_t i = 0; i < string_count; ++i) {
        if (payload.size() - position < 4) return common::fail("queued record is truncated");
        uint32_t length = get_u32(payload.data() + position);
        position += 4;
        if (version == format_version && (length & piece_flag) != 0 && may_be_piece(i)) {
            length &= ~piece_flag;
            if (payload.size() - position < 4) return common::fail("queued record is truncated");
            const uint32_t offset = get_u32(payload.data() + position);
            position += 4;
            if (offset > fields.json.size() || fields.json.size() - offset < length) {
                return common::fail("queued record has a field outside its JSON");
            }
            *targets[i] = fields.json.substr(offset, length);
            continue;
        }
        if (payload.size() - position < length) return common::fail("queued record is truncated");
        *targets[i] = payload.substr(position, length);
        position += length;
    }
    if (position != payload.size()) return common::fail("queued record has trailing bytes");
    return std::make_shared<const event::EventRecord>(fields);
}

}  // namespace productgraph::queue
