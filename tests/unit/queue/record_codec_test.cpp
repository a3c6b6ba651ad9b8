// The disk queue's byte formats: record payloads, frame headers and CRCs, the fsync policy text.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "queue/byte_order.hpp"
#include "queue/frame_format.hpp"
#include "queue/fsync_policy.hpp"
#include "queue/record_codec.hpp"

using namespace productgraph;
using namespace productgraph::queue;

namespace {

event::EventRecord full_record()
{
    event::EventFields fields;
    fields.json = R"({"type":"track","name":"Ünïcode ✓","properties":{"a":[1,2,3]}})";
    fields.event_id = "01J0000000000000000000000";
    fields.type = "track";
    fields.name = "Ünïcode ✓";
    fields.user_id = "user-42";
    fields.device_id = "device-7";
    fields.session_id = "";  // empty fields must survive too
    fields.client_ip = "2001:db8::1";
    fields.user_agent = "Mozilla/5.0 (X11; Linux x86_64)";
    fields.timestamp_ms = -1234;  // before 1970: the sign survives
    fields.received_ms = 1'732'000'000'123;
    return event::EventRecord(fields);
}

void check_same(const event::EventRecord &a, const event::EventRecord &b)
{
    CHECK(a.json() == b.json());
    CHECK(a.event_id() == b.event_id());
    CHECK(a.type() == b.type());
    CHECK(a.name() == b.name());
    CHECK(a.user_id() == b.user_id());
    CHECK(a.device_id() == b.device_id());
    CHECK(a.session_id() == b.session_id());
    CHECK(a.client_ip() == b.client_ip());
    CHECK(a.user_agent() == b.user_agent());
    CHECK(a.timestamp_ms() == b.timestamp_ms());
    CHECK(a.received_ms() == b.received_ms());
}

}  // namespace

TEST_CASE("a record with every field survives encoding and framing")
{
    const event::EventRecord original = full_record();
    std::string payload;
    encode_record(original, payload);
    CHECK(payload.size() == encoded_record_size(original));

    std::string frame;
    append_frame(frame, 123456789012ull, payload);
    REQUIRE(frame.size() == frame_header_bytes + payload.size());
    const auto header = parse_frame_header(frame.data());
    REQUIRE(header.has_value());
    CHECK(header->offset == 123456789012ull);
    CHECK(header->payload_length == payload.size());
    const std::string_view framed_payload(frame.data() + frame_header_bytes, header->payload_length);
    CHECK(frame_crc_matches(*header, framed_payload));

    auto decoded = decode_record(framed_payload);
    REQUIRE(decoded.has_value());
    check_same(original, **decoded);
}

TEST_CASE("frames built in two steps match frames built in one")
{
    std::string payload;
    encode_record(full_record(), payload);
    std::string one_step;
    append_frame(one_step, 77, payload);
    std::string two_steps;
    const size_t at = begin_frame(two_steps);
    two_steps += payload;
    finish_payload(two_steps, at);
    stamp_frame(two_steps.data() + at, 77);
    CHECK(one_step == two_steps);
}

TEST_CASE("a flipped bit in the payload or the offset fails the frame crc")
{
    std::string payload;
    encode_record(full_record(), payload);
    std::string frame;
    append_frame(frame, 5, payload);

    std::string bad_payload = frame;
    bad_payload[frame_header_bytes + payload.size() / 2] ^= 0x10;
    auto header = parse_frame_header(bad_payload.data());
    REQUIRE(header.has_value());
    CHECK_FALSE(frame_crc_matches(*header, std::string_view(bad_payload).substr(frame_header_bytes)));

    std::string bad_offset = frame;
    bad_offset[12] ^= 0x01;  // lowest byte of the offset
    header = parse_frame_header(bad_offset.data());
    REQUIRE(header.has_value());
    CHECK(header->offset == 4);
    CHECK_FALSE(frame_crc_matches(*header, std::string_view(bad_offset).substr(frame_header_bytes)));
}

TEST_CASE("a header with a wrong magic or an implausible length is not a frame")
{
    std::string frame;
    append_frame(frame, 1, "payload");
    std::string wrong_magic = frame;
    wrong_magic[0] ^= 0x02;  // F9 -> FB (F8 is the batch frame's magic)
    CHECK_FALSE(parse_frame_header(wrong_magic.data()).has_value());
    std::string huge = frame;
    huge[7] = static_cast<char>(0x7f);  // length byte 3: far above max_frame_payload
    CHECK_FALSE(parse_frame_header(huge.data()).has_value());
}

TEST_CASE("payloads with an unknown version or inconsistent lengths are refused")
{
    std::string payload;
    encode_record(full_record(), payload);
    std::string future = payload;
    future[0] = 3;
    CHECK_FALSE(decode_record(future).has_value());
    CHECK_FALSE(decode_record(std::string_view(payload).substr(0, payload.size() - 1)).has_value());
    CHECK_FALSE(decode_record(payload + "x").has_value());
    CHECK_FALSE(decode_record("").has_value());
}

TEST_CASE("the fsync policy text is always or interval with milliseconds or never")
{
    CHECK(parse_fsync_policy("always")->mode == FsyncPolicy::Mode::always);
    CHECK(parse_fsync_policy("never")->mode == FsyncPolicy::Mode::never);
    const auto interval = parse_fsync_policy("interval:250");
    REQUIRE(interval.has_value());
    CHECK(interval->mode == FsyncPolicy::Mode::interval);
    CHECK(interval->interval == std::chrono::milliseconds(250));
    CHECK(describe(*interval) == "interval:250");
    for (const char *bad : {"", "Always", "interval", "interval:", "interval:0", "interval:-5", "interval:10ms",
                            "interval:3600001", "sometimes"}) {
        const auto parsed = parse_fsync_policy(bad);
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().message.find("PRODUCTGRAPH_FSYNC") != std::string::npos);
    }
}

namespace {

// The version 1 encoder: each field in turn, lengths byte by byte, little-endian.
std::string version_1_payload(const productgraph::event::EventRecord &record, char version = '\x01')
{
    std::string out(1, version);
    put_u64(out, static_cast<uint64_t>(record.timestamp_ms()));
    put_u64(out, static_cast<uint64_t>(record.received_ms()));
    for (std::string_view text : {record.json(), record.event_id(), record.type(), record.name(), record.user_id(),
                                  record.device_id(), record.session_id(), record.client_ip(), record.user_agent()}) {
        put_u32(out, static_cast<uint32_t>(text.size()));
        out.append(text);
    }
    return out;
}

}  // namespace

TEST_CASE("fields that are not pieces of the JSON are written as the version 1 encoder wrote them")
{
    for (size_t size : {size_t{0}, size_t{1}, size_t{7}, size_t{300}, size_t{70'000}}) {
        const std::string json(size, 'j'), text(size / 3, 't');
        productgraph::event::EventFields fields;
        fields.json = json;
        fields.event_id = text;
        fields.name = text;
        fields.user_agent = json;  // empty fields in between: lengths of 0
        fields.timestamp_ms = -1'700'000'000'123 + static_cast<int64_t>(size);
        fields.received_ms = 1'700'000'000'456;
        const productgraph::event::EventRecord record(fields);
        std::string encoded = "prefix";  // appends after what the buffer already holds
        encode_record(record, encoded);
        CHECK(encoded == "prefix" + version_1_payload(record, '\x02'));
        CHECK(encoded.size() == 6 + encoded_record_size(record));
    }
}

TEST_CASE("fields that are pieces of the JSON are stored once and come back exactly")
{
    const std::string json = R"({"event_id":"e-1","session.id":"s-9","event.type":"ui.click","user.id":"u-7"})";
    productgraph::event::EventFields fields;
    fields.json = json;
    const std::string_view view(json);
    fields.event_id = view.substr(view.find("e-1"), 3);
    fields.session_id = view.substr(view.find("s-9"), 3);
    fields.type = view.substr(view.find("ui.click"), 8);
    fields.user_id = view.substr(view.find("u-7"), 3);
    fields.device_id = "dev-outside";  // not a piece: written out
    fields.client_ip = "203.0.113.7";
    fields.timestamp_ms = 1'700'000'000'000;
    fields.received_ms = 1'700'000'000'001;
    const productgraph::event::EventRecord record(fields);
    CHECK(record.offset_in_json(record.event_id()) == view.find("e-1"));
    CHECK_FALSE(record.offset_in_json(record.device_id()).has_value());

    std::string payload;
    encode_record(record, payload);
    CHECK(payload.size() == encoded_record_size(record));
    // Four pieces of 3, 3, 8 and 3 bytes become four 4-byte offsets.
    CHECK(payload.size() == version_1_payload(record).size() - (3 + 3 + 8 + 3) + 4 * 4);
    const auto decoded = decode_record(payload);
    REQUIRE(decoded.has_value());
    check_same(record, **decoded);
    CHECK((*decoded)->offset_in_json((*decoded)->session_id()) == view.find("s-9"));

    // A piece that would reach past the JSON is refused.
    std::string broken = payload;
    const size_t event_id_entry = 17 + 4 + json.size();
    store_u32(broken.data() + event_id_entry + 4, static_cast<uint32_t>(json.size()));
    CHECK_FALSE(decode_record(broken).has_value());
}

TEST_CASE("a version 1 payload written before pieces existed still decodes")
{
    const event::EventRecord original = full_record();
    const auto decoded = decode_record(version_1_payload(original));
    REQUIRE(decoded.has_value());
    check_same(original, **decoded);
}
