// Start-up scan of one segment: what it holds, its torn tail cut off, its corruption logged.
#pragma once

#include <cstdint>

#include "common/result.hpp"
#include "queue/segment_file.hpp"
#include "queue/segment_index.hpp"

namespace productgraph::queue {

/// What a segment holds after recovery.
struct RecoveredSegment {
    uint64_t end_offset = 0;    // one past the last valid record; `min_offset` when none
    uint64_t readable_end = 0;  // byte position just after the last valid frame
    uint64_t file_bytes = 0;    // where appends continue: the file size after any truncation, or the
                                // end of the live frames in a reused file
    bool reused = false;        // the file was a reused segment: bytes past file_bytes are its old content
    uint64_t records = 0;
    SegmentIndex index;
    bool corrupted = false;  // bytes were skipped between valid frames: reads must check CRCs
};

/// Scans every frame of `file`; records must have offsets >= `min_offset`. A range of
/// invalid bytes followed by valid frames is corruption: logged (file, byte position,
/// length) and skipped, so the records after it keep their offsets. In the last
/// segment, an invalid range that runs to the end of the file is a write cut short by
/// a crash: the file is truncated there, so appends continue after the last valid
/// record. (In an older segment such a range is only logged: that file is never
/// appended to again.) In a reused segment the live frames end at the first whole
/// frame left from its earlier life (a lower offset, see FrameScanner): what follows is
/// neither logged nor truncated, and appends overwrite it. Fails only on I/O errors.
common::Result<RecoveredSegment> recover_segment(const SegmentFile &file, uint64_t min_offset, bool is_last);

}  // namespace productgraph::queue
