// A sparse offset -> byte position index of one segment, so a read can start near any offset.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace productgraph::queue {

/// One entry per `stride_bytes` of frames: 64 KiB of memory per GiB of backlog, and a
/// lookup leaves at most one stride to scan. A dense index would grow with the
/// backlog, which is what the disk queue exists to avoid.
class SegmentIndex {
public:
    static constexpr uint64_t stride_bytes = 256 << 10;

    /// Called for every frame in file order.
    void note(uint64_t offset, uint64_t position);

    /// A frame start at or before the first frame whose offset is >= `offset` (0 when
    /// nothing better is known).
    uint64_t position_for(uint64_t offset) const;

private:
    std::vector<std::pair<uint64_t, uint64_t>> entries_;  // (offset, position), both increasing
    uint64_t last_position_ = 0;
};

}  // namespace productgraph::queue
