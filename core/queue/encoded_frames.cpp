// Sizing an append's frames once, and building them in place.
#include "queue/encoded_frames.hpp"

#include "queue/frame_format.hpp"
#include "queue/record_codec.hpp"

namespace productgraph::queue {

FrameLayout::FrameLayout(const std::vector<RecordPtr> &records)
{
    starts_.reserve(records.size());
    for (const RecordPtr &record : records) {
        starts_.push_back(size_);
        size_ += frame_header_bytes + encoded_record_size(*record);
    }
}

void FrameLayout::encode_to(const std::vector<RecordPtr> &records, char *out) const
{
    for (size_t i = 0; i < records.size(); ++i) {
        char *header = out + starts_[i];
        const char *end = encode_record_to(*records[i], header + frame_header_bytes);
        finish_payload_at(header, static_cast<size_t>(end - header) - frame_header_bytes);
    }
}

void FrameLayout::stamp(char *out, uint64_t first_offset) const
{
    for (size_t i = 0; i < starts_.size(); ++i) stamp_frame(out + starts_[i], first_offset + i);
}

EncodedFrames::EncodedFrames(const std::vector<RecordPtr> &records)
    : layout_(records), buffer_(std::make_unique_for_overwrite<char[]>(layout_.bytes()))  // every byte is written
{
    layout_.encode_to(records, buffer_.get());
}

}  // namespace productgraph::queue
