// The disk queue's cursor side: opening, acknowledging, persisting, and deleting what every active cursor passed.
#include "queue/disk_queue.hpp"

#include <algorithm>

#include "common/log.hpp"

namespace productgraph::queue {

CursorId DiskQueue::open_cursor(const std::string &name)
{
    CursorId id = 0;
    {
        std::lock_guard lock(mutex_);
        if (const auto it = cursor_ids_.find(name); it != cursor_ids_.end()) {
            reactivate(cursors_[it->second]);
            return it->second;
        }
        Cursor cursor;
        cursor.name = name;
        cursor.position = next_offset_;
        if (const auto it = persisted_at_open_.find(name); it != persisted_at_open_.end()) {
            const uint64_t persisted = it->second;
            const uint64_t oldest = segments_.front().first_offset;
            cursor.persisted = persisted;
            if (persisted < oldest) {
                common::log_warn("queue records this cursor had not acknowledged were deleted while it was not open; "
                                 "it resumes at the oldest record",
                                 {{"cursor", name},
                                  {"position", persisted},
                                  {"resumes_at", oldest},
                                  {"missed_events", oldest - persisted}});
                cursor.position = oldest;
            } else if (persisted < records_end_at_open_) {
                cursor.position = persisted;
            } else {
                // Nothing at or after its position was recovered: it starts where new
                // records will, past any offsets lost in a power loss (no record will
                // ever carry those).
                cursor.position = next_offset_at_open_;
            }
        }
        id = static_cast<CursorId>(cursors_.size());
        cursors_.push_back(std::move(cursor));
        cursor_ids_.emplace(name, id);
    }
    persist_cursors();  // a new cursor's starting point must be on disk before events arrive
    return id;
}

void DiskQueue::reactivate(Cursor &cursor)
{
    if (cursor.active) return;
    // Released earlier in this run (its plugin was removed, disabled or failed) and
    // opened again by a reload: it resumes at its acknowledged position, unless the
    // segments holding it were deleted meanwhile.
    const uint64_t oldest = segments_.front().first_offset;
    if (cursor.position < oldest) {
        common::log_warn("queue records this cursor had not acknowledged were deleted while it was not open; "
                         "it resumes at the oldest record",
                         {{"cursor", cursor.name},
                          {"position", cursor.position},
                          {"resumes_at", oldest},
                          {"missed_events", oldest - cursor.position}});
        cursor.position = oldest;
    }
    cursor.active = true;
}

void DiskQueue::acknowledge(CursorId cursor, uint64_t next_offset)
{
    std::lock_guard lock(mutex_);
    Cursor &state = cursors_.at(cursor);
    state.position = std::clamp(next_offset, state.position, next_offset_);
    serving_ = true;
}

uint64_t DiskQueue::release_cursor(CursorId cursor)
{
    uint64_t abandoned = 0;
    std::vector<std::filesystem::path> removed;
    {
        std::lock_guard lock(mutex_);
        Cursor &state = cursors_.at(cursor);
        if (!state.active) return 0;
        abandoned = next_offset_ - state.position;
        state.active = false;
        serving_ = true;
        removed = reclaim();
    }
    readable_.notify_all();
    remove_segment_files(removed);
    return abandoned;
}

uint64_t DiskQueue::lag(CursorId cursor) const
{
    std::lock_guard lock(mutex_);
    const Cursor &state = cursors_.at(cursor);
    return state.active ? next_offset_ - state.position : 0;
}

uint64_t DiskQueue::backlog_bytes(CursorId cursor) const
{
    std::lock_guard lock(mutex_);
    const Cursor &state = cursors_.at(cursor);
    if (!state.active) return 0;
    uint64_t bytes = 0;
    // A segment is freed only once passed entirely, so the one holding the position
    // counts whole.
    for (const Segment &segment : segments_) {
        if (segment.end_offset > state.position) bytes += segment.file_bytes;
    }
    return bytes;
}

uint64_t DiskQueue::offset_to_hold_at_most(CursorId cursor, uint64_t max_bytes) const
{
    std::lock_guard lock(mutex_);
    const Cursor &state = cursors_.at(cursor);
    // Whole segments from the newest back while they fit; the cursor must reach the
    // first of them (or pass everything when not even the active one fits).
    uint64_t target = next_offset_;
    uint64_t held = 0;
    for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
        held += it->file_bytes;
        if (held > max_bytes) break;
        target = it->first_offset;
    }
    return std::max(target, state.position);
}

void DiskQueue::persist_cursors()
{
    std::lock_guard persist_lock(persist_mutex_);
    std::vector<std::pair<std::string, uint64_t>> changed;
    std::vector<CursorId> ids;
    {
        std::lock_guard lock(mutex_);
        for (CursorId id = 0; id < cursors_.size(); ++id) {
            const Cursor &cursor = cursors_[id];
            if (cursor.persisted == cursor.position) continue;
            changed.emplace_back(cursor.name, cursor.position);
            ids.push_back(id);
        }
    }
    if (changed.empty()) return;
    if (auto saved = cursor_store_.save(changed); !saved) {
        if (!persist_failing_) {
            common::log_error("cannot persist queue cursors; retrying", {{"reason", saved.error().message}});
        }
        persist_failing_ = true;
        return;
    }
    persist_failing_ = false;
    std::vector<std::filesystem::path> removed;
    {
        std::lock_guard lock(mutex_);
        for (size_t i = 0; i < ids.size(); ++i) cursors_[ids[i]].persisted = changed[i].second;
        removed = reclaim();
    }
    remove_segment_files(removed);
}

uint64_t DiskQueue::oldest_needed() const
{
    // Persisted positions, not acknowledged ones: a segment deleted before its cursor
    // position reached the disk would look like lost records after a crash.
    uint64_t oldest = next_offset_;
    for (const Cursor &cursor : cursors_) {
        if (cursor.active) oldest = std::min(oldest, cursor.persisted.value_or(0));
    }
    return oldest;
}

std::vector<std::filesystem::path> DiskQueue::reclaim()
{
    std::vector<std::filesystem::path> removed;
    if (!serving_) return removed;
    const uint64_t needed = oldest_needed();
    while (segments_.size() > 1 && segments_.front().end_offset <= needed) {
        const Segment &consumed = segments_.front();
        disk_bytes_ -= consumed.file_bytes;
        if (!keep_as_spare(consumed)) removed.push_back(consumed.file->path());
        segments_.pop_front();
        refusing_ = false;  // room again
    }
    return removed;
}

bool DiskQueue::keep_as_spare(const Segment &consumed)
{
    // A reader that planned a read of this segment holds its file: overwriting it
    // would change what that read sees. Copies are made under mutex_ only, which is held.
    if (spare_bytes_ || consumed.file.use_count() != 1) return false;
    const auto size = consumed.file->size();
    // The spare is disk that disk_bytes_ does not count: keep one only while the queue
    // is at most half full, so a queue near its capacity holds no more than it says.
    // The next roll takes it, so it never lives beside more than one segment's growth.
    if (!size || disk_bytes_ + *size > options_.max_bytes / 2) return false;
    // The rename is a metadata change like the unlink it replaces, once per segment.
    if (auto renamed = rename_no_replace(consumed.file->path(), directory_.spare_segment_path()); !renamed) {
        common::log_warn("cannot keep a consumed queue segment for reuse; deleting it",
                         {{"reason", renamed.error().message}});
        return false;
    }
    spare_bytes_ = *size;
    return true;
}

}  // namespace productgraph::queue
