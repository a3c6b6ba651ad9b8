// Batch frames: one frame per append, read record by record, split when large, lost only whole.
#include <doctest/doctest.h>

#include "disk_queue_test_support.hpp"
#include "queue/byte_order.hpp"
#include "queue/frame_format.hpp"
#include "queue/segment_recovery.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

TEST_CASE("an append is one batch frame holding its records in order")
{
    TempDir dir;
    const DiskQueueOptions options = exact_layout_options(dir.path());
    {
        auto queue = open_queue(options);
        queue->open_cursor("a");  // a cursor opened later would start after these records
        REQUIRE(queue->append(records(50, 300)) == AppendStatus::appended);
        REQUIRE(queue->append(records(1, 300, "single")) == AppendStatus::appended);
    }
    const std::string bytes = read_file(segment_files(options.directory).front());
    CHECK(count_magic(bytes, batch_frame_magic) == 2);
    CHECK(count_magic(bytes, frame_magic) == 0);
    const auto header = parse_frame_header(bytes.data());
    REQUIRE(header.has_value());
    CHECK(header->batch);
    CHECK(header->offset == 0);
    CHECK(batch_record_count(std::string_view(bytes).substr(frame_header_bytes, header->payload_length)) == 50u);

    auto queue = open_queue(options);
    const auto all = read_all(*queue, queue->open_cursor("a"));
    REQUIRE(all.size() == 51);
    for (uint64_t i = 0; i < 50; ++i) {
        CHECK(all[i].offset == i);
        CHECK(all[i].record->event_id() == "e" + std::to_string(i));
    }
    CHECK(all[50].offset == 50);
    CHECK(all[50].record->event_id() == "single0");
}

TEST_CASE("reads that stop inside a batch frame go on from the next record of it")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId cursor = queue->open_cursor("a");
    const CursorId other = queue->open_cursor("b");
    REQUIRE(queue->append(records(10, 100)) == AppendStatus::appended);
    REQUIRE(queue->append(records(3, 100, "next")) == AppendStatus::appended);

    // By event limit: the cursor's hint points back at the frame it stopped in.
    std::vector<uint64_t> seen;
    uint64_t from = 0;
    while (true) {
        const auto batch = queue->read(cursor, from, {3, 0}, 0ms);
        if (batch.empty()) break;
        CHECK(batch.size() <= 3);
        for (const QueuedRecord &queued : batch) seen.push_back(queued.offset);
        from = batch.back().offset + 1;
        queue->acknowledge(cursor, from);
    }
    std::vector<uint64_t> expected(13);
    for (uint64_t i = 0; i < 13; ++i) expected[i] = i;
    CHECK(seen == expected);

    // By byte limit, from the middle of the first frame, with a cursor of its own.
    const auto two = queue->read(other, 4, {100, 250}, 0ms);
    CHECK(offsets_of(two) == std::vector<uint64_t>{4, 5});
    const auto rest = queue->read(other, 6, {100, 0}, 0ms);
    REQUIRE(offsets_of(rest) == std::vector<uint64_t>{6, 7, 8, 9, 10, 11, 12});
    CHECK(rest.back().record->event_id() == "next2");
}

TEST_CASE("an append larger than a batch frame's limit is split into several frames")
{
    TempDir dir;
    DiskQueueOptions options = exact_layout_options(dir.path());
    options.segment_bytes = 64 << 20;
    const size_t json_size = 50'000;
    const int count = 50;  // about 2.5 MB: three frames of at most 1 MiB
    {
        auto queue = open_queue(options);
        queue->open_cursor("a");
        REQUIRE(queue->append(records(count, json_size)) == AppendStatus::appended);
    }
    const std::string bytes = read_file(segment_files(options.directory).front());
    CHECK(count_magic(bytes, batch_frame_magic) == 3);
    size_t position = 0;
    uint64_t next_offset = 0;
    while (position < bytes.size()) {
        const auto header = parse_frame_header(bytes.data() + position);
        REQUIRE(header.has_value());
        CHECK(header->payload_length <= FrameLayout::max_batch_payload);
        CHECK(header->offset == next_offset);
        const auto records_in_frame =
            batch_record_count(std::string_view(bytes).substr(position + frame_header_bytes, header->payload_length));
        REQUIRE(records_in_frame.has_value());
        next_offset += *records_in_frame;
        position += frame_header_bytes + header->payload_length;
    }
    CHECK(next_offset == count);

    auto queue = open_queue(options);
    const auto all = read_all(*queue, queue->open_cursor("a"));
    REQUIRE(all.size() == count);
    CHECK(all.back().offset == count - 1);
    CHECK(all.back().record->event_id() == "e" + std::to_string(count - 1));
}

TEST_CASE("a damaged batch frame loses its own records only and recovery counts every record")
{
    TempDir dir;
    const auto path = dir.path() / "00000000000000000000.seg";
    const std::string first = batch_frames(0, records(5, 80, "a"));
    const std::string second = batch_frames(5, records(4, 80, "b"));
    const std::string third = batch_frames(9, records(3, 80, "c"));

    SUBCASE("a flipped payload bit")
    {
        std::string damaged = second;
        damaged[frame_header_bytes + 40] ^= 0x04;
        write_file(path, first + damaged + third);
    }
    SUBCASE("lengths that do not add up under a matching CRC")
    {
        // The count says 5 where the frame holds 4: the CRC is recomputed over the lie,
        // so only the layout check can refuse it.
        std::string payload = second.substr(frame_header_bytes);
        store_u32(payload.data(), 5);
        std::string relabelled(frame_header_bytes, '\0');
        relabelled += payload;
        finish_payload_at(relabelled.data(), payload.size(), batch_frame_magic);
        stamp_frame(relabelled.data(), 5);
        CHECK_FALSE(batch_record_count(payload).has_value());
        write_file(path, first + relabelled + third);
    }

    auto file = SegmentFile::open(path, false);
    REQUIRE(file);
    auto recovered = recover_segment(**file, 0, true);
    REQUIRE(recovered);
    CHECK(recovered->corrupted);
    CHECK(recovered->records == 8);
    CHECK(recovered->end_offset == 12);
}

TEST_CASE("a batch frame cut short by a crash is truncated and appends continue after the last whole one")
{
    TempDir dir;
    const DiskQueueOptions options = exact_layout_options(dir.path());
    const auto kept = batch_frames(0, records(5, 80, "kept"));
    const auto torn = batch_frames(5, records(5, 80, "torn"));
    {
        auto queue = open_queue(options);
        queue->open_cursor("a");
    }
    for (const auto &segment : segment_files(options.directory)) std::filesystem::remove(segment);
    const auto path = options.directory / "00000000000000000000.seg";
    write_file(path, kept + torn.substr(0, torn.size() - 7));
    {
        auto queue = open_queue(options);
        CHECK(std::filesystem::file_size(path) == kept.size());
        REQUIRE(queue->append(records(2, 80, "after")) == AppendStatus::appended);
    }
    auto queue = open_queue(options);
    const auto all = read_all(*queue, queue->open_cursor("a"));
    CHECK(offsets_of(all) == std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6});
    CHECK(all[5].record->event_id() == "after0");
}

TEST_CASE("batch_record_count refuses payloads whose count and lengths do not fill them exactly")
{
    std::string payload(batch_count_bytes, '\0');
    CHECK_FALSE(batch_record_count(payload).has_value());  // a count of 0
    store_u32(payload.data(), 2);
    for (const std::string record : {"ab", "cde"}) {
        char length[batch_length_bytes];
        store_u32(length, static_cast<uint32_t>(record.size()));
        payload.append(length, batch_length_bytes);
        payload += record;
    }
    CHECK(batch_record_count(payload) == 2u);
    BatchRecords walk(payload);
    CHECK(walk.next() == "ab");
    CHECK(walk.next() == "cde");
    CHECK(walk.done());
    CHECK_FALSE(batch_record_count(payload + "x").has_value());                          // bytes left over
    CHECK_FALSE(batch_record_count(payload.substr(0, payload.size() - 1)).has_value());  // a record cut short
    CHECK_FALSE(batch_record_count(payload.substr(0, 2)).has_value());                   // no room for the count
}
