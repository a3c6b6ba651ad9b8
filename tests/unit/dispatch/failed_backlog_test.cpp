// Shedding a failed plugin's backlog: its oldest events move to its dead letters until
// it holds no more than its share, and the rest stays queued for it.
#include <doctest/doctest.h>

#include "../queue/disk_queue_test_support.hpp"
#include "dispatch/failed_backlog.hpp"
#include "queue/memory_queue.hpp"

using namespace queue_test;
using namespace productgraph::dispatch;
using namespace std::chrono_literals;

TEST_CASE("a failed plugin's backlog past its share moves oldest first to its dead letters and the rest stays")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.segment_bytes = 1000;  // about eight 100-byte records per segment
    auto queue = open_queue(options);
    const CursorId failed = queue->open_cursor("failed");
    const CursorId healthy = queue->open_cursor("healthy");
    for (int i = 0; i < 10; ++i) {
        REQUIRE(queue->append(records(8, 100, "b" + std::to_string(i) + "-")) == AppendStatus::appended);
    }
    queue->acknowledge(healthy, 80);
    const uint64_t before = queue->backlog_bytes(failed);
    const uint64_t limit = before / 3;

    auto store = DeadLetterStore::open({}, "failed", 1 << 20);
    REQUIRE(store.has_value());
    PluginStats stats;
    stats.fail("invalid api key");
    const uint64_t moved = shed_failed_backlog(*queue, failed, limit, **store, stats, "failed");

    CHECK(moved > 0);
    CHECK(moved < 80);
    CHECK(queue->backlog_bytes(failed) <= limit);
    CHECK(queue->backlog_bytes(failed) > 0);
    CHECK(queue->lag(failed) == 80 - moved);
    CHECK(stats.failed_backlog_moved == moved);
    CHECK((*store)->count() == moved);
    const auto letters = (*store)->list(1000);
    CHECK(letters.back().record->event_id() == "b0-0");  // the oldest went first
    CHECK(letters.back().reason == "plugin failed: invalid api key");
    const auto rest = queue->read(failed, 0, {1, 0}, 0ms);
    REQUIRE(rest.size() == 1);
    CHECK(rest.front().offset == moved);  // the rest stays, in order
    // Both cursors passed the first segments, and the shed freed them at once.
    CHECK(segment_files(options.directory).size() < 10);
}

TEST_CASE("a failed plugin within its share keeps every event queued")
{
    productgraph::queue::MemoryQueue queue(1000, 1 << 20);
    const CursorId failed = queue.open_cursor("failed");
    queue.append(records(10, 100));
    auto store = DeadLetterStore::open({}, "failed", 1 << 20);
    REQUIRE(store.has_value());
    PluginStats stats;
    stats.fail("down");
    CHECK(shed_failed_backlog(queue, failed, queue.backlog_bytes(failed), **store, stats, "failed") == 0);
    CHECK(queue.lag(failed) == 10);
    CHECK(shed_failed_backlog(queue, failed, 0, **store, stats, "failed") == 10);
    CHECK(queue.lag(failed) == 0);
}
