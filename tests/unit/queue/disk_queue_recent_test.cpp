// The disk queue's window of recent records: reads served from memory return exactly
// what reads from the segment files return for the same appends.
#include <doctest/doctest.h>

#include <random>

#include "disk_queue_test_support.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

namespace {

// Every field a plugin sees, so a difference anywhere shows.
void require_same(const std::vector<QueuedRecord> &from_memory, const std::vector<QueuedRecord> &from_disk)
{
    REQUIRE(from_memory.size() == from_disk.size());
    for (size_t i = 0; i < from_disk.size(); ++i) {
        const auto &a = *from_memory[i].record;
        const auto &b = *from_disk[i].record;
        REQUIRE(from_memory[i].offset == from_disk[i].offset);
        REQUIRE(a.json() == b.json());
        REQUIRE(a.event_id() == b.event_id());
        REQUIRE(a.type() == b.type());
        REQUIRE(a.name() == b.name());
        REQUIRE(a.user_id() == b.user_id());
        REQUIRE(a.device_id() == b.device_id());
        REQUIRE(a.session_id() == b.session_id());
        REQUIRE(a.client_ip() == b.client_ip());
        REQUIRE(a.user_agent() == b.user_agent());
        REQUIRE(a.timestamp_ms() == b.timestamp_ms());
        REQUIRE(a.received_ms() == b.received_ms());
    }
}

// Records of varied sizes with every text field set, different per record.
std::vector<RecordPtr> varied_records(std::mt19937 &random, int n, int batch_no)
{
    std::vector<RecordPtr> out;
    for (int i = 0; i < n; ++i) {
        const std::string tag = std::to_string(batch_no) + "-" + std::to_string(i);
        const std::string json = "{\"k\":\"" + std::string(random() % 600, 'x') + tag + "\"}";
        const std::string id = "id-" + tag, name = "name-" + tag, user = "u-" + tag, device = "d-" + tag;
        const std::string session = "s-" + tag, ip = "10.0.0." + std::to_string(i % 250), agent = "agent/" + tag;
        productgraph::event::EventFields fields;
        fields.json = json;
        fields.event_id = id;
        fields.type = "custom";
        fields.name = name;
        fields.user_id = user;
        fields.device_id = device;
        fields.session_id = session;
        fields.client_ip = ip;
        fields.user_agent = agent;
        fields.timestamp_ms = 1'700'000'000'000 + batch_no * 1000 + i;
        fields.received_ms = 1'700'000'001'000 + i;
        out.push_back(std::make_shared<const productgraph::event::EventRecord>(fields));
    }
    return out;
}

}  // namespace

TEST_CASE("reads from the recent records match reads from disk for the same appends and limits")
{
    // Two queues get the same appends; one keeps a small window of recent records (so
    // reads land inside it, across its edge and before it), the other reads only disk.
    TempDir memory_dir, disk_dir;
    DiskQueueOptions with_window = options_in(memory_dir.path());
    with_window.recent_records_bytes = 20'000;
    with_window.segment_bytes = 64 * 1024;  // several segments, so disk reads cross them
    DiskQueueOptions disk_only = options_in(disk_dir.path());
    disk_only.segment_bytes = with_window.segment_bytes;
    auto windowed = open_queue(with_window);
    auto plain = open_queue(disk_only);
    const CursorId wc = windowed->open_cursor("p");
    const CursorId pc = plain->open_cursor("p");

    std::mt19937 random(7);
    uint64_t appended = 0;
    for (int batch_no = 0; batch_no < 60; ++batch_no) {
        const int n = 1 + static_cast<int>(random() % 40);
        std::mt19937 same = random;  // identical contents for the other queue
        REQUIRE(windowed->append(varied_records(random, n, batch_no)) == AppendStatus::appended);
        REQUIRE(plain->append(varied_records(same, n, batch_no)) == AppendStatus::appended);
        appended += static_cast<uint64_t>(n);
        for (int probe = 0; probe < 4; ++probe) {
            const uint64_t from = random() % appended;
            const ReadLimits limits{1 + random() % 50, (random() % 3 == 0) ? 0 : 500 + random() % 20'000};
            require_same(windowed->read(wc, from, limits, 0ms), plain->read(pc, from, limits, 0ms));
        }
    }
    require_same(read_all(*windowed, wc), read_all(*plain, pc));
}

TEST_CASE("a record served from the recent window is the appended record itself and not a copy")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.recent_records_bytes = 1 << 20;
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("p");
    std::vector<RecordPtr> batch = records(3);
    const std::vector<RecordPtr> kept = batch;
    REQUIRE(queue->append(std::move(batch)) == AppendStatus::appended);
    const auto read = queue->read(cursor, 0, {10, 0}, 0ms);
    REQUIRE(read.size() == 3);
    for (size_t i = 0; i < 3; ++i) CHECK(read[i].record == kept[i]);
}

TEST_CASE("records older than the window come back decoded from disk and again after a reopen")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.recent_records_bytes = 100;  // about 10 records of 10 bytes
    std::vector<RecordPtr> kept;
    {
        auto queue = open_queue(options);
        const CursorId cursor = queue->open_cursor("p");
        std::vector<RecordPtr> batch = records(50);
        kept = batch;
        REQUIRE(queue->append(std::move(batch)) == AppendStatus::appended);
        const auto oldest = queue->read(cursor, 0, {1, 0}, 0ms);
        REQUIRE(oldest.size() == 1);
        CHECK(oldest[0].record != kept.front());  // from disk: a decoded copy
        CHECK(oldest[0].record->event_id() == kept.front()->event_id());
        const auto newest = queue->read(cursor, 49, {1, 0}, 0ms);
        REQUIRE(newest.size() == 1);
        CHECK(newest[0].record == kept.back());  // from the window
        const auto all = read_all(*queue, cursor);
        REQUIRE(all.size() == 50);
        for (size_t i = 0; i < 50; ++i) CHECK(all[i].record->event_id() == kept[i]->event_id());
    }
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("p");
    const auto all = read_all(*queue, cursor);
    REQUIRE(all.size() == 50);  // the cursor was persisted at 0; nothing read was acknowledged
    for (size_t i = 0; i < 50; ++i) CHECK(all[i].record->event_id() == kept[i]->event_id());
}
