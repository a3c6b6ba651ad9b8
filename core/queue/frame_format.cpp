// Building and checking segment frames; the layout is documented in frame_format.hpp.
#include "queue/frame_format.hpp"

#include <zlib.h>

#include "queue/byte_order.hpp"
#include "queue/crc32c.hpp"

namespace productgraph::queue {
namespace {

uint32_t crc_extend(FrameChecksum checksum, uint32_t crc, const char *data, size_t size)
{
    if (checksum == FrameChecksum::crc32c) return crc32c(crc, data, size);
    // zlib takes uInt lengths; frames are capped far below 4 GiB.
    return static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef *>(data), static_cast<uInt>(size)));
}

uint32_t with_offset(FrameChecksum checksum, uint32_t payload_crc, uint64_t offset)
{
    char bytes[8];
    store_u64(bytes, offset);
    return crc_extend(checksum, payload_crc, bytes, sizeof bytes);
}

}  // namespace

size_t begin_frame(std::string &out)
{
    const size_t at = out.size();
    out.append(frame_header_bytes, '\0');
    return at;
}

void finish_payload(std::string &out, size_t header_at)
{
    finish_payload_at(out.data() + header_at, out.size() - header_at - frame_header_bytes);
}

void finish_payload_at(char *header, size_t payload_length, uint32_t magic)
{
    store_u32(header, magic);
    store_u32(header + 4, static_cast<uint32_t>(payload_length));
    store_u32(header + 8, crc32c(0, header + frame_header_bytes, payload_length));
}

void stamp_frame(char *header, uint64_t offset)
{
    store_u32(header + 8, with_offset(FrameChecksum::crc32c, get_u32(header + 8), offset));
    store_u64(header + 12, offset);
}

void append_frame(std::string &out, uint64_t offset, std::string_view payload, FrameChecksum checksum)
{
    const size_t at = begin_frame(out);
    out.append(payload);
    if (checksum == FrameChecksum::crc32c) {
        finish_payload(out, at);
        stamp_frame(out.data() + at, offset);
        return;
    }
    char *header = out.data() + at;
    store_u32(header, frame_magic_zlib);
    store_u32(header + 4, static_cast<uint32_t>(payload.size()));
    store_u32(header + 8, with_offset(checksum, crc_extend(checksum, 0, payload.data(), payload.size()), offset));
    store_u64(header + 12, offset);
}

std::optional<FrameHeader> parse_frame_header(const char *at)
{
    const uint32_t magic = get_u32(at);
    FrameHeader header{FrameChecksum::crc32c, get_u32(at + 4), get_u32(at + 8), get_u64(at + 12)};
    if (magic == frame_magic_zlib) {
        header.checksum = FrameChecksum::zlib_crc32;
    } else if (magic == batch_frame_magic) {
        header.batch = true;
    } else if (magic != frame_magic) {
        return std::nullopt;
    }
    if (header.payload_length > max_frame_payload) return std::nullopt;
    return header;
}

bool frame_crc_matches(const FrameHeader &header, std::string_view payload)
{
    const uint32_t payload_crc = crc_extend(header.checksum, 0, payload.data(), payload.size());
    return with_offset(header.checksum, payload_crc, header.offset) == header.crc;
}

std::optional<uint32_t> batch_record_count(std::string_view payload)
{
    if (payload.size() < batch_count_bytes) return std::nullopt;
    const uint32_t count = get_u32(payload.data());
    if (count == 0) return std::nullopt;
    size_t at = batch_count_bytes;
    for (uint32_t i = 0; i < count; ++i) {
        if (payload.size() - at < batch_length_bytes) return std::nullopt;
        const uint32_t length = get_u32(payload.data() + at);
        at += batch_length_bytes;
        if (payload.size() - at < length) return std::nullopt;
        at += length;
    }
    if (at != payload.size()) return std::nullopt;
    return count;
}

std::string_view BatchRecords::next()
{
    const uint32_t length = get_u32(rest_.data());
    const std::string_view record = rest_.substr(batch_length_bytes, length);
    rest_.remove_prefix(batch_length_bytes + length);
    return record;
}

}  // namespace productgraph::queue
