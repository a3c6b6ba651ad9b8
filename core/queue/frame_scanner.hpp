// Walks the frames in a byte range of a segment file, stepping over corrupted bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "queue/segment_file.hpp"

namespace productgraph::queue {

/// A frame whose header and CRC check out. `payload` points into the scanner's buffer
/// and is valid until the next call to next(). A batch frame holds `records` records
/// with offsets from `offset` on (walk them with BatchRecords); any other holds one.
struct ScannedFrame {
    uint64_t offset = 0;
    uint64_t position = 0;  // where the header starts in the file
    uint64_t end = 0;       // where the next frame would start
    std::string_view payload;
    bool batch = false;
    uint32_t records = 1;
    uint64_t end_offset() const { return offset + records; }
};

/// Bytes that hold no valid frame: [begin, end). Empty when begin == end.
struct SkippedRange {
    uint64_t begin = 0;
    uint64_t end = 0;
    bool empty() const { return begin == end; }
};

/// Reads [begin, end) of `file` in large preads. A frame is valid when its magic,
/// length, CRC, offset (>= min_offset and increasing) and, in a batch frame, record
/// lengths all check out; anything else is skipped by searching for the next magic of
/// any frame format (resynchronising), and reported through skipped() so the caller
/// can log it. Never throws on bad data.
///
/// A whole frame (CRC verified) whose offset is below the expected one ends the scan:
/// it is left over from the file's earlier life as a segment that was reused (see
/// DiskQueue's spare segment). Live frames are written from the start of a reused file
/// one after another, and every earlier frame carries a lower offset, so nothing live
/// follows it. stale_frame_at() then says where it is.
class FrameScanner {
public:
    /// `buffer` is borrowed so a caller can reuse one allocation across scans.
    /// `verify_crc` false trusts each well-formed header's payload: for runtime reads
    /// of frames that start-up recovery checked or this process wrote itself.
    FrameScanner(const SegmentFile &file, uint64_t begin, uint64_t end, uint64_t min_offset, std::vector<char> &buffer,
                 bool verify_crc = true);

    /// The next valid frame, or nullopt at the end of the range. Fails only on I/O errors.
    common::Result<std::optional<ScannedFrame>> next();

    /// The invalid bytes the last call to next() stepped over before its result.
    SkippedRange skipped() const { return skipped_; }

    /// Where the next frame would start: after the last valid frame or skipped range.
    uint64_t position() const { return position_; }

    /// Where the scan met a frame from the file's earlier life and stopped, if it did.
    /// Only detected when verifying CRCs: without the CRC a stale header is not trusted.
    std::optional<uint64_t> stale_frame_at() const { return stale_frame_at_; }

private:
    bool verify_crc_ = true;
    // Makes [at, at + size) readable in the buffer and returns a pointer to it.
    common::Result<const char *> window(uint64_t at, size_t size);
    // The next position >= from where the magic starts, or end_.
    common::Result<uint64_t> find_magic(uint64_t from);

    const SegmentFile &file_;
    uint64_t position_;
    uint64_t end_;  // lowered to a stale frame's position when one is met
    uint64_t min_offset_;
    std::optional<uint64_t> stale_frame_at_;
    std::vector<char> &buffer_;
    uint64_t window_begin_ = 0;
    size_t window_size_ = 0;
    SkippedRange skipped_;
};

}  // namespace productgraph::queue
