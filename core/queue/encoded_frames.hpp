// One append's records as segment frames: where each goes, and building them.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "queue/event_queue.hpp"

namespace productgraph::queue {

/// How one append's records are framed: batch frames (see frame_format.hpp) written
/// back to back, each holding as many records as fit in max_batch_payload (at least
/// one). A typical request is one frame. Every record is sized once, here.
class FrameLayout {
public:
    /// Bigger appends are split so a reader never needs more than about this much
    /// buffer for one frame, and a damaged frame costs at most this many bytes of records.
    static constexpr size_t max_batch_payload = 1 << 20;

    struct Frame {
        size_t start = 0;         // where its header starts among bytes()
        size_t first_record = 0;  // index of its first record in the append
    };

    explicit FrameLayout(const std::vector<RecordPtr> &records);

    /// How many records (not frames).
    size_t count() const { return count_; }
    /// All the frames' bytes together.
    size_t bytes() const { return size_; }
    const std::vector<Frame> &frames() const { return frames_; }

    /// Encodes `records` (the ones this layout was made from) as frames into the
    /// bytes() at `out`, each with its payload CRC computed: only the offsets are
    /// missing, for stamp().
    void encode_to(const std::vector<RecordPtr> &records, char *out) const;
    /// Gives each frame at `out` the offset of its first record, counting from first_offset.
    void stamp(char *out, uint64_t first_offset) const;

private:
    std::vector<Frame> frames_;
    size_t count_ = 0;
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
