// The in-memory log: cursors, acknowledgement, reclaiming, capacity and close.
#include <doctest/doctest.h>

#include <thread>

#include "queue/memory_queue.hpp"

using namespace productgraph::queue;
using namespace std::chrono_literals;

namespace {

std::vector<RecordPtr> records(int n, size_t json_size = 10)
{
    std::vector<RecordPtr> out;
    const std::string json(json_size, 'x');
    for (int i = 0; i < n; ++i) {
        const std::string id = "e" + std::to_string(i);
        productgraph::event::EventFields fields;
        fields.json = json;
        fields.event_id = id;
        out.push_back(std::make_shared<const productgraph::event::EventRecord>(fields));
    }
    return out;
}

}  // namespace

TEST_CASE("each cursor reads every appended record in order")
{
    MemoryQueue queue(100, 1 << 20);
    const CursorId a = queue.open_cursor("a");
    const CursorId b = queue.open_cursor("b");
    REQUIRE(queue.append(records(5)) == AppendStatus::appended);
    for (CursorId cursor : {a, b}) {
        const auto batch = queue.read(cursor, 0, {10, 0}, 0ms);
        REQUIRE(batch.size() == 5);
        for (uint64_t i = 0; i < 5; ++i) {
            CHECK(batch[i].offset == i);
            CHECK(batch[i].record->event_id() == "e" + std::to_string(i));
        }
    }
}

TEST_CASE("reading without acknowledging returns the same records again")
{
    MemoryQueue queue(100, 1 << 20);
    const CursorId cursor = queue.open_cursor("a");
    queue.append(records(3));
    CHECK(queue.read(cursor, 0, {2, 0}, 0ms).front().offset == 0);
    CHECK(queue.read(cursor, 0, {2, 0}, 0ms).front().offset == 0);
    queue.acknowledge(cursor, 2);
    const auto rest = queue.read(cursor, 0, {2, 0}, 0ms);
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].offset == 2);
    CHECK(queue.lag(cursor) == 1);
}

TEST_CASE("a consumer can read ahead of its cursor without moving it")
{
    MemoryQueue queue(100, 1 << 20);
    const CursorId cursor = queue.open_cursor("a");
    queue.append(records(5));
    const auto ahead = queue.read(cursor, 3, {10, 0}, 0ms);
    REQUIRE(ahead.size() == 2);
    CHECK(ahead[0].offset == 3);
    CHECK(queue.lag(cursor) == 5);
    CHECK(queue.read(cursor, 5, {10, 0}, 0ms).empty());
    queue.acknowledge(cursor, 4);
    CHECK(queue.read(cursor, 0, {10, 0}, 0ms).front().offset == 4);  // never before the cursor
    queue.acknowledge(cursor, 2);
    CHECK(queue.lag(cursor) == 1);  // a cursor never moves back
}

TEST_CASE("reads respect the event and byte limits but always return one record")
{
    MemoryQueue queue(100, 1 << 20);
    const CursorId cursor = queue.open_cursor("a");
    queue.append(records(10, 100));
    CHECK(queue.read(cursor, 0, {4, 0}, 0ms).size() == 4);
    CHECK(queue.read(cursor, 0, {10, 250}, 0ms).size() == 2);
    CHECK(queue.read(cursor, 0, {10, 50}, 0ms).size() == 1);
}

TEST_CASE("records are reclaimed only when the slowest cursor has passed them")
{
    MemoryQueue queue(100, 1 << 20);
    const CursorId fast = queue.open_cursor("fast");
    const CursorId slow = queue.open_cursor("slow");
    queue.append(records(4));
    queue.acknowledge(fast, 4);
    CHECK(queue.stats().depth_events == 4);
    queue.acknowledge(slow, 1);
    CHECK(queue.stats().depth_events == 3);
    queue.acknowledge(slow, 4);
    CHECK(queue.stats().depth_events == 0);
    CHECK(queue.stats().depth_bytes == 0);
}

TEST_CASE("a full queue refuses the whole append and counts it")
{
    MemoryQueue queue(5, 1 << 20);
    const CursorId cursor = queue.open_cursor("a");
    REQUIRE(queue.append(records(4)) == AppendStatus::appended);
    CHECK(queue.append(records(2)) == AppendStatus::full);
    CHECK(queue.stats().depth_events == 4);
    CHECK(queue.stats().refused_full_total == 2);
    queue.acknowledge(cursor, 4);
    CHECK(queue.append(records(2)) == AppendStatus::appended);
}

TEST_CASE("the byte capacity is enforced too")
{
    MemoryQueue queue(1000, 250);
    queue.open_cursor("a");
    CHECK(queue.append(records(2, 100)) == AppendStatus::appended);
    CHECK(queue.append(records(1, 100)) == AppendStatus::full);
}

TEST_CASE("a released cursor stops holding records and reports what it abandoned")
{
    MemoryQueue queue(5, 1 << 20);
    const CursorId healthy = queue.open_cursor("healthy");
    const CursorId failed = queue.open_cursor("failed");
    queue.append(records(5));
    queue.acknowledge(healthy, 5);
    CHECK(queue.append(records(1)) == AppendStatus::full);
    CHECK(queue.release_cursor(failed) == 5);
    CHECK(queue.lag(failed) == 0);
    CHECK(queue.append(records(1)) == AppendStatus::appended);
    CHECK(queue.read(failed, 0, {10, 0}, 0ms).empty());
}

TEST_CASE("a waiting reader wakes when records arrive")
{
    MemoryQueue queue(100, 1 << 20);
    const CursorId cursor = queue.open_cursor("a");
    std::thread writer([&] {
        std::this_thread::sleep_for(50ms);
        queue.append(records(1));
    });
    const auto batch = queue.read(cursor, 0, {10, 0}, 5s);
    writer.join();
    CHECK(batch.size() == 1);
}

TEST_CASE("a closed queue refuses appends but still serves what it holds")
{
    MemoryQueue queue(100, 1 << 20);
    const CursorId cursor = queue.open_cursor("a");
    queue.append(records(2));
    queue.close();
    CHECK(queue.append(records(1)) == AppendStatus::closed);
    CHECK(queue.read(cursor, 0, {10, 0}, 1s).size() == 2);
}

TEST_CASE("a cursor opened later starts at the end of the log")
{
    MemoryQueue queue(100, 1 << 20);
    const CursorId first = queue.open_cursor("first");
    queue.append(records(3));
    const CursorId late = queue.open_cursor("late");
    CHECK(queue.lag(late) == 0);
    CHECK(queue.lag(first) == 3);
}

TEST_CASE("a cursor's backlog bytes are the record bytes it has not acknowledged")
{
    MemoryQueue queue(100, 1 << 20);
    const CursorId a = queue.open_cursor("a");
    const CursorId b = queue.open_cursor("b");
    const uint64_t record_bytes = records(1, 100).front()->byte_size();
    queue.append(records(4, 100));
    CHECK(queue.backlog_bytes(a) == 4 * record_bytes);
    queue.acknowledge(a, 3);
    CHECK(queue.backlog_bytes(a) == record_bytes);
    CHECK(queue.backlog_bytes(b) == 4 * record_bytes);
    CHECK(queue.offset_to_hold_at_most(b, 2 * record_bytes) == 2);
    CHECK(queue.offset_to_hold_at_most(b, 2 * record_bytes + 1) == 2);
    CHECK(queue.offset_to_hold_at_most(b, record_bytes - 1) == 4);  // not even the newest fits
    CHECK(queue.offset_to_hold_at_most(a, 4 * record_bytes) == 3);  // already holds less: its position
    queue.acknowledge(a, 4);
    CHECK(queue.backlog_bytes(a) == 0);
}
