// gzip request bodies: inflated under a hard cap, anything else refused.
#include <doctest/doctest.h>

#include <zlib.h>

#include "http/body_decoding.hpp"

using namespace productgraph::http;

namespace {

std::string gzip(const std::string &data)
{
    z_stream stream{};
    deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 64, '\0');
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

}  // namespace

TEST_CASE("a gzip body is replaced by its inflated bytes")
{
    std::string body = gzip("{\"events\":[]}");
    CHECK_FALSE(decode_body(body, "gzip", 1000).has_value());
    CHECK(body == "{\"events\":[]}");
    CHECK(body.capacity() >= body.size() + Request::body_padding);
}

TEST_CASE("inflating stops just past the limit")
{
    std::string body = gzip(std::string(100'000, 'a'));
    const auto error = decode_body(body, "gzip", 50'000);
    REQUIRE(error.has_value());
    CHECK(error->status == Status::payload_too_large);
    std::string exact = gzip(std::string(50'000, 'a'));
    CHECK_FALSE(decode_body(exact, "GZIP", 50'000).has_value());
    CHECK(exact.size() == 50'000);
}

TEST_CASE("identity or no encoding leaves the body alone and others are 415 and corrupt gzip 400")
{
    std::string body = "abc";
    CHECK_FALSE(decode_body(body, std::nullopt, 10).has_value());
    CHECK_FALSE(decode_body(body, "identity", 10).has_value());
    CHECK(body == "abc");
    CHECK(decode_body(body, "br", 10)->status == Status::unsupported_media_type);
    std::string corrupt = gzip("hello world");
    corrupt.resize(corrupt.size() - 4);
    CHECK(decode_body(corrupt, "gzip", 1000)->status == Status::bad_request);
    std::string trailing = gzip("hello") + "junk";
    CHECK(decode_body(trailing, "gzip", 1000)->status == Status::bad_request);
}
