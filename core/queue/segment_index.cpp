// Sparse index upkeep and lookup.
#include "queue/segment_index.hpp"

#include <algorithm>

namespace productgraph::queue {

void SegmentIndex::note(uint64_t offset, uint64_t position)
{
    if (position < last_position_ + stride_bytes) return;
    entries_.emplace_back(offset, position);
    last_position_ = position;
}

uint64_t SegmentIndex::position_for(uint64_t offset) const
{
    // The last entry whose offset is <= `offset`.
    auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                               [](uint64_t value, const auto &entry) { return value < entry.first; });
    return it == entries_.begin() ? 0 : std::prev(it)->second;
}

}  // namespace productgraph::queue
