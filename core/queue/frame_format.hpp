// How one record is framed inside a segment file: a fixed header, then the payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace productgraph::queue {

/// Header, little-endian: magic u32, payload length u32, crc32 u32, offset u64.
/// The CRC covers the payload followed by the 8 offset bytes, so a flipped bit in the
/// offset is caught too (the offset is what cursors point at). The magic's bytes
/// (E7 9A 4B D1) are invalid UTF-8, so they never occur inside the JSON text and a
/// resync after garbage rarely stops on a false start (the CRC rejects those).
constexpr uint32_t frame_magic = 0xD14B9AE7u;
constexpr size_t frame_header_bytes = 20;
/// Larger lengths are garbage, not records: request bodies are capped at 10 MB.
constexpr uint32_t max_frame_payload = 64u << 20;

struct FrameHeader {
    uint32_t payload_length = 0;
    uint32_t crc = 0;
    uint64_t offset = 0;
};

/// Reserves a header at the end of `out` and returns where it starts; append the
/// payload, then call finish_payload.
size_t begin_frame(std::string &out);

/// Fills in the magic and length of the frame begun at `header_at` and keeps the
/// payload's CRC in the header, so stamp_frame can finish it once the offset is known
/// (offsets are assigned under the append lock; the payload CRC is computed outside it).
void finish_payload(std::string &out, size_t header_at);

/// Writes `offset` and the final CRC into a finished frame's header.
void stamp_frame(char *header, uint64_t offset);

/// One whole frame in one call (tests, tools).
void append_frame(std::string &out, uint64_t offset, std::string_view payload);

/// The header at `at` (frame_header_bytes readable), or nullopt when the magic is wrong
/// or the length is implausible.
std::optional<FrameHeader> parse_frame_header(const char *at);

/// Whether `payload` and the header's offset match the header's CRC.
bool frame_crc_matches(const FrameHeader &header, std::string_view payload);

}  // namespace productgraph::queue
