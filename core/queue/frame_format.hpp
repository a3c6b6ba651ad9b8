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
/// offset is caught too (the offset is what cursors point at). The magic says what the
/// payload holds and which CRC covers it:
/// - batch_frame_magic (bytes F8 6B C0 E3): the queue writes one of these per append.
///   The payload is u32 record count, then for each record u32 length and its bytes;
///   the offset is the first record's, and the others follow it one by one. One CRC,
///   one header and one stamp per request instead of one per event.
/// - frame_magic (bytes F9 6B C0 E3): one record, CRC-32C, written before batch frames.
/// - frame_magic_zlib (bytes E7 9A 4B D1): one record with zlib's crc32, written before
///   CRC-32C.
/// The older two are still read, so a queue written by an older daemon survives the
/// upgrade. F8 and F9 never occur in UTF-8 and E7 must be followed by two continuation
/// bytes, so no magic occurs inside the JSON text and a resync after garbage rarely
/// stops on a false start (the CRC rejects those).
constexpr uint32_t batch_frame_magic = 0xE3C06BF8u;
constexpr uint32_t frame_magic = 0xE3C06BF9u;
constexpr uint32_t frame_magic_zlib = 0xD14B9AE7u;
constexpr size_t frame_header_bytes = 20;
/// A batch frame's record count, and each record's length, before its bytes.
constexpr size_t batch_count_bytes = 4;
constexpr size_t batch_length_bytes = 4;
/// Larger lengths are garbage, not records: request bodies are capped at 10 MB.
constexpr uint32_t max_frame_payload = 64u << 20;

/// Which checksum a frame carries (its magic tells).
enum class FrameChecksum : uint8_t { crc32c, zlib_crc32 };

struct FrameHeader {
    FrameChecksum checksum = FrameChecksum::crc32c;
    uint32_t payload_length = 0;
    uint32_t crc = 0;
    uint64_t offset = 0;
    bool batch = false;  // the payload holds records counted and sized (batch_frame_magic)
};

/// Reserves a header at the end of `out` and returns where it starts; append the
/// payload, then call finish_payload.
size_t begin_frame(std::string &out);

/// Fills in the magic and length of the single-record frame begun at `header_at` and
/// keeps the payload's CRC in the header, so stamp_frame can finish it once the offset
/// is known (offsets are assigned under the append lock; the CRC is computed outside it).
void finish_payload(std::string &out, size_t header_at);

/// As finish_payload, for a frame built in place: its `payload_length` bytes of payload
/// follow the header at `header`. `magic` is batch_frame_magic or frame_magic.
void finish_payload_at(char *header, size_t payload_length, uint32_t magic = frame_magic);

/// Writes `offset` and the final CRC into a finished frame's header.
void stamp_frame(char *header, uint64_t offset);

/// One whole frame in one call (tests, tools). `checksum` zlib_crc32 writes the frame
/// an older daemon wrote (tests of the upgrade path); the queue itself writes crc32c.
void append_frame(std::string &out, uint64_t offset, std::string_view payload,
                  FrameChecksum checksum = FrameChecksum::crc32c);

/// The header at `at` (frame_header_bytes readable), or nullopt when the magic is none
/// of the three or the length is implausible.
std::optional<FrameHeader> parse_frame_header(const char *at);

/// Whether `payload` and the header's offset match the header's CRC (of its kind).
bool frame_crc_matches(const FrameHeader &header, std::string_view payload);

/// How many records a batch frame's payload holds, or nullopt when its count and
/// lengths do not add up to exactly its size (or the count is 0).
std::optional<uint32_t> batch_record_count(std::string_view payload);

/// Walks the records of a payload that batch_record_count accepted.
class BatchRecords {
public:
    explicit BatchRecords(std::string_view payload) : rest_(payload.substr(batch_count_bytes)) {}
    bool done() const { return rest_.empty(); }
    /// The next record's bytes; only while !done().
    std::string_view next();

private:
    std::string_view rest_;
};

}  // namespace productgraph::queue
