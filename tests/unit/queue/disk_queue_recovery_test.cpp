// Start-up recovery of the disk queue: torn tails, corrupted records, unusable directories.
#include <doctest/doctest.h>

#include <fstream>

#include "disk_queue_test_support.hpp"
#include "queue/frame_format.hpp"
#include "queue/record_codec.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

TEST_CASE("a torn tail is truncated on reopen and appends continue after it")
{
    TempDir dir;
    const DiskQueueOptions options = exact_layout_options(dir.path());
    {
        auto queue = open_queue(options);
        queue->open_cursor("a");
        REQUIRE(queue->append(records(3)) == AppendStatus::appended);
    }
    const auto segment = segment_files(options.directory).back();
    const std::string intact = read_file(segment);
    // Half a frame, as a crash in the middle of write(2) would leave.
    std::string payload;
    encode_record(*records(1, 10, "torn")[0], payload);
    std::string frame;
    append_frame(frame, 3, payload);
    write_file(segment, intact + frame.substr(0, frame.size() / 2));

    {
        auto queue = open_queue(options);
        CHECK(std::filesystem::file_size(segment) == intact.size());
        const CursorId cursor = queue->open_cursor("a");
        CHECK(offsets_of(read_all(*queue, cursor)) == std::vector<uint64_t>{0, 1, 2});
        REQUIRE(queue->append(records(1, 10, "after")) == AppendStatus::appended);
    }
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    const auto all = read_all(*queue, cursor);
    REQUIRE(all.size() == 4);
    CHECK(all[3].offset == 3);
    CHECK(all[3].record->event_id() == "after0");
}

TEST_CASE("a torn header at the end of the last segment is truncated too")
{
    TempDir dir;
    const DiskQueueOptions options = exact_layout_options(dir.path());
    {
        auto queue = open_queue(options);
        queue->open_cursor("a");
        queue->append(records(2));
    }
    const auto segment = segment_files(options.directory).back();
    const std::string intact = read_file(segment);
    write_file(segment, intact + intact.substr(0, 7));
    auto queue = open_queue(options);
    CHECK(std::filesystem::file_size(segment) == intact.size());
    CHECK(read_all(*queue, queue->open_cursor("a")).size() == 2);
}

TEST_CASE("a corrupted record is skipped and the records after it keep their offsets")
{
    TempDir dir;
    const DiskQueueOptions options = exact_layout_options(dir.path());
    {
        auto queue = open_queue(options);
        queue->open_cursor("a");
        for (int i = 0; i < 5; ++i)
            REQUIRE(queue->append(records(1, 40, "r" + std::to_string(i) + "-")) == AppendStatus::appended);
    }
    const auto segment = segment_files(options.directory).back();
    std::string bytes = read_file(segment);
    const size_t frame_size = bytes.size() / 5;               // five records of the same size
    bytes[2 * frame_size + frame_header_bytes + 10] ^= 0x40;  // inside the third record's payload
    write_file(segment, bytes);

    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    const auto all = read_all(*queue, cursor);
    CHECK(offsets_of(all) == std::vector<uint64_t>{0, 1, 3, 4});
    REQUIRE(all.size() == 4);
    CHECK(all[2].record->event_id() == "r3-0");
    CHECK(queue->append(records(1)) == AppendStatus::appended);
    CHECK(read_all(*queue, cursor, 5).front().offset == 5);
}

TEST_CASE("garbage over a record header is skipped by resynchronising on the next magic")
{
    TempDir dir;
    const DiskQueueOptions options = exact_layout_options(dir.path());
    {
        auto queue = open_queue(options);
        queue->open_cursor("a");
        for (int i = 0; i < 4; ++i) queue->append(records(1, 40));
    }
    const auto segment = segment_files(options.directory).back();
    std::string bytes = read_file(segment);
    const size_t frame_size = bytes.size() / 4;
    for (size_t i = 0; i < 12; ++i) bytes[frame_size + i] = static_cast<char>(0xA5);  // magic and length of record 1
    write_file(segment, bytes);

    auto queue = open_queue(options);
    CHECK(offsets_of(read_all(*queue, queue->open_cursor("a"))) == std::vector<uint64_t>{0, 2, 3});
}

TEST_CASE("a segment holding nothing but garbage opens as an empty log")
{
    TempDir dir;
    const DiskQueueOptions options = options_in(dir.path());
    std::filesystem::create_directories(options.directory);
    std::string garbage(70'000, '\0');
    for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 2654435761u) >> 13);
    write_file(options.directory / "00000000000000000000.seg", garbage);

    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    CHECK(read_all(*queue, cursor).empty());
    REQUIRE(queue->append(records(2)) == AppendStatus::appended);
    CHECK(offsets_of(read_all(*queue, cursor)) == std::vector<uint64_t>{0, 1});
}

TEST_CASE("a queue directory that cannot be created is an error naming the variable and the reason")
{
    TempDir dir;
    write_file(dir.path() / "not-a-directory", "x");
    DiskQueueOptions options;
    options.directory = dir.path() / "not-a-directory" / "queue";
    const auto queue = DiskQueue::open(options);
    REQUIRE_FALSE(queue.has_value());
    CHECK(queue.error().message.find("PRODUCTGRAPH_QUEUE_DIR") != std::string::npos);
    CHECK(queue.error().message.find(options.directory.string()) != std::string::npos);
    CHECK(queue.error().message.find("Not a directory") != std::string::npos);
}

TEST_CASE("a second queue on the same directory is refused while the first is open")
{
    TempDir dir;
    const DiskQueueOptions options = options_in(dir.path());
    auto first = open_queue(options);
    const auto second = DiskQueue::open(options);
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().message.find("in use") != std::string::npos);
    first.reset();
    CHECK(DiskQueue::open(options).has_value());
}
