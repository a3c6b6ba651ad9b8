// How one record is framed inside a segment file: a fixed header, then the payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace productgraph::queue {

/// Header, little-endian: magic u32, payload length u32, crc u32, offset u64.
/// The CRC covers the payload followed by the 8 offset bytes, so a flipped bit in the
/// offset is caught too (the offset is what cursors point at). The magic says which CRC:
/// frames are written with CRC-32C (frame_magic, bytes F9 6B C0 E3: F9 and C0 never occur
/// in UTF-8), which the CPU computes several times faster than zlib's crc32. Frames
/// written before that (frame_magic_zlib, bytes E7 9A 4B D1: E7 must be followed by two
/// continuation bytes) carry zlib's crc32 and are still read, so a queue written by an
/// older daemon survives the upgrade. Neither magic occurs inside the JSON text, so a
/// resync after garbage rarely stops on a false start (the CRC rejects those).
constexpr uint32_t frame_magic = 0xE3C06BF9u;
constexpr uint32_t frame_magic_zlib = 0xD14B9AE7u;
constexpr size_t frame_header_bytes = 20;
/// Larger lengths are garbage, not records: request bodies are capped at 10 MB.
constexpr uint32_t max_frame_payload = 64u << 20;

/// Which checksum a frame carries (its magic tells).
enum class FrameChecksum : uint8_t { crc32c, zlib_crc32 };

struct FrameHeader {
    FrameChecksum checksum = FrameChecksum::crc32c;
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

/// As finish_payload, for a frame built in place: its `payload_length` bytes of payload
/// follow the header at `header`.
void finish_payload_at(char *header, size_t payload_length);

/// Writes `offset` and the final CRC into a finished frame's header.
void stamp_frame(char *header, uint64_t offset);

/// One whole frame in one call (tests, tools). `checksum` zlib_crc32 writes the frame
/// an older daemon wrote (tests of the upgrade path); the queue itself writes crc32c.
void append_frame(std::string &out, uint64_t offset, std::string_view payload,
                  FrameChecksum checksum = FrameChecksum::crc32c);

/// The header at `at` (frame_header_bytes readable), or nullopt when the magic is neither
/// of the two or the length is implausible.
std::optional<FrameHeader> parse_frame_header(const char *at);

/// Whether `payload` and the header's offset match the header's CRC (of its kind).
bool frame_crc_matches(const FrameHeader &header, std::string_view payload);

}  // namespace productgraph::queue
