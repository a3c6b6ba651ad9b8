// Disk queue reads: order, limits, reading ahead, waiting, offsets across reopen, close.
#include <doctest/doctest.h>

#include <thread>

#include "disk_queue_test_support.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

TEST_CASE("each cursor reads every appended record in order from disk")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId a = queue->open_cursor("a");
    const CursorId b = queue->open_cursor("b");
    REQUIRE(queue->append(records(5)) == AppendStatus::appended);
    for (CursorId cursor : {a, b}) {
        const auto batch = queue->read(cursor, 0, {10, 0}, 0ms);
        REQUIRE(batch.size() == 5);
        for (uint64_t i = 0; i < 5; ++i) {
            CHECK(batch[i].offset == i);
            CHECK(batch[i].record->event_id() == "e" + std::to_string(i));
            CHECK(batch[i].record->type() == "track");
            CHECK(batch[i].record->timestamp_ms() == int64_t(1'700'000'000'000 + i));
        }
    }
}

TEST_CASE("a consumer can read ahead of its disk cursor without moving it")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId cursor = queue->open_cursor("a");
    queue->append(records(5));
    const auto ahead = queue->read(cursor, 3, {10, 0}, 0ms);
    REQUIRE(ahead.size() == 2);
    CHECK(ahead[0].offset == 3);
    CHECK(queue->lag(cursor) == 5);
    CHECK(queue->read(cursor, 5, {10, 0}, 0ms).empty());
    CHECK(queue->read(cursor, 0, {10, 0}, 0ms).front().offset == 0);  // the cursor did not move
    queue->acknowledge(cursor, 4);
    CHECK(queue->read(cursor, 0, {10, 0}, 0ms).front().offset == 4);  // never before the cursor
    queue->acknowledge(cursor, 2);
    CHECK(queue->lag(cursor) == 1);  // a cursor never moves back
}

TEST_CASE("disk reads respect the event and byte limits but always return one record")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId cursor = queue->open_cursor("a");
    queue->append(records(10, 100));
    CHECK(queue->read(cursor, 0, {4, 0}, 0ms).size() == 4);
    CHECK(queue->read(cursor, 0, {10, 250}, 0ms).size() == 2);
    CHECK(queue->read(cursor, 0, {10, 50}, 0ms).size() == 1);
}

TEST_CASE("reads find any offset deep inside a large segment and across segments")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.segment_bytes = 1 << 20;
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    for (int i = 0; i < 30; ++i)
        REQUIRE(queue->append(records(500, 200, "b" + std::to_string(i) + "-")) == AppendStatus::appended);
    REQUIRE(segment_files(options.directory).size() > 2);
    for (uint64_t offset : {0ull, 1ull, 4321ull, 9999ull, 14999ull, 7000ull, 2ull}) {
        const auto batch = queue->read(cursor, offset, {3, 0}, 0ms);
        REQUIRE(!batch.empty());
        CHECK(batch.front().offset == offset);
        CHECK(batch.front().record->event_id() ==
              "b" + std::to_string(offset / 500) + "-" + std::to_string(offset % 500));
    }
    // Sequential reads in small batches see every record once.
    uint64_t next = 0;
    while (true) {
        const auto batch = queue->read(cursor, next, {7, 0}, 0ms);
        if (batch.empty()) break;
        for (const QueuedRecord &queued : batch) CHECK(queued.offset == next++);
    }
    CHECK(next == 15000);
}

TEST_CASE("offsets continue after a reopen and are never reused")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.segment_bytes = 300;
    {
        auto queue = open_queue(options);
        const CursorId cursor = queue->open_cursor("a");
        queue->append(records(3, 100));
        queue->acknowledge(cursor, 3);
        queue->close();
    }
    {
        auto queue = open_queue(options);
        const CursorId cursor = queue->open_cursor("a");
        queue->append(records(1, 100, "second"));
        CHECK(offsets_of(read_all(*queue, cursor)) == std::vector<uint64_t>{3});
        queue->acknowledge(cursor, 4);
        queue->append(records(1, 100, "third"));  // starts a segment; the consumed ones go
        queue->acknowledge(cursor, 5);
        queue->persist_cursors();
        REQUIRE(segment_files(options.directory).size() == 1);
    }
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    queue->append(records(1, 100, "fourth"));
    const auto batch = read_all(*queue, cursor);
    REQUIRE(batch.size() == 1);
    CHECK(batch[0].offset == 5);
    CHECK(batch[0].record->event_id() == "fourth0");
}

TEST_CASE("a waiting disk reader wakes when records arrive")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId cursor = queue->open_cursor("a");
    std::vector<QueuedRecord> batch;
    std::thread reader([&] { batch = queue->read(cursor, 0, {10, 0}, 10s); });
    REQUIRE(queue->append(records(1)) == AppendStatus::appended);
    reader.join();
    CHECK(batch.size() == 1);
}

TEST_CASE("close wakes a waiting disk reader")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId cursor = queue->open_cursor("a");
    const auto started = std::chrono::steady_clock::now();
    std::thread reader([&] { CHECK(queue->read(cursor, 0, {10, 0}, 30s).empty()); });
    queue->close();
    reader.join();
    CHECK(std::chrono::steady_clock::now() - started < 20s);
}

TEST_CASE("a closed disk queue refuses appends but still serves what it holds")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId cursor = queue->open_cursor("a");
    queue->append(records(2));
    queue->close();
    CHECK(queue->append(records(1)) == AppendStatus::closed);
    CHECK(queue->read(cursor, 0, {10, 0}, 1s).size() == 2);
}
