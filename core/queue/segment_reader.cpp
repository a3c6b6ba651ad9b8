// Scanning segment spans into records for one read() call.
#include "queue/segment_reader.hpp"

#include "common/log.hpp"
#include "queue/frame_format.hpp"
#include "queue/frame_scanner.hpp"
#include "queue/record_codec.hpp"

namespace productgraph::queue {
namespace {

// Decodes the record at `offset` of `frame` into `batch` and moves the hint past it.
// Returns true when the batch is full: the record was the last one allowed, or it did
// not fit (and was left for the next read).
bool take_record(ReadBatch &batch, const ReadSpan &span, const ScannedFrame &frame, uint64_t offset,
                 std::string_view payload, ReadLimits limits, uint64_t &bytes)
{
    auto record = decode_record(payload);
    if (!record) {
        common::log_warn("undecodable queue record skipped", {{"file", span.file->path().string()},
                                                              {"position", frame.position},
                                                              {"offset", offset},
                                                              {"reason", record.error().message}});
        return false;
    }
    const uint64_t size = (*record)->byte_size();
    if (!batch.records.empty() && limits.max_bytes != 0 && bytes + size > limits.max_bytes) return true;
    bytes += size;
    batch.records.push_back(QueuedRecord{offset, std::move(*record)});
    // The next read starts at this frame again while it holds records after this one.
    const bool frame_done = offset + 1 == frame.end_offset();
    batch.hint = ReadHint{span.first_offset, offset + 1, frame_done ? frame.end : frame.position};
    return batch.records.size() >= limits.max_events;
}

}  // namespace

ReadBatch read_segments(const std::vector<ReadSpan> &spans, uint64_t start, ReadLimits limits)
{
    // One buffer per reader thread: reused across reads without a per-call allocation,
    // and never shared between two readers.
    thread_local std::vector<char> buffer;
    ReadBatch batch;
    if (limits.max_events == 0) return batch;
    uint64_t bytes = 0;
    for (const ReadSpan &span : spans) {
        // Recovery checked every CRC at start-up and later frames are our own writes, so
        // runtime reads skip the CRC (it was ~10% of the durable intake path's CPU),
        // except in a segment where recovery found corruption to step around.
        FrameScanner scanner(*span.file, span.begin, span.end, span.first_offset, buffer, span.verify_crc);
        while (true) {
            auto frame = scanner.next();
            if (!frame) {
                common::log_error("cannot read the queue", {{"reason", frame.error().message}});
                return batch;
            }
            if (const SkippedRange skipped = scanner.skipped(); !skipped.empty()) {
                common::log_warn("corrupted bytes in queue segment; skipped to the next record",
                                 {{"file", span.file->path().string()},
                                  {"position", skipped.begin},
                                  {"bytes", skipped.end - skipped.begin}});
            }
            if (!*frame) break;
            const ScannedFrame &found = **frame;
            if (found.end_offset() <= start) continue;
            if (!found.batch) {
                if (take_record(batch, span, found, found.offset, found.payload, limits, bytes)) return batch;
                continue;
            }
            BatchRecords records(found.payload);
            for (uint64_t offset = found.offset; !records.done(); ++offset) {
                const std::string_view payload = records.next();
                if (offset < start) continue;
                if (take_record(batch, span, found, offset, payload, limits, bytes)) return batch;
            }
        }
    }
    return batch;
}

}  // namespace productgraph::queue
