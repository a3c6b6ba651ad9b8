// The request-head framer on byte inputs, including every split point of a request.
#include <doctest/doctest.h>

#include <string>

#include "http/request_framer.hpp"

using namespace productgraph::http;

namespace {

struct Outcome {
    HeadState state;
    RequestHead head;
    FramingError error;
};

Outcome frame(std::string_view bytes, FramingLimits limits = {})
{
    HeadFramer framer(limits);
    Outcome outcome{};
    outcome.state = framer.feed(bytes, outcome.head, outcome.error);
    return outcome;
}

Status refused_with(std::string_view bytes, FramingLimits limits = {})
{
    const Outcome outcome = frame(bytes, limits);
    REQUIRE(outcome.state == HeadState::failed);
    return outcome.error.status;
}

}  // namespace

TEST_CASE("a complete head gives the method and target and headers and body length")
{
    const std::string bytes =
        "POST /v1/events?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nX-Pad:  spaced value \t\r\n\r\n{\"events\"";
    const Outcome outcome = frame(bytes);
    REQUIRE(outcome.state == HeadState::complete);
    CHECK(outcome.head.method == Method::post);
    CHECK(outcome.head.path == "/v1/events");
    CHECK(outcome.head.query == "x=1");
    CHECK(outcome.head.content_length == 12);
    CHECK(outcome.head.keep_alive);
    CHECK(outcome.head.head_bytes == bytes.find("{"));
    REQUIRE(outcome.head.headers.size() == 3);
    CHECK(outcome.head.headers[2].value == "spaced value");
}

TEST_CASE("split at every byte boundary the head frames exactly as in one piece")
{
    const std::string bytes =
        "\r\nGET /health HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 0\r\n\r\nNEXT";
    const Outcome whole = frame(bytes);
    REQUIRE(whole.state == HeadState::complete);
    for (size_t split = 0; split < bytes.size(); ++split) {
        CAPTURE(split);
        HeadFramer framer({});
        RequestHead head;
        FramingError error;
        const HeadState first = framer.feed(std::string_view(bytes).substr(0, split), head, error);
        if (split < whole.head.head_bytes) {
            REQUIRE(first == HeadState::incomplete);
            REQUIRE(framer.feed(bytes, head, error) == HeadState::complete);
        } else {
            REQUIRE(first == HeadState::complete);
        }
        CHECK(head.head_bytes == whole.head.head_bytes);
        CHECK(head.path == "/health");
        CHECK_FALSE(head.keep_alive);
    }
}

TEST_CASE("Content-Length must be one decimal value within the body limit")
{
    FramingLimits limits;
    limits.max_body_bytes = 1000;
    const auto head = [](std::string value) {
        return "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + value + "\r\n\r\n";
    };
    CHECK(frame(head("1000"), limits).head.content_length == 1000);
    CHECK(frame(head("0001000"), limits).head.content_length == 1000);
    CHECK(refused_with(head("1001"), limits) == Status::payload_too_large);
    CHECK(refused_with(head("18446744073709551616"), limits) == Status::payload_too_large);
    CHECK(refused_with(head("-1"), limits) == Status::bad_request);
    CHECK(refused_with(head("1e3"), limits) == Status::bad_request);
    CHECK(refused_with(head("10, 10"), limits) == Status::bad_request);
    CHECK(refused_with(head(""), limits) == Status::bad_request);
    CHECK(refused_with("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\n") ==
          Status::bad_request);
}

TEST_CASE("Transfer-Encoding is refused with 400 beside Content-Length and 411 alone")
{
    CHECK(refused_with("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n") ==
          Status::bad_request);
    CHECK(refused_with("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n") == Status::length_required);
}

TEST_CASE("the header section is capped in bytes and in fields before it ends")
{
    FramingLimits limits;
    limits.max_header_bytes = 1024;
    limits.max_header_count = 10;
    CHECK(refused_with("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(2000, 'a'), limits) ==
          Status::header_fields_too_large);
    std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
    for (int i = 0; i < 11; ++i) many += "X: y\r\n";
    CHECK(refused_with(many, limits) == Status::header_fields_too_large);
    CHECK(frame("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(900, 'a'), limits).state == HeadState::incomplete);
}

TEST_CASE("malformed request lines and header lines are refused")
{
    CHECK(refused_with("GET / HTTP/1.1\nHost: h\n\n") == Status::bad_request);
    CHECK(refused_with("GET /  HTTP/1.1\r\nHost: h\r\n\r\n") == Status::bad_request);
    CHECK(refused_with("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n") == Status::bad_request);
    CHECK(refused_with("GET / HTTP/1.1\r\nHost : h\r\n\r\n") == Status::bad_request);
    CHECK(refused_with("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01z\r\n\r\n") == Status::bad_request);
    CHECK(refused_with("GET / HTTP/1.1\r\n\r\n") == Status::bad_request);  // no Host
    CHECK(refused_with("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == Status::bad_request);
    CHECK(refused_with("GET / HTTP/3.0\r\nHost: h\r\n\r\n") == Status::version_not_supported);
    CHECK(refused_with("GET / HTTX/1.1\r\nHost: h\r\n\r\n") == Status::bad_request);
    CHECK(refused_with("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n") == Status::bad_request);
    CHECK(refused_with("POST / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n") == Status::expectation_failed);
}

TEST_CASE("HTTP/1.0 closes unless it asks for keep-alive and HTTP/1.1 keeps alive unless it asks to close")
{
    CHECK_FALSE(frame("GET / HTTP/1.0\r\n\r\n").head.keep_alive);
    CHECK(frame("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").head.keep_alive);
    CHECK(frame("GET / HTTP/1.1\r\nHost: h\r\n\r\n").head.keep_alive);
    CHECK_FALSE(frame("GET / HTTP/1.1\r\nHost: h\r\nConnection: te, close\r\n\r\n").head.keep_alive);
}
