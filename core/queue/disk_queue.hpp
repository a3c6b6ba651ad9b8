// The durable EventQueue: records in append-only segment files, one persisted cursor per plugin.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "queue/cursor_store.hpp"
#include "queue/durability_notifier.hpp"
#include "queue/encoded_frames.hpp"
#include "queue/event_queue.hpp"
#include "queue/fsync_policy.hpp"
#include "queue/group_commit.hpp"
#include "queue/pending_writes.hpp"
#include "queue/periodic_task.hpp"
#include "queue/queue_directory.hpp"
#include "queue/recent_records.hpp"
#include "queue/segment_file.hpp"
#include "queue/segment_index.hpp"
#include "queue/segment_reader.hpp"

namespace productgraph::queue {

/// How a DiskQueue is set up; the daemon fills it from its environment variables.
struct DiskQueueOptions {
    /// PRODUCTGRAPH_QUEUE_DIR: created if missing; one queue per directory (locked).
    std::filesystem::path directory;
    /// PRODUCTGRAPH_QUEUE_MAX_BYTES: segment bytes on disk (frames included). An append
    /// that would pass it is refused whole (AppendStatus::full).
    uint64_t max_bytes = 512ull << 20;
    /// A new segment starts once the active one would pass this size. Lowered to
    /// max_bytes / 8 when that is smaller: space is freed a whole segment at a time, so
    /// a partly consumed segment must stay a small part of the capacity.
    uint64_t segment_bytes = 64ull << 20;
    /// PRODUCTGRAPH_FSYNC (see parse_fsync_policy).
    FsyncPolicy fsync;
    /// How often acknowledged positions are written to disk. A crash loses at most
    /// this much cursor progress, which means re-sending, never skipping.
    std::chrono::milliseconds cursor_flush_interval{100};
    /// The newest records stay in memory up to this many bytes of record JSON, so a
    /// reader keeping up with the writers gets them without reading the disk and
    /// decoding them again (the same records, shared). Resident memory is about twice
    /// this (the other fields, allocation overhead). 0 = every read goes to disk.
    uint64_t recent_records_bytes = 8ull << 20;
    /// Under FsyncPolicy::always the frames of a group commit are written with
    /// O_DIRECT, where the filesystem allows it (see PendingWrites). Off, they are
    /// written through the page cache, still by the group commit: byte for byte the
    /// files an older daemon wrote, without the zero padding O_DIRECT leaves after the
    /// last frame (tests of the file layout use that).
    bool direct_writes = true;
    /// Under FsyncPolicy::always, how the durability thread gathers appends before a
    /// sync (see GroupGathering): the defaults are what bench/README.md measured best.
    GroupGathering gathering;
};

/// An EventQueue whose records live on disk: reads pread them back from segment
/// files, so resident memory does not grow with the backlog (a sparse index of 64 KiB
/// per GiB, and the window of recent records, are all that is kept). Offsets are global, start at 0 and are never
/// reused, across restarts too.
///
/// Segments are deleted once every *active* cursor's persisted position has passed
/// their last record. Released cursors, and cursors of plugins not opened in this run,
/// hold nothing: a disabled or removed plugin stops holding segments from the next
/// start, since only enabled plugins open cursors. Its cursor file stays, so a
/// re-enabled plugin resumes where it was; if that position was deleted meanwhile it
/// resumes at the oldest record and the gap is logged. The active (last) segment is
/// never deleted. Nothing is deleted before the queue starts serving (its first append,
/// read, acknowledgement or release): the daemon opens its cursors one by one before
/// that, and a cursor not opened yet must still count.
///
/// One consumed segment file is kept as a spare (renamed to spare.segment) and renamed
/// into the next segment, whose frames then overwrite its old ones: writing over
/// blocks the file already has changes neither its size nor its block map, so each
/// fdatasync flushes the data alone, with no block allocation or inode to write back
/// (and no journal commit on a journaling ext4): about half the cost of an fdatasync
/// that extends the file, measured in bench/README.md. Recovery
/// tells the old frames apart by their lower offsets (see FrameScanner). The spare is
/// kept only while the queue is at most half full; with the active segment's old
/// tail, disk use can pass max_bytes by about one segment.
/// A spare found at start-up is deleted: only files consumed in this run are reused.
///
/// stats(): depth_events is the largest lag among active cursors; depth_bytes is the
/// segment bytes on disk (what capacity_bytes limits); capacity_events is UINT64_MAX
/// (no event limit, so an "events >= capacity" check never trips).
///
/// Thread-safe: any number of appenders; one reader per cursor at a time is the
/// expected use (the dispatch workers), though concurrent reads are safe.
class DiskQueue final : public EventQueue {
public:
    /// Opens (recovering torn tails and skipping corruption, see recover_segment) or
    /// creates the queue in options.directory. Fails with a message naming
    /// PRODUCTGRAPH_QUEUE_DIR when the directory cannot be created, written or locked.
    static common::Result<std::unique_ptr<DiskQueue>> open(const DiskQueueOptions &options);

    /// Closes, stops the background threads, persists the final cursor positions and,
    /// under the interval policy, syncs what is left.
    ~DiskQueue() override;

    DiskQueue(const DiskQueue &) = delete;
    DiskQueue &operator=(const DiskQueue &) = delete;

    /// Appends all records or none. Under FsyncPolicy::always it returns once they are
    /// fdatasync'ed. A write error (disk full) is undone and answered `full`; after a
    /// failed fdatasync every append is answered `full` until restart (durability can
    /// no longer be promised), with one error log line.
    AppendStatus append(std::vector<RecordPtr> records) override;

    /// As append(), but under FsyncPolicy::always `done` is called from the
    /// durability thread once the fdatasync covering these records is over, so HTTP
    /// threads never wait for a sync and concurrent requests share syncs. The frames
    /// are built on the calling thread: under FsyncPolicy::always among the pending
    /// writes (the append lock is held only to reserve room and offsets for them);
    /// otherwise, if another thread is writing, they are staged for it and this call
    /// returns at once (that thread then calls `done`), so an event loop never sleeps
    /// on a lock held across a write.
    void append_async(std::vector<RecordPtr> records, AppendDone done) override;

    /// Loads `name`'s persisted position if there is one; otherwise starts at the end of
    /// the log (a new plugin does not get old events) and persists that at once, so a
    /// crash right after cannot make it skip what arrives meanwhile. Opening the same
    /// name twice returns the same cursor; opening a released one makes it active again
    /// at its acknowledged position (or the oldest record, logging the gap).
    CursorId open_cursor(const std::string &name) override;

    /// Under FsyncPolicy::always only records already synced are returned: their
    /// frames reach the file with the sync.
    std::vector<QueuedRecord> read(CursorId cursor, uint64_t from_offset, ReadLimits limits,
                                   std::chrono::milliseconds wait) override;

    /// Moves the cursor in memory; a background thread persists it within
    /// cursor_flush_interval (the persisted position never passes the acknowledged one).
    void acknowledge(CursorId cursor, uint64_t next_offset) override;

    uint64_t release_cursor(CursorId cursor) override;
    uint64_t lag(CursorId cursor) const override;
    uint64_t backlog_bytes(CursorId cursor) const override;
    uint64_t offset_to_hold_at_most(CursorId cursor, uint64_t max_bytes) const override;
    /// persist_cursors(), now.
    void reclaim_now() override { persist_cursors(); }
    QueueStats stats() const override;

    /// Refuses appends from now on, wakes readers (records stay readable: shutdown drains
    /// them) and persists cursors. Acknowledgements after close are still persisted,
    /// by the background thread and by the destructor.
    void close() override;

    /// Writes every changed cursor position now, then deletes the segments no active
    /// cursor needs any more. The background thread calls this periodically.
    void persist_cursors();

    /// fdatasync calls made on segment files so far (group commit, the interval thread
    /// and segment roll-over). For tests and metrics.
    uint64_t sync_count() const;

private:
    struct Segment {
        uint64_t first_offset = 0;  // no record in it is lower (its file name, or the previous end)
        uint64_t end_offset = 0;    // one past its last record
        uint64_t readable_end = 0;  // byte position after its last complete frame
        uint64_t file_bytes = 0;    // bytes of frames in it: where the next append goes (a reused file is larger)
        std::shared_ptr<SegmentFile> file;
        SegmentIndex index;
        bool verify_reads = false;  // recovery skipped corruption in it
    };

    struct Cursor {
        std::string name;
        uint64_t position = 0;              // acknowledged
        std::optional<uint64_t> persisted;  // on disk; never above position
        bool active = true;
        ReadHint hint;
    };

    DiskQueue(const DiskQueueOptions &options, QueueDirectory directory);

    // Scans every segment and loads the persisted cursors. Before any thread starts.
    common::Result<void> recover();
    void start_background_threads();

    // An async append waiting for the thread that writes (see append_async).
    struct StagedAppend {
        std::vector<RecordPtr> records;
        EncodedFrames frames;
        AppendDone done;
    };

    // Writes the records (not yet durable), or places them among the pending writes;
    // on success sets `end_offset` to one past the last of them.
    AppendStatus write_records(std::vector<RecordPtr> &records, uint64_t &end_offset);
    // write_records with the frames already built; takes the append lock.
    AppendStatus write_frames(std::vector<RecordPtr> &records, EncodedFrames &frames, uint64_t &end_offset);
    // write_records under FsyncPolicy::always: reserves room among the pending writes
    // under the append lock, and builds the frames there after it.
    AppendStatus place_pending(std::vector<RecordPtr> &records, uint64_t &end_offset);

    // Where an append goes in the active segment.
    struct Placement {
        SegmentFilePtr file;  // null when there is nothing to append
        uint64_t at = 0;
    };
    // Finds room for `count` records in `bytes` of frames, rolling to a new segment when
    // the active one is full. Caller holds append_mutex_ (not mutex_).
    AppendStatus place(uint64_t count, uint64_t bytes, std::vector<std::filesystem::path> &removed,
                       Placement &placement);
    // Under FsyncPolicy::always, allocates the active segment's disk space ahead of
    // the frames about to be placed, so that a full disk refuses this append (`full`,
    // and the next one tries again) instead of failing the group commit's write, after
    // which nothing could be accepted until restart. Caller holds append_mutex_.
    AppendStatus allocate_ahead(const Placement &placement, uint64_t count, uint64_t bytes);
    // Makes the records, laid out as `layout` from byte `at` of the active segment,
    // part of the log (index, recent window, offsets) and returns them, shared. The
    // appends the window lets go are added to `released`. Caller holds append_mutex_.
    AppendedRecords note_appended(std::vector<RecordPtr> &records, const FrameLayout &layout, uint64_t at,
                                  std::vector<AppendedRecords> &released, uint64_t &end_offset);
    // Writes the staged appends in order, and those staged meanwhile, until none is left.
    void write_staged();
    // Wakes readers waiting for new records, if any; takes mutex_.
    void wake_readers();
    // Starts a new active segment at next_offset_ and adds the segments that became
    // deletable to `removed`. Caller holds append_mutex_ (not mutex_).
    bool roll_segment(std::vector<std::filesystem::path> &removed);
    // The group commit's sync: fdatasyncs the active segment, or under
    // FsyncPolicy::always writes out the pending frames and syncs the files they went to.
    common::Result<void> sync_log();
    // One past the last record readers may take: under FsyncPolicy::always only durable
    // records are delivered, since their frames reach the file only when they are synced.
    uint64_t readable_offset() const { return pending_writes_ != nullptr ? durable_end_ : next_offset_; }
    // Whether segment files are opened for O_DIRECT writes.
    bool writes_direct() const { return pending_writes_ != nullptr && options_.direct_writes; }
    // Refuses appends from now on, logging why once.
    void mark_broken(const common::Error &error);
    // At close: cuts the active segment after its last frame, so the next start finds
    // neither the zeros O_DIRECT padded its last block with nor frames left from a
    // reused file's earlier life, and has nothing to skip or warn about.
    void trim_active_segment();

    // The rest need mutex_ held.
    void reactivate(Cursor &cursor);
    bool has_room(uint64_t bytes) const { return disk_bytes_ + bytes <= options_.max_bytes; }
    uint64_t oldest_needed() const;
    std::vector<std::filesystem::path> reclaim();
    // Renames a segment just dropped from segments_ to the spare when there is room
    // for one and nobody reads it any more; false when it is to be deleted instead.
    bool keep_as_spare(const Segment &consumed);
    std::vector<ReadSpan> plan_read(const Cursor &cursor, uint64_t start) const;

    const DiskQueueOptions options_;
    const uint64_t segment_bytes_;
    QueueDirectory directory_;
    CursorStore cursor_store_;
    GroupCommit group_commit_;
    // FsyncPolicy::always only: frames wait here for the group commit to write them.
    const std::unique_ptr<PendingWrites> pending_writes_;
    uint64_t active_allocated_ = 0;  // disk space allocated in the active segment (append_mutex_)
    std::atomic<uint64_t> roll_syncs_{0};

    std::mutex append_mutex_;   // one writer at a time; taken before mutex_
    mutable std::mutex mutex_;  // everything below
    std::condition_variable readable_;
    std::deque<Segment> segments_;  // by first offset; back() is the active one
    uint64_t next_offset_ = 0;
    uint64_t durable_end_ = 0;          // under FsyncPolicy::always: records before it are written and synced
    uint64_t records_end_at_open_ = 0;  // one past the last record found by recover()
    uint64_t next_offset_at_open_ = 0;  // >= records_end_at_open_: also past every persisted cursor
    uint64_t disk_bytes_ = 0;
    uint64_t appended_total_ = 0;
    uint64_t refused_full_total_ = 0;
    bool refusing_ = false;        // see QueueStats::refusing
    std::vector<Cursor> cursors_;  // indexed by CursorId
    std::map<std::string, CursorId, std::less<>> cursor_ids_;
    std::map<std::string, uint64_t> persisted_at_open_;  // every cursor file found by recover()
    size_t waiting_readers_ = 0;                         // appends wake readers only when someone waits
    RecentRecords recent_;
    bool closed_ = false;
    bool serving_ = false;        // set by the first append/read/ack/release; enables reclaim
    bool broken_ = false;         // durability lost (failed sync, write not undone)
    bool write_failing_ = false;  // log only the first of a run of failed writes
    bool persist_failing_ = false;
    std::optional<uint64_t> spare_bytes_;  // the spare segment file exists and has this size

    std::mutex persist_mutex_;  // one cursor save at a time; taken before mutex_
    std::unique_ptr<PeriodicTask> cursor_flusher_;
    std::unique_ptr<PeriodicTask> interval_syncer_;
    std::unique_ptr<DurabilityNotifier> durability_notifier_;  // FsyncPolicy::always only
    std::atomic<int> async_appends_in_flight_{0};              // between append_async and handing `done` over

    std::mutex staging_mutex_;  // the two below; never held across I/O or another lock
    std::vector<StagedAppend> staged_;
    bool staging_writer_ = false;  // a thread is in write_staged and will take what is staged
};

}  // namespace productgraph::queue
