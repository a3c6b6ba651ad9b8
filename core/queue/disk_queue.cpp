// The disk queue's log side: opening and recovery, group-committed appends, reads from segments, close.
#include "queue/disk_queue.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <system_error>
#include <thread>

#include "common/log.hpp"
#include "queue/frame_format.hpp"
#include "queue/record_codec.hpp"
#include "queue/segment_recovery.hpp"

namespace productgraph::queue {
namespace {

// Runs remove_segment_files on every way out of append, after its locks are released.
struct RemoveOnExit {
    std::vector<std::filesystem::path> &paths;
    ~RemoveOnExit() { remove_segment_files(paths); }
};

}  // namespace

common::Result<std::unique_ptr<DiskQueue>> DiskQueue::open(const DiskQueueOptions &options)
{
    if (options.max_bytes == 0) return common::fail("PRODUCTGRAPH_QUEUE_MAX_BYTES: must be positive");
    if (options.fsync.mode == FsyncPolicy::Mode::interval && options.fsync.interval.count() <= 0) {
        return common::fail("PRODUCTGRAPH_FSYNC: the interval must be positive");
    }
    auto directory = QueueDirectory::open(options.directory);
    if (!directory) return tl::unexpected(directory.error());
    std::unique_ptr<DiskQueue> queue(new DiskQueue(options, std::move(*directory)));
    if (auto recovered = queue->recover(); !recovered) return tl::unexpected(recovered.error());
    queue->start_background_threads();
    return queue;
}

DiskQueue::DiskQueue(const DiskQueueOptions &options, QueueDirectory directory)
    : options_(options), segment_bytes_(std::max<uint64_t>(1, std::min(options.segment_bytes, options.max_bytes / 8))),
      directory_(std::move(directory)), cursor_store_(directory_.cursor_directory()),
      group_commit_([this] { return sync_log(); }),
      pending_writes_(options.fsync.mode == FsyncPolicy::Mode::always ? std::make_unique<PendingWrites>() : nullptr),
      recent_(options.recent_records_bytes)
{}

DiskQueue::~DiskQueue()
{
    close();
    durability_notifier_.reset();  // answers every pending async append first
    cursor_flusher_.reset();
    interval_syncer_.reset();
    persist_cursors();
}

common::Result<void> DiskQueue::recover()
{
    // Its frames' offsets were checked against nothing since it was consumed (a lazy
    // fsync policy may have lost the log past them): start without a spare.
    remove_segment_files({directory_.spare_segment_path()});
    auto offsets = directory_.segment_offsets();
    if (!offsets) return tl::unexpected(offsets.error());
    uint64_t floor = 0;  // offsets only grow from one segment to the next
    for (size_t i = 0; i < offsets->size(); ++i) {
        const bool active = i + 1 == offsets->size();
        auto file = SegmentFile::open(directory_.segment_path((*offsets)[i]), false, active && writes_direct());
        if (!file) return common::fail("PRODUCTGRAPH_QUEUE_DIR: " + file.error().message);
        const uint64_t first = std::max((*offsets)[i], floor);
        auto recovered = recover_segment(**file, first, active);
        if (!recovered) return common::fail("PRODUCTGRAPH_QUEUE_DIR: " + recovered.error().message);
        segments_.push_back(Segment{first, recovered->end_offset, recovered->readable_end, recovered->file_bytes,
                                    std::move(*file), std::move(recovered->index), recovered->corrupted});
        disk_bytes_ += recovered->file_bytes;
        floor = recovered->end_offset;
    }
    if (segments_.empty()) {
        auto file = SegmentFile::open(directory_.segment_path(0), true, writes_direct());
        if (!file) return common::fail("PRODUCTGRAPH_QUEUE_DIR: " + file.error().message);
        if (auto synced = directory_.sync(); !synced)
            return common::fail("PRODUCTGRAPH_QUEUE_DIR: " + synced.error().message);
        segments_.push_back(Segment{0, 0, 0, 0, std::move(*file), {}});
    }
    auto cursors = cursor_store_.load_all();
    if (!cursors) return common::fail("PRODUCTGRAPH_QUEUE_DIR: " + cursors.error().message);
    persisted_at_open_ = std::move(*cursors);

    records_end_at_open_ = segments_.back().end_offset;
    next_offset_ = records_end_at_open_;
    for (const auto &[name, position] : persisted_at_open_) {
        if (position <= next_offset_) continue;
        // A cursor acknowledged records that did not reach the disk (power loss under a
        // lazy fsync policy). Continuing past its position keeps offsets unique, so no
        // cursor can mistake a new record for one it already delivered.
        common::log_warn("queue cursor is ahead of the recovered log; offsets continue after it",
                         {{"cursor", name}, {"position", position}, {"log_end", records_end_at_open_}});
        next_offset_ = position;
    }
    next_offset_at_open_ = next_offset_;
    durable_end_ = next_offset_;
    common::log_info("queue opened", {{"directory", directory_.root().string()},
                                      {"segments", segments_.size()},
                                      {"bytes", disk_bytes_},
                                      {"oldest_offset", segments_.front().first_offset},
                                      {"next_offset", next_offset_},
                                      {"fsync", describe(options_.fsync)}});
    return {};
}

void DiskQueue::start_background_threads()
{
    cursor_flusher_ = std::make_unique<PeriodicTask>(options_.cursor_flush_interval, [this] { persist_cursors(); });
    if (options_.fsync.mode == FsyncPolicy::Mode::interval) {
        interval_syncer_ = std::make_unique<PeriodicTask>(options_.fsync.interval, [this] {
            if (auto synced = group_commit_.sync_written(); !synced) mark_broken(synced.error());
        });
    }
    if (options_.fsync.mode == FsyncPolicy::Mode::always) {
        durability_notifier_ = std::make_unique<DurabilityNotifier>(
            group_commit_, [this](const common::Error &error) { mark_broken(error); }, [this] { wake_readers(); },
            options_.gathering);
    }
}

AppendStatus DiskQueue::append(std::vector<RecordPtr> records)
{
    uint64_t end_offset = 0;
    const AppendStatus status = write_records(records, end_offset);
    if (status != AppendStatus::appended || options_.fsync.mode != FsyncPolicy::Mode::always) return status;
    if (auto durable = group_commit_.wait_durable(end_offset); !durable) {
        // The records are in the file and may be delivered; the client is told to
        // retry, which at worst duplicates them (at-least-once).
        mark_broken(durable.error());
        wake_readers();
        return AppendStatus::full;
    }
    wake_readers();
    return AppendStatus::appended;
}

void DiskQueue::append_async(std::vector<RecordPtr> records, AppendDone done)
{
    ++async_appends_in_flight_;  // until answered or handed to the durability thread
    if (pending_writes_ != nullptr) {
        // The append lock is held for bookkeeping only (the frames are built after it,
        // in their place among the pending writes): an event loop waits for it briefly.
        uint64_t end_offset = 0;
        const AppendStatus status = place_pending(records, end_offset);
        if (status == AppendStatus::appended) {
            durability_notifier_->notify_when_durable(end_offset, std::move(done));
        } else {
            done(status);
        }
        --async_appends_in_flight_;
        return;
    }
    EncodedFrames frames(records);
    {
        std::lock_guard lock(staging_mutex_);
        staged_.push_back(StagedAppend{std::move(records), std::move(frames), std::move(done)});
        // Another thread is writing: it takes this append too. Waiting for the append
        // lock instead would leave this event loop asleep while it could serve others.
        if (staging_writer_) return;
        staging_writer_ = true;
    }
    write_staged();
}

void DiskQueue::write_staged()
{
    std::vector<StagedAppend> batch;
    int handed_over = 0;
    while (true) {
        {
            std::lock_guard lock(staging_mutex_);
            // Counted down here, under the lock close() takes last, so that once close()
            // returns this thread touches the queue no more.
            async_appends_in_flight_ -= handed_over;
            handed_over = 0;
            if (staged_.empty()) {
                staging_writer_ = false;
                return;
            }
            batch.swap(staged_);
        }
        for (StagedAppend &append : batch) {
            uint64_t end_offset = 0;
            const AppendStatus status = write_frames(append.records, append.frames, end_offset);
            if (status == AppendStatus::appended && durability_notifier_ != nullptr) {
                durability_notifier_->notify_when_durable(end_offset, std::move(append.done));
            } else {
                append.done(status);
            }
            ++handed_over;
        }
        batch.clear();
    }
}

AppendStatus DiskQueue::write_records(std::vector<RecordPtr> &records, uint64_t &end_offset)
{
    if (pending_writes_ != nullptr) return place_pending(records, end_offset);
    EncodedFrames frames(records);  // outside the lock
    return write_frames(records, frames, end_offset);
}

AppendStatus DiskQueue::place(uint64_t count, uint64_t bytes, std::vector<std::filesystem::path> &removed,
                              Placement &placement)
{
    std::unique_lock lock(mutex_);
    if (closed_) return AppendStatus::closed;
    if (count == 0) return AppendStatus::appended;
    serving_ = true;
    const Segment &active = segments_.back();
    const bool active_passed = active.file_bytes > 0 && oldest_needed() >= active.end_offset;
    if (!broken_ && !has_room(bytes) && active_passed) {
        // Everything left on disk is consumed but the active segment is never
        // deleted: start a new one so the old one can go.
        lock.unlock();
        roll_segment(removed);
        lock.lock();
    }
    if (broken_ || !has_room(bytes)) {
        refused_full_total_ += count;
        refusing_ = true;
        return AppendStatus::full;
    }
    const bool roll = segments_.back().file_bytes > 0 && segments_.back().file_bytes + bytes > segment_bytes_;
    if (roll) {
        lock.unlock();
        const bool rolled = roll_segment(removed);
        lock.lock();
        if (!rolled || broken_) {
            refused_full_total_ += count;
            refusing_ = true;
            return AppendStatus::full;
        }
    }
    placement.file = segments_.back().file;
    placement.at = segments_.back().file_bytes;
    return AppendStatus::appended;
}

AppendedRecords DiskQueue::note_appended(std::vector<RecordPtr> &records, const FrameLayout &layout, uint64_t at,
                                         std::vector<AppendedRecords> &released, uint64_t &end_offset)
{
    std::vector<uint32_t> sizes;
    sizes.reserve(records.size());
    for (const RecordPtr &record : records) sizes.push_back(static_cast<uint32_t>(record->byte_size()));
    auto appended = std::make_shared<const std::vector<RecordPtr>>(std::move(records));
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (write_failing_) common::log_info("queue writes succeed again");
        write_failing_ = false;
        Segment &active = segments_.back();
        for (const FrameLayout::Frame &frame : layout.frames()) {
            active.index.note(next_offset_ + frame.first_record, at + frame.start);
        }
        released = recent_.remember(appended, std::move(sizes), next_offset_);
        active.file_bytes = at + layout.bytes();
        if (pending_writes_ == nullptr) active.readable_end = active.file_bytes;  // else once written out
        next_offset_ += layout.count();
        active.end_offset = next_offset_;
        disk_bytes_ += layout.bytes();
        appended_total_ += layout.count();
        refusing_ = false;
        end_offset = next_offset_;
        // Under FsyncPolicy::always readers hear of new records once per group commit
        // instead (wake_readers), not once per request.
        wake = waiting_readers_ > 0 && options_.fsync.mode != FsyncPolicy::Mode::always;
    }
    group_commit_.note_written(end_offset);
    // A busy worker reads again without waiting; waking it on every append would cost
    // a futex call per request for nothing.
    if (wake) readable_.notify_all();
    return appended;
}

AppendStatus DiskQueue::place_pending(std::vector<RecordPtr> &records, uint64_t &end_offset)
{
    const FrameLayout layout(records);           // outside the lock
    std::vector<AppendedRecords> released;       // by the recent window; freed after the locks
    std::vector<std::filesystem::path> removed;  // consumed segments, deleted once the lock is released
    const RemoveOnExit remove_consumed{removed};
    PendingWrites::Reservation reservation;
    AppendedRecords appended;
    uint64_t first_offset = 0;
    {
        std::lock_guard append_lock(append_mutex_);
        Placement placement;
        AppendStatus status = place(layout.count(), layout.bytes(), removed, placement);
        if (status != AppendStatus::appended || placement.file == nullptr) return status;
        status = allocate_ahead(placement, layout.count(), layout.bytes());
        if (status != AppendStatus::appended) return status;
        // next_offset_ changes only under append_mutex_, which this thread holds.
        first_offset = next_offset_;
        reservation =
            pending_writes_->reserve(placement.file, placement.at, layout.bytes(), first_offset + layout.count());
        appended = note_appended(records, layout, placement.at, released, end_offset);
    }
    // Built after the lock is released, so the other event loops can append meanwhile;
    // the group commit writes them out once commit() says they are complete.
    layout.encode_to(*appended, reservation.frames());
    layout.stamp(reservation.frames(), first_offset);
    pending_writes_->commit(reservation);
    return AppendStatus::appended;
}

AppendStatus DiskQueue::allocate_ahead(const Placement &placement, uint64_t count, uint64_t bytes)
{
    // A few MiB at a time: one fallocate per couple of hundred typical requests.
    constexpr uint64_t allocation_step = 4 << 20;
    const uint64_t end = placement.at + bytes;
    if (end <= active_allocated_) return AppendStatus::appended;
    // Whole blocks: an O_DIRECT write pads the last one.
    const uint64_t target = round_up_to_block(std::max(end, std::min(end + allocation_step, segment_bytes_)));
    auto allocated = placement.file->allocate(target);
    if (allocated) {
        // A filesystem without fallocate is not asked again for this segment.
        active_allocated_ = *allocated ? target : std::numeric_limits<uint64_t>::max();
        return AppendStatus::appended;
    }
    std::lock_guard lock(mutex_);
    refused_full_total_ += count;
    refusing_ = true;
    if (!write_failing_) {
        common::log_error("queue write failed; appends are refused until writes succeed again",
                          {{"reason", allocated.error().message}});
    }
    write_failing_ = true;
    return AppendStatus::full;
}

AppendStatus DiskQueue::write_frames(std::vector<RecordPtr> &records, EncodedFrames &frames, uint64_t &end_offset)
{
    const FrameLayout &layout = frames.layout();
    std::vector<AppendedRecords> released;       // by the recent window; freed after the locks
    std::vector<std::filesystem::path> removed;  // consumed segments, deleted once the lock is released
    const RemoveOnExit remove_consumed{removed};
    std::lock_guard append_lock(append_mutex_);
    Placement placement;
    const AppendStatus status = place(layout.count(), layout.bytes(), removed, placement);
    if (status != AppendStatus::appended || placement.file == nullptr) return status;
    // next_offset_ changes only under append_mutex_, which this thread holds.
    frames.stamp(next_offset_);
    if (auto written = placement.file->write_at(placement.at, frames.bytes()); !written) {
        // Undo the partial write, or a later append would land after garbage.
        auto undone = placement.file->truncate(placement.at);
        std::lock_guard lock(mutex_);
        refused_full_total_ += layout.count();
        refusing_ = true;
        if (!undone) {
            broken_ = true;
            common::log_error("queue write failed and could not be undone; refusing appends until restart",
                              {{"reason", written.error().message}, {"undo", undone.error().message}});
        } else if (!write_failing_) {
            common::log_error("queue write failed; appends are refused until writes succeed again",
                              {{"reason", written.error().message}});
        }
        write_failing_ = true;
        return AppendStatus::full;
    }
    note_appended(records, layout, placement.at, released, end_offset);
    return AppendStatus::appended;
}

void DiskQueue::wake_readers()
{
    {
        std::lock_guard lock(mutex_);
        if (waiting_readers_ == 0) return;
    }
    readable_.notify_all();
}

bool DiskQueue::roll_segment(std::vector<std::filesystem::path> &removed)
{
    SegmentFilePtr previous;
    uint64_t first = 0;
    bool reuse = false;
    {
        std::lock_guard lock(mutex_);
        previous = segments_.back().file;
        first = next_offset_;
        reuse = spare_bytes_.has_value();
        spare_bytes_.reset();  // taken: a reclaim meanwhile may keep another one
    }
    if (options_.fsync.mode == FsyncPolicy::Mode::interval) {
        // The group commit only syncs the active segment, so the previous one must be
        // durable before any record lands in the next. (Under FsyncPolicy::always the
        // group commit syncs every file its pending frames went to.)
        auto synced = previous->sync();
        roll_syncs_.fetch_add(1);
        if (!synced) {
            group_commit_.fail(synced.error());
            mark_broken(synced.error());
            return false;
        }
    }
    const std::filesystem::path path = directory_.segment_path(first);
    if (reuse) {
        // Every frame in the spare has an offset below `first` (it was consumed), so
        // recovery stops at the first of them that the new frames did not overwrite.
        if (auto renamed = rename_no_replace(directory_.spare_segment_path(), path); !renamed) {
            common::log_warn("cannot reuse the spare queue segment; creating a new one",
                             {{"reason", renamed.error().message}});
            reuse = false;
        }
    }
    auto file = SegmentFile::open(path, !reuse, writes_direct());
    if (!file) {
        std::lock_guard lock(mutex_);
        if (!write_failing_)
            common::log_error("cannot start a new queue segment; appends are refused until it works",
                              {{"reason", file.error().message}});
        write_failing_ = true;
        return false;
    }
    if (options_.fsync.mode != FsyncPolicy::Mode::never) {
        if (auto synced = directory_.sync(); !synced) {
            common::log_warn("cannot sync the queue directory", {{"reason", synced.error().message}});
        }
    }
    previous.reset();  // a segment still held is deleted, not reused (keep_as_spare)
    {
        std::lock_guard lock(mutex_);
        segments_.push_back(Segment{first, first, 0, 0, std::move(*file), {}});
        active_allocated_ = 0;
        std::vector<std::filesystem::path> consumed = reclaim();
        removed.insert(removed.end(), consumed.begin(), consumed.end());
    }
    return true;
}

common::Result<void> DiskQueue::sync_log()
{
    if (pending_writes_ != nullptr) {
        auto written = pending_writes_->write_out();
        if (!written) return tl::unexpected(written.error());
        std::lock_guard lock(mutex_);
        for (const WrittenEnd &file : written->files) {
            for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
                if (it->file != file.file) continue;
                it->readable_end = std::max(it->readable_end, file.end);
                break;
            }
        }
        durable_end_ = std::max(durable_end_, written->end_offset);
        return {};
    }
    // Called after reading the written position: every record before it is in this
    // segment or in an older one that roll_segment synced before this one became active.
    SegmentFilePtr file;
    {
        std::lock_guard lock(mutex_);
        file = segments_.back().file;
    }
    return file->sync();
}

void DiskQueue::mark_broken(const common::Error &error)
{
    std::lock_guard lock(mutex_);
    if (broken_) return;
    broken_ = true;
    common::log_error("queue fdatasync failed; appends are refused until restart", {{"reason", error.message}});
}

uint64_t DiskQueue::sync_count() const
{
    return group_commit_.sync_count() + roll_syncs_.load();
}

std::vector<QueuedRecord> DiskQueue::read(CursorId cursor, uint64_t from_offset, ReadLimits limits,
                                          std::chrono::milliseconds wait)
{
    const auto deadline = std::chrono::steady_clock::now() + wait;
    std::unique_lock lock(mutex_);
    assert(cursor < cursors_.size());
    serving_ = true;
    // Offsets below this were scanned and hold no record (records lost to corruption or
    // a power loss leave such gaps): wait for newer ones instead of rescanning in a loop.
    uint64_t scanned_empty_below = 0;
    const auto start = [&] { return std::max(from_offset, cursors_[cursor].position); };
    const auto available = [&] { return start() < readable_offset() && readable_offset() > scanned_empty_below; };
    while (true) {
        ++waiting_readers_;
        readable_.wait_until(lock, deadline, [&] { return closed_ || !cursors_[cursor].active || available(); });
        --waiting_readers_;
        if (!cursors_[cursor].active || !available()) return {};
        const uint64_t first = start();
        limits.max_events = std::min<uint64_t>(limits.max_events, readable_offset() - first);
        if (const RecentSlice recent = recent_.slice(first, limits); !recent.empty()) {
            lock.unlock();
            return recent.records(limits);
        }
        const uint64_t end_seen = readable_offset();
        const std::vector<ReadSpan> spans = plan_read(cursors_[cursor], first);
        lock.unlock();
        ReadBatch batch = read_segments(spans, first, limits);
        lock.lock();
        if (!batch.records.empty()) {
            cursors_[cursor].hint = batch.hint;
            return std::move(batch.records);
        }
        scanned_empty_below = end_seen;
    }
}

std::vector<ReadSpan> DiskQueue::plan_read(const Cursor &cursor, uint64_t start) const
{
    // The segment holding `start`: the last one whose first offset is <= start.
    auto it = std::upper_bound(segments_.begin(), segments_.end(), start,
                               [](uint64_t offset, const Segment &segment) { return offset < segment.first_offset; });
    if (it != segments_.begin()) --it;
    std::vector<ReadSpan> spans;
    for (; it != segments_.end(); ++it) {
        ReadSpan span{it->file, it->first_offset, 0, it->readable_end, it->verify_reads};
        if (spans.empty()) {
            span.begin = it->index.position_for(start);
            if (cursor.hint.segment_first == it->first_offset && cursor.hint.offset <= start) {
                span.begin = std::max(span.begin, cursor.hint.position);
            }
        }
        spans.push_back(std::move(span));
    }
    return spans;
}

QueueStats DiskQueue::stats() const
{
    std::lock_guard lock(mutex_);
    uint64_t depth_events = 0;
    for (const Cursor &cursor : cursors_) {
        if (cursor.active) depth_events = std::max(depth_events, next_offset_ - cursor.position);
    }
    return QueueStats{depth_events,       disk_bytes_,     std::numeric_limits<uint64_t>::max(),
                      options_.max_bytes, appended_total_, refused_full_total_,
                      refusing_};
}

void DiskQueue::close()
{
    {
        std::lock_guard append_lock(append_mutex_);  // lets an append in progress finish first
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    readable_.notify_all();
    // Answer every asynchronous append before returning: the caller tears down the
    // HTTP server next, and an answer must not outlive its connection.
    while (async_appends_in_flight_.load() > 0) std::this_thread::yield();
    {
        // A thread in write_staged counts its last appends down under this lock: once
        // this thread has held it, that one is done with the queue.
        const std::lock_guard writer_gone(staging_mutex_);
    }
    if (durability_notifier_ != nullptr) durability_notifier_->drain();
    persist_cursors();
    trim_active_segment();
    if (options_.fsync.mode == FsyncPolicy::Mode::interval) {
        if (auto synced = group_commit_.sync_written(); !synced) mark_broken(synced.error());
    }
}

void DiskQueue::trim_active_segment()
{
    SegmentFilePtr file;
    uint64_t end = 0;
    {
        std::lock_guard lock(mutex_);
        file = segments_.back().file;
        end = segments_.back().file_bytes;
    }
    const auto size = file->size();
    if (!size || *size <= end) return;
    auto trimmed = file->truncate(end);
    if (trimmed && options_.fsync.mode != FsyncPolicy::Mode::never) trimmed = file->sync();
    // Harmless if it fails: the next start skips what follows the last frame, with a warning.
    if (!trimmed) common::log_warn("cannot trim the active queue segment", {{"reason", trimmed.error().message}});
}

}  // namespace productgraph::queue
