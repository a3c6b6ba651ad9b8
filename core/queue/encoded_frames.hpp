// One append's records as segment frames, built before any queue lock is taken.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "queue/event_queue.hpp"

namespace productgraph::queue {

/// The frames of one append, back to back in one buffer, each with its payload CRC
/// already computed: only the offsets are missing, and stamp() adds them under the
/// append lock, once they are known.
class EncodedFrames {
public:
    /// Sizes every record once, then encodes and checksums them in place.
    explicit EncodedFrames(const std::vector<RecordPtr> &records);

    size_t count() const { return starts_.size(); }
    /// All the frames' bytes, as they go to the file.
    std::string_view bytes() const { return {buffer_.get(), size_}; }
    /// Where frame `i` starts within bytes().
    size_t start(size_t i) const { return starts_[i]; }
    /// Gives frame i the offset first_offset + i, for every frame.
    void stamp(uint64_t first_offset);

private:
    std::unique_ptr<char[]> buffer_;
    size_t size_ = 0;
    std::vector<size_t> starts_;
};

}  // namespace productgraph::queue
