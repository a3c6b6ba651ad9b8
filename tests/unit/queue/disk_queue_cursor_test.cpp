// Disk queue cursors: persisted positions, lazy persistence, new and returning plugins.
#include <doctest/doctest.h>

#include "disk_queue_test_support.hpp"
#include "queue/cursor_store.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

TEST_CASE("a cursor resumes from its persisted position after reopen")
{
    TempDir dir;
    const DiskQueueOptions options = options_in(dir.path());
    {
        auto queue = open_queue(options);
        const CursorId cursor = queue->open_cursor("amplitude");
        REQUIRE(queue->append(records(10)) == AppendStatus::appended);
        queue->acknowledge(cursor, 5);
        queue->close();
    }
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("amplitude");
    CHECK(queue->lag(cursor) == 5);
    const auto batch = queue->read(cursor, 0, {100, 0}, 0ms);
    REQUIRE(batch.size() == 5);
    CHECK(batch.front().offset == 5);
    CHECK(batch.front().record->event_id() == "e5");
}

TEST_CASE("a new cursor starts at the end of the log and keeps that start across a reopen")
{
    TempDir dir;
    const DiskQueueOptions options = options_in(dir.path());
    {
        auto queue = open_queue(options);
        queue->open_cursor("old");
        queue->append(records(4));
        const CursorId late = queue->open_cursor("late");
        CHECK(queue->lag(late) == 0);
        queue->append(records(2, 10, "new"));
    }
    auto queue = open_queue(options);
    const CursorId late = queue->open_cursor("late");
    const auto all = read_all(*queue, late);
    CHECK(offsets_of(all) == std::vector<uint64_t>{4, 5});
}

TEST_CASE("a lazily persisted cursor is never ahead of what was acknowledged")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.cursor_flush_interval = 1ms;  // persist as often as possible to race the acks
    options.fsync = *parse_fsync_policy("never");
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("mixpanel");
    REQUIRE(queue->append(records(2000, 1)) == AppendStatus::appended);
    const CursorStore store(options.directory / "cursors");

    // The background thread persists every millisecond while positions move; whatever
    // file it has written must never be ahead of the acknowledgement made before the look.
    bool never_ahead = true;
    uint64_t intermediate = 0;  // persisted values seen strictly between 0 and 2000
    for (uint64_t next = 1; next <= 2000; ++next) {
        queue->acknowledge(cursor, next);
        const std::optional<uint64_t> persisted = store.load("mixpanel");
        REQUIRE(persisted.has_value());  // written when the cursor was opened, then replaced atomically
        if (*persisted > next) never_ahead = false;
        if (*persisted > 0 && *persisted < 2000) ++intermediate;
    }
    CHECK(never_ahead);
    MESSAGE("reads that saw an intermediate persisted position: " << intermediate);
    CHECK(eventually([&] { return store.load("mixpanel") == 2000u; }));
}

TEST_CASE("close persists the final cursor positions")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.cursor_flush_interval = std::chrono::hours(1);  // only close can persist
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    queue->append(records(3));
    queue->acknowledge(cursor, 2);
    const CursorStore store(options.directory / "cursors");
    CHECK(store.load("a") == 0u);
    queue->close();
    CHECK(store.load("a") == 2u);
    queue->acknowledge(cursor, 3);  // shutdown drains after close
    queue.reset();
    CHECK(store.load("a") == 3u);
}

TEST_CASE("a cursor whose records were deleted while it was not open resumes at the oldest record")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.segment_bytes = 300;  // about one record per segment
    {
        auto queue = open_queue(options);
        queue->open_cursor("kept");
        queue->open_cursor("disabled");
        for (int i = 0; i < 6; ++i) queue->append(records(1, 100));
    }
    {
        // The "disabled" plugin is not enabled in this run, so it holds nothing.
        auto queue = open_queue(options);
        const CursorId kept = queue->open_cursor("kept");
        queue->acknowledge(kept, 6);
        queue->persist_cursors();
        CHECK(segment_files(options.directory).size() == 1);
    }
    // Records 0..4 are gone; record 5 is in the active segment, which is never deleted.
    auto queue = open_queue(options);
    const CursorId disabled = queue->open_cursor("disabled");
    CHECK(queue->lag(disabled) == 1);
    queue->append(records(1));
    CHECK(offsets_of(read_all(*queue, disabled)) == std::vector<uint64_t>{5, 6});
}

TEST_CASE("cursor names outside the plugin alphabet are stored under escaped file names")
{
    CHECK(CursorStore::file_name("amplitude-eu_2") == "amplitude-eu_2.cursor");
    CHECK(CursorStore::file_name("A/../b") == "%41%2F%2E%2E%2Fb.cursor");
    TempDir dir;
    const DiskQueueOptions options = options_in(dir.path());
    {
        auto queue = open_queue(options);
        const CursorId cursor = queue->open_cursor("Odd/Name");
        queue->append(records(3));
        queue->acknowledge(cursor, 1);
    }
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("Odd/Name");
    CHECK(queue->lag(cursor) == 2);
}

TEST_CASE("opening the same cursor name twice returns the same cursor")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId first = queue->open_cursor("a");
    queue->append(records(2));
    CHECK(queue->open_cursor("a") == first);
    CHECK(queue->lag(first) == 2);
}

TEST_CASE("after a crash a cursor re-sends what was acknowledged but not yet persisted and skips nothing")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.cursor_flush_interval = std::chrono::hours(1);
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    queue->append(records(10));
    queue->acknowledge(cursor, 5);
    queue->persist_cursors();
    queue->acknowledge(cursor, 8);  // not persisted yet when the "crash" happens
    // The files as a crash would leave them: copied while the queue is still running.
    const std::filesystem::path crashed = dir.path() / "crashed";
    std::filesystem::copy(options.directory, crashed, std::filesystem::copy_options::recursive);
    queue.reset();

    DiskQueueOptions reopened = options;
    reopened.directory = crashed;
    auto recovered = open_queue(reopened);
    const CursorId again = recovered->open_cursor("a");
    CHECK(offsets_of(read_all(*recovered, again)) == std::vector<uint64_t>{5, 6, 7, 8, 9});
}
