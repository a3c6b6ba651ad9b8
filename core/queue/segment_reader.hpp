// Reading a batch of records out of segment files, starting at an offset.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "queue/event_queue.hpp"
#include "queue/segment_file.hpp"

namespace productgraph::queue {

/// The readable bytes of one segment, captured under the queue's lock so the scan can
/// run without it.
struct ReadSpan {
    SegmentFilePtr file;
    uint64_t first_offset = 0;  // the segment's first offset: no frame in it is lower
    uint64_t begin = 0;         // a frame start at or before the first wanted record
    uint64_t end = 0;           // just after the last complete frame
    bool verify_crc = false;    // the segment had corruption at start-up: check every frame
};

/// Where a read stopped, so the next sequential read starts there instead of rescanning:
/// in the segment starting at `segment_first`, the frame at byte `position` is the first
/// one that can hold a record whose offset is >= `offset` (a batch frame the read
/// stopped inside of is read again, from its start).
struct ReadHint {
    uint64_t segment_first = std::numeric_limits<uint64_t>::max();  // max = no hint
    uint64_t offset = 0;
    uint64_t position = 0;
};

struct ReadBatch {
    std::vector<QueuedRecord> records;
    ReadHint hint;  // unchanged (no hint) when nothing was read
};

/// Records with offsets >= `start` from `spans` in order, within `limits` (at least one
/// record when any exists). Corrupted bytes met on the way are logged and stepped over;
/// an I/O error is logged and ends the batch early.
ReadBatch read_segments(const std::vector<ReadSpan> &spans, uint64_t start, ReadLimits limits);

}  // namespace productgraph::queue
