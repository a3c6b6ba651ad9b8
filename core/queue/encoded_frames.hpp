// One append's records as segment frames: where each goes, and building them.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "queue/event_queue.hpp"

namespace productgraph::queue {

/// Where each of one append's frames starts when they are written back to back. Every
/// record is sized once, here.
class FrameLayout {
public:
    explicit FrameLayout(const std::vector<RecordPtr> &records);

    size_t count() const { return starts_.size(); }
    /// All the frames' bytes together.
    size_t bytes() const { return size_; }
    /// Where frame `i` starts.
    size_t start(size_t i) const { return starts_[i]; }

    /// Encodes `records` (the ones this layout was made from) as frames into the
    /// bytes() at `out`, each with its payload CRC computed: only the offsets are
    /// missing, for stamp().
    void encode_to(const std::vector<RecordPtr> &records, char *out) const;
    /// Gives frame i at `out` the offset first_offset + i, for every frame.
    void stamp(char *out, uint64_t first_offset) const;

private:
    std::vector<size_t> starts_;
    size_t size_ = 0;
};

/// The frames of one append in a buffer of their own, built before any queue lock is
/// taken; stamp() adds the offsets under the append lock, once they are known.
class EncodedFrames {
public:
    explicit EncodedFrames(const std::vector<RecordPtr> &records);

    const FrameLayout &layout() const { return layout_; }
    /// All the frames' bytes, as they go to the file.
    std::string_view bytes() const { return {buffer_.get(), layout_.bytes()}; }
    void stamp(uint64_t first_offset) { layout_.stamp(buffer_.get(), first_offset); }

private:
    FrameLayout layout_;
    std::unique_ptr<char[]> buffer_;
};

}  // namespace productgraph::queue
