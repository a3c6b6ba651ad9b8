// Building an append's frames in one buffer sized up front.
#include "queue/encoded_frames.hpp"

#include "queue/frame_format.hpp"
#include "queue/record_codec.hpp"

namespace productgraph::queue {

EncodedFrames::EncodedFrames(const std::vector<RecordPtr> &records)
{
    starts_.reserve(records.size());
    for (const RecordPtr &record : records) {
        starts_.push_back(size_);
        size_ += frame_header_bytes + encoded_record_size(*record);
    }
    buffer_ = std::make_unique_for_overwrite<char[]>(size_);  // every byte is written below
    for (size_t i = 0; i < records.size(); ++i) {
        char *header = buffer_.get() + starts_[i];
        const char *end = encode_record_to(*records[i], header + frame_header_bytes);
        finish_payload_at(header, static_cast<size_t>(end - header) - frame_header_bytes);
    }
}

void EncodedFrames::stamp(uint64_t first_offset)
{
    for (size_t i = 0; i < starts_.size(); ++i) stamp_frame(buffer_.get() + starts_[i], first_offset + i);
}

}  // namespace productgraph::queue
