// The recent-records window: remembering per append, slicing under the lock, copying after.
#include "queue/recent_records.hpp"

#include <algorithm>

namespace productgraph::queue {

std::vector<QueuedRecord> RecentSlice::records(ReadLimits limits) const
{
    std::vector<QueuedRecord> batch;
    uint64_t offset = start_;
    uint64_t bytes = 0;
    for (size_t i = 0; i < appends_.size(); ++i) {
        const std::vector<RecordPtr> &records = *appends_[i];
        for (size_t j = i == 0 ? skip_in_first_ : 0; j < records.size(); ++j) {
            if (batch.size() >= limits.max_events) return batch;
            const size_t size = records[j]->byte_size();
            if (!batch.empty() && limits.max_bytes != 0 && bytes + size > limits.max_bytes) return batch;
            bytes += size;
            batch.push_back(QueuedRecord{offset++, records[j]});
        }
    }
    return batch;
}

std::vector<AppendedRecords> RecentRecords::remember(AppendedRecords records, std::vector<uint32_t> sizes,
                                                     uint64_t first_offset)
{
    std::vector<AppendedRecords> released;
    if (budget_bytes_ == 0 || records->empty()) return released;
    if (!appends_.empty() && end_offset() != first_offset) {
        for (Append &append : appends_) released.push_back(std::move(append.records));
        appends_.clear();
        dropped_from_front_ = 0;
        bytes_ = 0;
    }
    for (const uint32_t size : sizes) bytes_ += size;
    appends_.push_back(Append{first_offset, std::move(records), std::move(sizes)});
    while (bytes_ > budget_bytes_ && !appends_.empty()) {
        Append &oldest = appends_.front();
        bytes_ -= oldest.sizes[dropped_from_front_];
        if (++dropped_from_front_ == oldest.records->size()) {
            released.push_back(std::move(oldest.records));
            appends_.pop_front();
            dropped_from_front_ = 0;
        }
    }
    return released;
}

RecentSlice RecentRecords::slice(uint64_t start, ReadLimits limits) const
{
    RecentSlice slice;
    if (appends_.empty() || limits.max_events == 0) return slice;
    if (start < appends_.front().first_offset + dropped_from_front_ || start >= end_offset()) return slice;
    // The append holding `start`: the last one that begins at or before it.
    auto it = std::upper_bound(appends_.begin(), appends_.end(), start,
                               [](uint64_t offset, const Append &append) { return offset < append.first_offset; });
    --it;
    slice.start_ = start;
    slice.skip_in_first_ = start - it->first_offset;
    size_t records = 0;
    for (; it != appends_.end() && records < limits.max_events; ++it) {
        records += it->records->size() - (slice.appends_.empty() ? slice.skip_in_first_ : 0);
        slice.appends_.push_back(it->records);
    }
    return slice;
}

}  // namespace productgraph::queue
