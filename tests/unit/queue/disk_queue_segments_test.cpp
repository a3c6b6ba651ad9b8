// Disk queue space: segment roll-over, deletion once consumed, capacity and stats.
#include <doctest/doctest.h>

#include "disk_queue_test_support.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

TEST_CASE("segments are deleted once every active cursor has passed them and not before")
{
    TempDir dir;
    const DiskQueueOptions options = small_segments(dir);
    auto queue = open_queue(options);
    const CursorId fast = queue->open_cursor("fast");
    const CursorId slow = queue->open_cursor("slow");
    for (int i = 0; i < 8; ++i) REQUIRE(queue->append(records(1, 100)) == AppendStatus::appended);
    REQUIRE(segment_files(options.directory).size() == 8);

    queue->acknowledge(fast, 8);
    queue->persist_cursors();
    CHECK(segment_files(options.directory).size() == 8);  // slow still needs all of them

    queue->acknowledge(slow, 3);
    CHECK(segment_files(options.directory).size() == 8);  // not persisted yet: nothing deleted
    queue->persist_cursors();
    CHECK(segment_files(options.directory).size() == 5);  // records 0, 1 and 2 are gone
    CHECK(queue->read(slow, 0, {1, 0}, 0ms).front().offset == 3);

    queue->acknowledge(slow, 8);
    queue->persist_cursors();
    const auto left = segment_files(options.directory);
    REQUIRE(left.size() == 1);  // the active segment stays
    CHECK(left[0].filename() == "00000000000000000007.seg");
    CHECK(queue->stats().depth_bytes == std::filesystem::file_size(left[0]));
}

TEST_CASE("the background thread deletes consumed segments without being asked")
{
    TempDir dir;
    DiskQueueOptions options = small_segments(dir);
    options.cursor_flush_interval = 5ms;
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    for (int i = 0; i < 4; ++i) queue->append(records(1, 100));
    queue->acknowledge(cursor, 4);
    CHECK(eventually([&] { return segment_files(options.directory).size() == 1; }));
}

TEST_CASE("a released cursor does not hold segments")
{
    TempDir dir;
    const DiskQueueOptions options = small_segments(dir);
    auto queue = open_queue(options);
    const CursorId healthy = queue->open_cursor("healthy");
    const CursorId failed = queue->open_cursor("failed");
    for (int i = 0; i < 5; ++i) queue->append(records(1, 100));
    queue->acknowledge(healthy, 5);
    queue->persist_cursors();
    CHECK(segment_files(options.directory).size() == 5);
    CHECK(queue->release_cursor(failed) == 5);
    CHECK(segment_files(options.directory).size() == 1);
    CHECK(queue->lag(failed) == 0);
    CHECK(queue->read(failed, 0, {10, 0}, 0ms).empty());
}

TEST_CASE("a cursor's backlog bytes are the whole segments it still holds")
{
    TempDir dir;
    const DiskQueueOptions options = small_segments(dir);
    auto queue = open_queue(options);
    const CursorId slow = queue->open_cursor("slow");
    const CursorId fast = queue->open_cursor("fast");
    for (int i = 0; i < 4; ++i) queue->append(records(1, 100));
    const auto files = segment_files(options.directory);
    REQUIRE(files.size() == 4);
    const uint64_t segment = std::filesystem::file_size(files[0]);
    CHECK(queue->backlog_bytes(slow) == 4 * segment);
    queue->acknowledge(fast, 4);
    CHECK(queue->backlog_bytes(fast) == 0);
    queue->acknowledge(slow, 1);
    CHECK(queue->backlog_bytes(slow) == 3 * segment);
    CHECK(queue->backlog_bytes(fast) == 0);  // what slow holds is not fast's backlog
    CHECK(queue->offset_to_hold_at_most(slow, 2 * segment) == 2);
    CHECK(queue->offset_to_hold_at_most(slow, 2 * segment + 10) == 2);  // whole segments only
    CHECK(queue->offset_to_hold_at_most(slow, segment - 1) == 4);       // even the active one goes
    CHECK(queue->offset_to_hold_at_most(slow, 10 * segment) == 1);      // its position
}

TEST_CASE("a full disk queue refuses the whole append and counts it")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.max_bytes = 4000;
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    int appended_batches = 0;
    while (queue->append(records(3, 100)) == AppendStatus::appended) ++appended_batches;
    REQUIRE(appended_batches > 0);
    const QueueStats full = queue->stats();
    CHECK(full.refused_full_total == 3);
    CHECK(full.appended_total == uint64_t(3 * appended_batches));
    CHECK(full.depth_bytes <= 4000);
    CHECK(full.capacity_bytes == 4000);
    CHECK(full.depth_events == full.appended_total);
    // Nothing of the refused batch reached the log, not even after a reopen.
    CHECK(read_all(*queue, cursor).size() == full.appended_total);

    queue->acknowledge(cursor, full.appended_total);
    queue->persist_cursors();
    CHECK(queue->append(records(3, 100)) == AppendStatus::appended);
    queue.reset();
    queue = open_queue(options);
    CHECK(read_all(*queue, queue->open_cursor("a")).size() == 3);
}

TEST_CASE("a full disk queue whose only segment is consumed starts a new one and accepts again")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.max_bytes = 1000;
    options.segment_bytes = 1 << 20;  // lowered to max_bytes / 8 by the queue
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    for (int round = 0; round < 20; ++round) {
        REQUIRE(queue->append(records(3, 100)) == AppendStatus::appended);  // 540 bytes: two never fit
        queue->acknowledge(cursor, queue->stats().appended_total);
        queue->persist_cursors();
    }
    CHECK(queue->stats().depth_bytes <= 1000);
}

TEST_CASE("stats report disk bytes and the largest lag of the active cursors")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId a = queue->open_cursor("a");
    const CursorId b = queue->open_cursor("b");
    queue->append(records(10));
    queue->acknowledge(a, 10);
    queue->acknowledge(b, 4);
    const QueueStats stats = queue->stats();
    CHECK(stats.depth_events == 6);
    CHECK(stats.depth_bytes > 0);
    CHECK(stats.capacity_events == UINT64_MAX);
    CHECK(stats.appended_total == 10);
    queue->release_cursor(b);
    CHECK(queue->stats().depth_events == 0);
}

TEST_CASE("segments stay while the cursors are opened one by one at start-up")
{
    TempDir dir;
    const DiskQueueOptions options = small_segments(dir);
    {
        auto queue = open_queue(options);
        queue->open_cursor("slow");
        for (int i = 0; i < 4; ++i) queue->append(records(1, 100));
    }
    auto queue = open_queue(options);
    queue->open_cursor("new");  // persisted at once, at the end of the log
    queue->persist_cursors();
    CHECK(segment_files(options.directory).size() == 4);
    const CursorId slow = queue->open_cursor("slow");
    CHECK(offsets_of(read_all(*queue, slow)) == std::vector<uint64_t>{0, 1, 2, 3});
}
