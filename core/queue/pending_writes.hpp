// Frames waiting for the group commit: appenders build them in aligned chunks, and the
// syncing thread writes each chunk to its segment file in one O_DIRECT call.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/result.hpp"
#include "queue/segment_file.hpp"

namespace productgraph::queue {

/// How far one write_out() got in one file.
struct WrittenEnd {
    SegmentFilePtr file;
    uint64_t end = 0;  // byte position just after the last frame written
};

/// What one write_out() made durable.
struct WrittenOut {
    uint64_t end_offset = 0;        // one past the last record written; 0 when nothing was pending
    std::vector<WrittenEnd> files;  // in the order they were written
};

/// Under FsyncPolicy::always the event loops do not write frames themselves: a
/// buffered pwrite of a 24 KB request cost them about 6 us of kernel time (copying
/// into the page cache, ext4's per-page work), and the fdatasync then walked those
/// pages again to write them back. Instead an appender reserves room for its frames
/// in a chunk of aligned memory and builds them there, and the group commit's leader
/// writes each chunk with one O_DIRECT pwrite straight from it before its fdatasync:
/// the disk reads the chunk itself, and neither the page cache nor a buffer of the
/// request's own is involved (bench/README.md, session 5).
///
/// O_DIRECT writes whole blocks (direct_write_alignment). A chunk starts where the
/// previous one ended, usually inside a block: write_out() rewrites that block with
/// the bytes it already had followed by the new frames, which is safe even if the
/// write is torn (the old bytes are the same either way). The end of the last block is
/// padded with zeros, which the next chunk overwrites; recovery treats zeros at the end
/// of a segment as never written (see recover_segment).
///
/// A file that cannot take O_DIRECT writes gets the chunk through the page cache
/// instead, in the same single call.
///
/// reserve() and commit() may be called from any thread, write_out() from one thread
/// at a time (the group commit's leader).
class PendingWrites {
    struct Chunk;

public:
    /// Room for one append's frames: fill all of it, then hand it to commit().
    class Reservation {
    public:
        char *frames() const { return frames_; }

    private:
        friend class PendingWrites;
        char *frames_ = nullptr;
        Chunk *chunk_ = nullptr;
    };

    PendingWrites();
    ~PendingWrites();
    PendingWrites(const PendingWrites &) = delete;
    PendingWrites &operator=(const PendingWrites &) = delete;

    /// Room for `bytes` of frames that belong at byte `position` of `file`, after
    /// those reserved before; `end_offset` is one past their last record. Within one
    /// file, each call's position is where the previous call's frames end (the caller
    /// serialises calls, and makes them in offset order).
    Reservation reserve(const SegmentFilePtr &file, uint64_t position, size_t bytes, uint64_t end_offset);

    /// The reserved frames are built: write_out() may write them.
    void commit(const Reservation &reservation);

    /// Writes everything reserved before this call, in order, once it is committed,
    /// and fdatasyncs every file it wrote. On failure nothing is known about what
    /// reached the disk.
    common::Result<WrittenOut> write_out();

private:
    struct Block;
    std::unique_ptr<Chunk> new_chunk(const SegmentFilePtr &file, uint64_t position, size_t frame_bytes);
    common::Result<void> write_chunk(Chunk &chunk);

    std::mutex mutex_;  // the four below and each chunk's `building` count
    std::condition_variable committed_;
    bool awaiting_commits_ = false;  // write_out waits for a chunk's frames to be built
    std::unique_ptr<Chunk> filling_;
    std::vector<std::unique_ptr<Chunk>> full_;
    std::vector<std::unique_ptr<Chunk>> spare_chunks_;  // written out, kept for reuse

    // write_out's own: the last partly written block, the head of the next chunk.
    std::unique_ptr<Block> last_block_;
};

}  // namespace productgraph::queue
