// Upgrading over a queue written by older releases (zlib-crc32 frames, then one CRC-32C frame per record):
// old records are read, and new batch frames follow them.
#include <doctest/doctest.h>

#include <cstdio>

#include "disk_queue_test_support.hpp"
#include "queue/frame_format.hpp"
#include "queue/record_codec.hpp"

using namespace queue_test;

namespace {

// The frame formats of the releases so far: zlib crc32, CRC-32C one record per frame,
// and the batch frames written now.
enum class Format { zlib, crc32c, batch };

// One frame per offset in [first, first + count) in the given format, event ids "<prefix><offset>0".
std::string frames(uint64_t first, int count, const std::string &prefix, Format format)
{
    std::string out;
    for (int i = 0; i < count; ++i) {
        const uint64_t offset = first + uint64_t(i);
        const auto record = records(1, 60, prefix + std::to_string(offset));
        if (format == Format::batch) {
            out += batch_frames(offset, record);
            continue;
        }
        std::string payload;
        encode_record(*record[0], payload);
        append_frame(out, offset, payload, format == Format::zlib ? FrameChecksum::zlib_crc32 : FrameChecksum::crc32c);
    }
    return out;
}

std::filesystem::path segment_path(const DiskQueueOptions &options, uint64_t first_offset)
{
    char name[32];
    std::snprintf(name, sizeof name, "%020llu.seg", static_cast<unsigned long long>(first_offset));
    return options.directory / name;
}

std::vector<std::string> ids_of(const std::vector<QueuedRecord> &all)
{
    std::vector<std::string> ids;
    for (const QueuedRecord &queued : all) ids.emplace_back(queued.record->event_id());
    return ids;
}

// A queue directory whose cursor "a" starts at offset 0, as the older daemon left it;
// the test then writes that daemon's segment files into it.
DiskQueueOptions queue_with_cursor_at_start(const TempDir &dir)
{
    const DiskQueueOptions options = options_in(dir.path());
    open_queue(options)->open_cursor("a");
    for (const auto &segment : segment_files(options.directory)) std::filesystem::remove(segment);
    return options;
}

}  // namespace

TEST_CASE("segments written by older releases are read after the upgrade and new batch frames follow in order")
{
    TempDir dir;
    const DiskQueueOptions options = queue_with_cursor_at_start(dir);
    // As the daemons before left them: a full segment of zlib frames, and a last one
    // with room holding a zlib frame and then a single-record CRC-32C one.
    write_file(segment_path(options, 0), frames(0, 3, "old", Format::zlib));
    write_file(segment_path(options, 3), frames(3, 1, "old", Format::zlib) + frames(4, 1, "old", Format::crc32c));

    {
        auto queue = open_queue(options);
        const CursorId cursor = queue->open_cursor("a");
        CHECK(offsets_of(read_all(*queue, cursor)) == std::vector<uint64_t>{0, 1, 2, 3, 4});
        REQUIRE(queue->append(records(3, 60, "new")) == AppendStatus::appended);
        CHECK(offsets_of(read_all(*queue, cursor, 3)) == std::vector<uint64_t>{3, 4, 5, 6, 7});
    }
    // The new records went into the old last segment as one batch frame, after the old frames.
    const std::string last = read_file(segment_path(options, 3));
    CHECK(count_magic(last, frame_magic_zlib) == 1);
    CHECK(count_magic(last, frame_magic) == 1);
    CHECK(count_magic(last, batch_frame_magic) == 1);

    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    const auto all = read_all(*queue, cursor);
    CHECK(offsets_of(all) == std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(ids_of(all) == std::vector<std::string>{"old00", "old10", "old20", "old30", "old40", "new0", "new1", "new2"});
    REQUIRE(queue->append(records(1, 60, "newer")) == AppendStatus::appended);
    CHECK(read_all(*queue, cursor, 8).front().record->event_id() == "newer0");
}

TEST_CASE("a torn crc32c frame after zlib frames is truncated on reopen")
{
    TempDir dir;
    const DiskQueueOptions options = queue_with_cursor_at_start(dir);
    const std::string old_frames = frames(0, 2, "old", Format::zlib);
    const std::string torn = frames(2, 1, "torn", Format::crc32c);
    write_file(segment_path(options, 0), old_frames + torn.substr(0, torn.size() - 5));

    {
        auto queue = open_queue(options);
        CHECK(std::filesystem::file_size(segment_path(options, 0)) == old_frames.size());
        const CursorId cursor = queue->open_cursor("a");
        CHECK(offsets_of(read_all(*queue, cursor)) == std::vector<uint64_t>{0, 1});
        REQUIRE(queue->append(records(1, 60, "after")) == AppendStatus::appended);
    }
    auto queue = open_queue(options);
    const auto all = read_all(*queue, queue->open_cursor("a"));
    CHECK(ids_of(all) == std::vector<std::string>{"old00", "old10", "after0"});
}

TEST_CASE("resynchronising after garbage stops at the nearest frame of any format")
{
    TempDir dir;
    const DiskQueueOptions options = queue_with_cursor_at_start(dir);
    const std::vector<Format> formats{Format::zlib, Format::zlib,   Format::zlib,  Format::crc32c, Format::batch,
                                      Format::zlib, Format::crc32c, Format::batch, Format::batch,  Format::zlib};
    std::string bytes;
    std::vector<size_t> starts;
    for (size_t offset = 0; offset < formats.size(); ++offset) {
        starts.push_back(bytes.size());
        bytes += frames(offset, 1, "r", formats[offset]);
    }
    // Garbage over the headers of a zlib frame followed by a zlib one (1), a crc32c frame
    // followed by a batch one (3), a zlib frame followed by a crc32c one (5) and a batch
    // frame followed by a batch one (7).
    for (size_t broken : {size_t(1), size_t(3), size_t(5), size_t(7)}) {
        for (size_t i = 0; i < 12; ++i) bytes[starts[broken] + i] = static_cast<char>(0xA5);
    }
    write_file(segment_path(options, 0), bytes);

    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    CHECK(offsets_of(read_all(*queue, cursor)) == std::vector<uint64_t>{0, 2, 4, 6, 8, 9});
    REQUIRE(queue->append(records(1)) == AppendStatus::appended);
    CHECK(read_all(*queue, cursor, 10).front().offset == 10);
}
