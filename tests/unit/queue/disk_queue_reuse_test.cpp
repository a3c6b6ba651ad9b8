// Reused segment files: a consumed segment becomes the next one, and its old frames are never read back.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "disk_queue_test_support.hpp"
#include "queue/frame_format.hpp"
#include "queue/record_codec.hpp"
#include "queue/segment_recovery.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

namespace {

ino_t inode_of(const std::filesystem::path &path)
{
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_ino;
}

std::string frame_for(uint64_t offset, const std::string &event_id, size_t json_size = 100)
{
    return batch_frames(offset, records(1, json_size, event_id));
}

// A queue about to reuse a file: records 0..11 were appended one by one in three
// segments of four frames and consumed, so segment 0's file is the spare. The next
// append rolls into it, and its frames 2 and 3 stay whole behind a new frame.
struct ReusedSegmentQueue {
    explicit ReusedSegmentQueue(const TempDir &dir) : options(small_segments(dir))
    {
        options.segment_bytes = 420;  // four one-record frames of about 102 bytes
        queue = open_queue(options);
        cursor = queue->open_cursor("a");
        for (int i = 0; i < 12; ++i)
            REQUIRE(queue->append(records(1, 10, "old" + std::to_string(i) + "-")) == AppendStatus::appended);
        const auto files = segment_files(options.directory);
        REQUIRE(files.size() == 3);
        first_inode = inode_of(files[0]);
        first_size = std::filesystem::file_size(files[0]);
        queue->acknowledge(cursor, 12);
        queue->persist_cursors();
        REQUIRE(std::filesystem::exists(options.directory / "spare.segment"));
    }

    DiskQueueOptions options;
    std::unique_ptr<DiskQueue> queue;
    CursorId cursor = 0;
    ino_t first_inode = 0;
    uint64_t first_size = 0;
};

}  // namespace

TEST_CASE("a consumed segment file is reused for the next segment and its old frames are never read")
{
    TempDir dir;
    ReusedSegmentQueue setup(dir);
    // A shorter record than the old one, so the old frame's tail stays behind it.
    REQUIRE(setup.queue->append(records(1, 20, "new-")) == AppendStatus::appended);
    const auto files = segment_files(setup.options.directory);
    REQUIRE(files.back().filename() == "00000000000000000012.seg");
    CHECK(inode_of(files.back()) == setup.first_inode);
    // The spare was taken; the segment the roll left behind was consumed and is the next one.
    CHECK(inode_of(setup.options.directory / "spare.segment") != setup.first_inode);
    CHECK(std::filesystem::file_size(files.back()) == setup.first_size);  // overwritten, not cut
    CHECK(setup.queue->stats().depth_bytes < setup.first_size);           // counts the live frames only

    const auto all = read_all(*setup.queue, setup.cursor);
    REQUIRE(all.size() == 1);
    CHECK(all[0].offset == 12);
    CHECK(all[0].record->event_id() == "new-0");
}

TEST_CASE("a reused segment reopens with its live records only and appends continue after them")
{
    TempDir dir;
    ReusedSegmentQueue setup(dir);
    REQUIRE(setup.queue->append(records(1, 20, "new-")) == AppendStatus::appended);
    // The file as a power loss now would leave it: a clean close trims the old tail.
    const auto segment = segment_files(setup.options.directory).back();
    const std::string at_crash = read_file(segment);
    setup.queue.reset();
    write_file(segment, at_crash);
    {
        auto queue = open_queue(setup.options);
        CHECK(std::filesystem::file_size(segment) == setup.first_size);  // the old tail is not truncated
        const CursorId cursor = queue->open_cursor("a");
        const auto all = read_all(*queue, cursor, 0);
        REQUIRE(all.size() == 1);
        CHECK(all[0].offset == 12);
        REQUIRE(queue->append(records(1, 20, "after-")) == AppendStatus::appended);
    }
    auto queue = open_queue(setup.options);
    const auto all = read_all(*queue, queue->open_cursor("a"));
    REQUIRE(all.size() == 2);
    CHECK(all[0].record->event_id() == "new-0");
    CHECK(all[1].offset == 13);
    CHECK(all[1].record->event_id() == "after-0");
}

TEST_CASE("a crash in the middle of a reused segment keeps the records before the torn one")
{
    TempDir dir;
    ReusedSegmentQueue setup(dir);
    REQUIRE(setup.queue->append(records(1, 20, "kept-")) == AppendStatus::appended);
    const auto segment = segment_files(setup.options.directory).back();
    std::string bytes = read_file(segment);  // before a clean close trims the old tail
    setup.queue.reset();

    // Half of record 13 written over the old frames, as a crash inside write(2) leaves it.
    const size_t live_end = frame_for(12, "kept-", 20).size();
    const std::string torn = frame_for(13, "torn-", 40);
    bytes.replace(live_end, torn.size() / 2, torn.substr(0, torn.size() / 2));
    write_file(segment, bytes);

    {
        auto queue = open_queue(setup.options);
        CHECK(std::filesystem::file_size(segment) == setup.first_size);  // ends in old frames: not a torn tail
        const CursorId cursor = queue->open_cursor("a");
        const auto all = read_all(*queue, cursor);
        REQUIRE(all.size() == 1);
        CHECK(all[0].record->event_id() == "kept-0");
        REQUIRE(queue->append(records(1, 20, "after-")) == AppendStatus::appended);
    }
    auto queue = open_queue(setup.options);
    const auto all = read_all(*queue, queue->open_cursor("a"));
    REQUIRE(all.size() == 2);
    CHECK(all[1].offset == 13);
    CHECK(all[1].record->event_id() == "after-0");
}

TEST_CASE("recovery ends a segment at the first whole frame with an older offset and reads nothing after it")
{
    TempDir dir;
    const auto path = dir.path() / "00000000000000000100.seg";
    const std::string live = frame_for(100, "live-a") + frame_for(101, "live-b");
    // Stale frames from the file's earlier life, then one with a higher offset that
    // only a corrupted scan could take for a live record.
    const std::string stale = frame_for(7, "stale-a") + frame_for(8, "stale-b") + frame_for(500, "beyond");
    write_file(path, live + stale);

    auto file = SegmentFile::open(path, false);
    REQUIRE(file);
    auto recovered = recover_segment(**file, 100, true);
    REQUIRE(recovered);
    CHECK(recovered->reused);
    CHECK(recovered->records == 2);
    CHECK(recovered->end_offset == 102);
    CHECK(recovered->readable_end == live.size());
    CHECK(recovered->file_bytes == live.size());
    CHECK_FALSE(recovered->corrupted);
    CHECK(std::filesystem::file_size(path) == live.size() + stale.size());  // nothing truncated
}

TEST_CASE("a segment written before reuse existed still recovers its torn tail by truncation")
{
    TempDir dir;
    const auto path = dir.path() / "00000000000000000000.seg";
    const std::string live = frame_for(0, "a") + frame_for(1, "b");
    const std::string torn = frame_for(2, "c");
    write_file(path, live + torn.substr(0, torn.size() - 3));

    auto file = SegmentFile::open(path, false);
    REQUIRE(file);
    auto recovered = recover_segment(**file, 0, true);
    REQUIRE(recovered);
    CHECK_FALSE(recovered->reused);
    CHECK(recovered->end_offset == 2);
    CHECK(std::filesystem::file_size(path) == live.size());
}

TEST_CASE("a spare segment left by an earlier run is deleted at start-up")
{
    TempDir dir;
    ReusedSegmentQueue setup(dir);
    setup.queue.reset();
    REQUIRE(std::filesystem::exists(setup.options.directory / "spare.segment"));
    auto queue = open_queue(setup.options);
    CHECK(!std::filesystem::exists(setup.options.directory / "spare.segment"));
    REQUIRE(queue->append(records(1, 20)) == AppendStatus::appended);
    CHECK(read_all(*queue, queue->open_cursor("a")).size() == 1);
}

TEST_CASE("no spare segment is kept when it would not fit within the queue's capacity")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.max_bytes = 1000;  // each append of 540 bytes fills the queue past half
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    for (int round = 0; round < 10; ++round) {
        REQUIRE(queue->append(records(3, 100)) == AppendStatus::appended);
        queue->acknowledge(cursor, queue->stats().appended_total);
        queue->persist_cursors();
        CHECK(!std::filesystem::exists(options.directory / "spare.segment"));
    }
}
