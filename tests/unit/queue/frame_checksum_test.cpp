// Frame checksums: new frames carry CRC-32C under their own magic; frames of the older zlib format still verify.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "queue/byte_order.hpp"
#include "queue/crc32c.hpp"
#include "queue/frame_format.hpp"

using namespace productgraph::queue;

namespace {

std::string_view payload_of(const std::string &frame)
{
    return std::string_view(frame).substr(frame_header_bytes);
}

}  // namespace

TEST_CASE("frames are written with the crc32c magic and a crc32c over payload and offset")
{
    std::string frame;
    append_frame(frame, 0x0102030405060708ull, "new daemon frame");
    CHECK(frame.substr(0, 4) == std::string("\xF9\x6B\xC0\xE3", 4));
    const auto header = parse_frame_header(frame.data());
    REQUIRE(header.has_value());
    CHECK(header->checksum == FrameChecksum::crc32c);
    const std::string covered = std::string("new daemon frame") + std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8);
    CHECK(header->crc == crc32c(0, covered.data(), covered.size()));
    CHECK(frame_crc_matches(*header, payload_of(frame)));
}

TEST_CASE("a frame written by the daemon before crc32c still parses and verifies")
{
    // Bytes produced by append_frame at commit c18dd5c (zlib crc32, magic E7 9A 4B D1).
    const std::string old_frame("\xE7\x9A\x4B\xD1\x10\x00\x00\x00\xE8\x8C\xFD\x79\x08\x07\x06\x05\x04\x03\x02\x01"
                                "old daemon frame",
                                36);
    const auto header = parse_frame_header(old_frame.data());
    REQUIRE(header.has_value());
    CHECK(header->checksum == FrameChecksum::zlib_crc32);
    CHECK(header->offset == 0x0102030405060708ull);
    CHECK(header->payload_length == 16);
    CHECK(frame_crc_matches(*header, payload_of(old_frame)));

    std::string rewritten;
    append_frame(rewritten, 0x0102030405060708ull, "old daemon frame", FrameChecksum::zlib_crc32);
    CHECK(rewritten == old_frame);

    std::string flipped = old_frame;
    flipped[frame_header_bytes + 3] ^= 0x01;
    CHECK_FALSE(frame_crc_matches(*header, payload_of(flipped)));
}

TEST_CASE("the magic decides which crc a frame is checked with")
{
    std::string frame;
    append_frame(frame, 9, "payload");
    std::string relabelled = frame;
    store_u32(relabelled.data(), frame_magic_zlib);  // a crc32c frame claiming to be zlib's
    const auto header = parse_frame_header(relabelled.data());
    REQUIRE(header.has_value());
    CHECK(header->checksum == FrameChecksum::zlib_crc32);
    CHECK_FALSE(frame_crc_matches(*header, payload_of(relabelled)));

    std::string old_frame;
    append_frame(old_frame, 9, "payload", FrameChecksum::zlib_crc32);
    CHECK(old_frame.substr(frame_header_bytes) == frame.substr(frame_header_bytes));
    CHECK(old_frame.substr(8, 4) != frame.substr(8, 4));  // different CRCs over the same bytes
    store_u32(old_frame.data(), frame_magic);
    CHECK_FALSE(frame_crc_matches(*parse_frame_header(old_frame.data()), payload_of(old_frame)));
}

TEST_CASE("the frame magics hold bytes that never occur in valid UTF-8 text")
{
    std::string current(4, '\0'), older(4, '\0');
    store_u32(current.data(), frame_magic);
    store_u32(older.data(), frame_magic_zlib);
    // F9 and C0 are never valid in UTF-8; E7 needs two continuation bytes (80..BF) after it.
    CHECK(current.find('\xF9') != std::string::npos);
    CHECK(current.find('\xC0') != std::string::npos);
    CHECK(older[0] == '\xE7');
    CHECK((static_cast<unsigned char>(older[2]) & 0xC0u) != 0x80u);
}
