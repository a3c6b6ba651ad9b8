// Frame walking with resynchronisation on either frame magic after corrupted bytes.
#include "queue/frame_scanner.hpp"

#include <algorithm>
#include <cstring>

#include "queue/frame_format.hpp"

namespace productgraph::queue {
namespace {

// Big enough that a sequential read costs one pread per few hundred records.
constexpr size_t read_chunk = 128 << 10;
constexpr size_t magic_size = 4;

struct MagicBytes {
    char bytes[magic_size];
};

constexpr MagicBytes bytes_of(uint32_t magic)
{
    return {{static_cast<char>(magic & 0xff), static_cast<char>((magic >> 8) & 0xff),
             static_cast<char>((magic >> 16) & 0xff), static_cast<char>((magic >> 24) & 0xff)}};
}

constexpr MagicBytes batch_magic = bytes_of(batch_frame_magic);
constexpr MagicBytes single_magic = bytes_of(frame_magic);
constexpr MagicBytes zlib_magic = bytes_of(frame_magic_zlib);

// Where the first of the three magics starts in [bytes, bytes + size), or nullptr.
const char *first_magic(const char *bytes, size_t size)
{
    const char *nearest = nullptr;
    for (const MagicBytes &magic : {batch_magic, single_magic, zlib_magic}) {
        // Only a magic that starts before the nearest one found so far is nearer.
        const size_t before_nearest =
            nearest == nullptr ? size : static_cast<size_t>(nearest - bytes) + (magic_size - 1);
        const void *hit = ::memmem(bytes, before_nearest, magic.bytes, magic_size);
        if (hit != nullptr) nearest = static_cast<const char *>(hit);
    }
    return nearest;
}

}  // namespace

FrameScanner::FrameScanner(const SegmentFile &file, uint64_t begin, uint64_t end, uint64_t min_offset,
                           std::vector<char> &buffer, bool verify_crc)
    : verify_crc_(verify_crc), file_(file), position_(begin), end_(end), min_offset_(min_offset), buffer_(buffer)
{}

common::Result<const char *> FrameScanner::window(uint64_t at, size_t size)
{
    if (at >= window_begin_ && at + size <= window_begin_ + window_size_) {
        return buffer_.data() + (at - window_begin_);
    }
    const size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(size, read_chunk), end_ - at));
    if (buffer_.size() < want) buffer_.resize(want);
    auto got = file_.read_at(buffer_.data(), want, at);
    if (!got) return tl::unexpected(got.error());
    window_begin_ = at;
    window_size_ = *got;
    if (*got < size) {
        return common::fail("queue segment " + file_.path().string() + " is shorter than expected (" +
                            std::to_string(at + *got) + " bytes)");
    }
    return buffer_.data();
}

common::Result<uint64_t> FrameScanner::find_magic(uint64_t from)
{
    while (end_ - from >= magic_size) {
        const size_t size = static_cast<size_t>(std::min<uint64_t>(read_chunk, end_ - from));
        auto bytes = window(from, size);
        if (!bytes) return tl::unexpected(bytes.error());
        const char *hit = first_magic(*bytes, size);
        if (hit != nullptr) return from + static_cast<uint64_t>(hit - *bytes);
        from += size - (magic_size - 1);  // a magic may straddle two windows
    }
    return end_;
}

common::Result<std::optional<ScannedFrame>> FrameScanner::next()
{
    skipped_ = SkippedRange{position_, position_};
    std::optional<uint64_t> garbage_begin;
    while (position_ < end_) {
        const uint64_t left = end_ - position_;
        if (left >= frame_header_bytes) {
            auto header_bytes = window(position_, frame_header_bytes);
            if (!header_bytes) return tl::unexpected(header_bytes.error());
            const std::optional<FrameHeader> header = parse_frame_header(*header_bytes);
            const bool current = header && header->offset >= min_offset_;
            // An older offset is worth a CRC only when it can be trusted to end the scan.
            if (header && (current || verify_crc_) && left - frame_header_bytes >= header->payload_length) {
                const size_t frame_size = frame_header_bytes + header->payload_length;
                auto frame_bytes = window(position_, frame_size);
                if (!frame_bytes) return tl::unexpected(frame_bytes.error());
                const std::string_view payload(*frame_bytes + frame_header_bytes, header->payload_length);
                const std::optional<uint32_t> records =
                    header->batch ? batch_record_count(payload) : std::optional<uint32_t>(1);
                const bool intact = records && (!verify_crc_ || frame_crc_matches(*header, payload));
                if (intact && current) {
                    if (garbage_begin) skipped_ = SkippedRange{*garbage_begin, position_};
                    const ScannedFrame frame{header->offset, position_,     position_ + frame_size,
                                             payload,        header->batch, *records};
                    position_ = frame.end;
                    min_offset_ = frame.end_offset();
                    return frame;
                }
                if (intact) {
                    // A frame from the file's earlier life: the live frames ended before it.
                    if (garbage_begin) skipped_ = SkippedRange{*garbage_begin, position_};
                    stale_frame_at_ = position_;
                    end_ = position_;
                    return std::nullopt;
                }
            }
        }
        if (!garbage_begin) garbage_begin = position_;
        auto resync = find_magic(position_ + 1);
        if (!resync) return tl::unexpected(resync.error());
        position_ = *resync;
    }
    if (garbage_begin) skipped_ = SkippedRange{*garbage_begin, end_};
    return std::nullopt;
}

}  // namespace productgraph::queue
