// Scanning segment spans into records for one read() call.
#include "queue/segment_reader.hpp"

#include "common/log.hpp"
#include "queue/frame_scanner.hpp"
#include "queue/record_codec.hpp"

namespace productgraph::queue {

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
            if (found.offset < start) continue;
            auto record = decode_record(found.payload);
            if (!record) {
                common::log_warn("undecodable queue record skipped", {{"file", span.file->path().string()},
                                                                      {"position", found.position},
                                                                      {"offset", found.offset},
                                                                      {"reason", record.error().message}});
                continue;
            }
            const uint64_t size = (*record)->byte_size();
            if (!batch.records.empty() && limits.max_bytes != 0 && bytes + size > limits.max_bytes) return batch;
            bytes += size;
            batch.records.push_back(QueuedRecord{found.offset, std::move(*record)});
            batch.hint = ReadHint{span.first_offset, found.offset + 1, found.end};
            if (batch.records.size() >= limits.max_events) return batch;
        }
    }
    return batch;
}

}  // namespace productgraph::queue
