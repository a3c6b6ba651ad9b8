// Sizing an append's frames once, and building them in place.
#include "queue/encoded_frames.hpp"

#include "queue/byte_order.hpp"
#include "queue/frame_format.hpp"
#include "queue/record_codec.hpp"

namespace productgraph::queue {

FrameLayout::FrameLayout(const std::vector<RecordPtr> &records) : count_(records.size())
{
    size_t payload = 0;  // of the frame being filled
    for (size_t i = 0; i < records.size(); ++i) {
        const size_t record = batch_length_bytes + encoded_record_size(*records[i]);
        if (frames_.empty() || payload + record > max_batch_payload) {
            frames_.push_back(Frame{size_, i});
            size_ += frame_header_bytes + batch_count_bytes;
            payload = batch_count_bytes;
        }
        payload += record;
        size_ += record;
    }
}

void FrameLayout::encode_to(const std::vector<RecordPtr> &records, char *out) const
{
    for (size_t f = 0; f < frames_.size(); ++f) {
        const size_t last = f + 1 < frames_.size() ? frames_[f + 1].first_record : records.size();
        char *header = out + frames_[f].start;
        char *payload = header + frame_header_bytes;
        store_u32(payload, static_cast<uint32_t>(last - frames_[f].first_record));
        char *at = payload + batch_count_bytes;
        for (size_t i = frames_[f].first_record; i < last; ++i) {
            char *end = encode_record_to(*records[i], at + batch_length_bytes);
            store_u32(at, static_cast<uint32_t>(end - at - batch_length_bytes));
            at = end;
        }
        finish_payload_at(header, static_cast<size_t>(at - payload), batch_frame_magic);
    }
}

void FrameLayout::stamp(char *out, uint64_t first_offset) const
{
    for (const Frame &frame : frames_) stamp_frame(out + frame.start, first_offset + frame.first_record);
}

EncodedFrames::EncodedFrames(const std::vector<RecordPtr> &records)
    : layout_(records), buffer_(std::make_unique_for_overwrite<char[]>(layout_.bytes()))  // every byte is written
{
    layout_.encode_to(records, buffer_.get());
}

}  // namespace productgraph::queue
