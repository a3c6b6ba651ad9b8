// Recovering one segment at start-up.
#include "queue/segment_recovery.hpp"

#include <vector>

#include "common/log.hpp"
#include "queue/frame_scanner.hpp"

namespace productgraph::queue {
namespace {

// Whether `range` is the zeros an O_DIRECT write pads its last block with (see
// PendingWrites): space never written with a frame, so not worth a warning.
common::Result<bool> is_block_padding(const SegmentFile &file, SkippedRange range)
{
    const uint64_t size = range.end - range.begin;
    if (size >= direct_write_alignment || range.end % direct_write_alignment != 0) return false;
    char bytes[direct_write_alignment];
    auto read = file.read_at(bytes, size, range.begin);
    if (!read) return tl::unexpected(read.error());
    if (*read != size) return false;
    for (size_t i = 0; i < size; ++i) {
        if (bytes[i] != 0) return false;
    }
    return true;
}

}  // namespace

common::Result<RecoveredSegment> recover_segment(const SegmentFile &file, uint64_t min_offset, bool is_last)
{
    auto size = file.size();
    if (!size) return tl::unexpected(size.error());
    RecoveredSegment result;
    result.end_offset = min_offset;
    result.file_bytes = *size;
    std::vector<char> buffer;
    FrameScanner scanner(file, 0, *size, min_offset, buffer);
    while (true) {
        auto frame = scanner.next();
        if (!frame) return tl::unexpected(frame.error());
        const SkippedRange skipped = scanner.skipped();
        if (!*frame) {
            if (scanner.stale_frame_at()) {
                // Bytes between the last live frame and the stale one are the rest of an
                // old frame, or a write cut short by a crash that nobody was told had
                // succeeded: either way the next append overwrites them.
                result.reused = true;
                result.file_bytes = result.readable_end;
                break;
            }
            if (skipped.empty()) break;
            auto padding = is_block_padding(file, skipped);
            if (!padding) return tl::unexpected(padding.error());
            if (*padding) {
                if (is_last) {
                    if (auto cut = file.truncate(skipped.begin); !cut) return tl::unexpected(cut.error());
                    result.file_bytes = skipped.begin;
                }
                break;
            }
            if (is_last) {
                common::log_warn("queue segment ends with an incomplete or corrupted record; truncated",
                                 {{"file", file.path().string()},
                                  {"position", skipped.begin},
                                  {"bytes", skipped.end - skipped.begin}});
                if (auto cut = file.truncate(skipped.begin); !cut) return tl::unexpected(cut.error());
                result.file_bytes = skipped.begin;
            } else {
                common::log_warn("queue segment ends with bytes that are not a record; ignored",
                                 {{"file", file.path().string()},
                                  {"position", skipped.begin},
                                  {"bytes", skipped.end - skipped.begin}});
            }
            break;
        }
        if (!skipped.empty()) {
            result.corrupted = true;
            common::log_warn("corrupted bytes in queue segment; skipped to the next record",
                             {{"file", file.path().string()},
                              {"position", skipped.begin},
                              {"bytes", skipped.end - skipped.begin},
                              {"next_offset", (*frame)->offset}});
        }
        result.index.note((*frame)->offset, (*frame)->position);
        result.end_offset = (*frame)->end_offset();
        result.readable_end = (*frame)->end;
        result.records += (*frame)->records;
    }
    return result;
}

}  // namespace productgraph::queue
