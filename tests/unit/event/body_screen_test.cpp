// Body content: lone surrogates, NUL bytes and data after the document are refused
// as a whole request; valid escapes and trailing whitespace are not.
#include <doctest/doctest.h>

#include <string>

#include "event/batch_parser.hpp"
#include "event/body_screen.hpp"

using namespace productgraph::event;

namespace {

const std::string event_head = R"({"events":[{"session.id":"s","event.type":"custom","user.id":)";

std::string refusal(std::string body)
{
    auto result = parse_batch(body, RequestContext{});
    REQUIRE_FALSE(result.has_value());
    return result.error().message;
}

ParsedBatch accepted(std::string body)
{
    auto result = parse_batch(body, RequestContext{});
    REQUIRE(result.has_value());
    return std::move(*result);
}

}  // namespace

TEST_CASE("a lone low surrogate escape is refused with its position")
{
    const std::string body = event_head + R"("a\udc00b"}]})";
    const std::string message = refusal(body);
    CHECK(message == "invalid JSON at byte " + std::to_string(body.find("\\udc00")) +
                         ": lone UTF-16 surrogate \"\\udc00\" (a \\uD800-\\uDBFF escape must be followed by a "
                         "\\uDC00-\\uDFFF escape, and only then)");
}

TEST_CASE("a lone high surrogate escape is refused wherever it stands")
{
    CHECK(refusal(event_head + R"("\uD800"}]})").find("lone UTF-16 surrogate \"\\uD800\"") != std::string::npos);
    CHECK(refusal(event_head + R"("\ud83dx"}]})").find("lone UTF-16 surrogate") != std::string::npos);
    CHECK(refusal(event_head + R"("\ud83d\u0041"}]})").find("lone UTF-16 surrogate") != std::string::npos);
    CHECK(refusal(event_head + R"("\ud83d\ud83d"}]})").find("lone UTF-16 surrogate") != std::string::npos);
    // In a member name too.
    CHECK(refusal(R"({"events":[],"\udfff":1})").find("lone UTF-16 surrogate") != std::string::npos);
}

TEST_CASE("a surrogate pair is decoded to one valid UTF-8 character")
{
    const ParsedBatch batch = accepted(event_head + R"("\ud83d\ude00"}]})");
    REQUIRE(batch.accepted.size() == 1);
    CHECK(batch.accepted[0]->user_id() == "\xf0\x9f\x98\x80");
}

TEST_CASE("an escaped backslash followed by u and hex digits is text and not an escape")
{
    const ParsedBatch batch = accepted(event_head + R"("\\udc00 \\\\ud800"}]})");
    REQUIRE(batch.accepted.size() == 1);
    CHECK(batch.accepted[0]->user_id() == R"(\udc00 \\ud800)");
}

TEST_CASE("a NUL byte ends nothing: the body is refused and says why")
{
    std::string body = R"({"events":[]})";
    body.push_back('\0');
    body += R"({"events":[{"session.id":"s","event.type":"custom"}]})";
    CHECK(refusal(body) == "invalid JSON at byte 13: a NUL byte; the body must be one JSON document followed only "
                           "by whitespace");
    std::string inside = event_head + "\"a";
    inside.push_back('\0');
    inside += "b\"}]}";
    CHECK(refusal(inside).find("a NUL byte") != std::string::npos);
}

TEST_CASE("data after the JSON document is refused")
{
    CHECK(refusal(R"({"events":[]} {"events":[]})") ==
          "invalid JSON at byte 14: more data after the JSON document; the body must be one JSON document "
          "followed only by whitespace");
    CHECK(refusal(R"({"events":[]}x)").find("more data after the JSON document") != std::string::npos);
}

TEST_CASE("whitespace around the document is allowed")
{
    CHECK(accepted(" \r\n\t{\"events\":[]} \r\n\t").accepted.empty());
}

TEST_CASE("a body without backslashes or NUL bytes passes the screen")
{
    CHECK_FALSE(screen_body(R"({"events":[{"a":"plain"}]})").has_value());
    CHECK_FALSE(screen_body(R"("\u00e9\n\"")").has_value());
    CHECK(screen_body("\"\\").has_value() == false);  // a cut escape is the parser's to report
}
