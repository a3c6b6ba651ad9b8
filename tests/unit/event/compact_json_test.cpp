// The canonical writer: escapes, numbers and nesting come out as compact valid JSON.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include <rapidjson/document.h>

#include "event/compact_json.hpp"

namespace {

std::string compact(const char *json)
{
    rapidjson::Document document;
    document.Parse(json);
    REQUIRE_FALSE(document.HasParseError());
    std::string out;
    productgraph::event::append_compact_json(out, document);
    return out;
}

// The byte-at-a-time escaper the word-at-a-time one replaced: the reference it must match.
std::string reference_string(const std::string &text)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (byte) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (byte < 0x20) {
                out += "\\u00";
                out.push_back(hex[byte >> 4]);
                out.push_back(hex[byte & 0xF]);
            } else {
                out.push_back(c);
            }
        }
    }
    out += "\"";
    return out;
}

std::string compact_string(const std::string &text)
{
    const rapidjson::Value value(rapidjson::StringRef(text.data(), static_cast<rapidjson::SizeType>(text.size())));
    std::string out;
    productgraph::event::append_compact_json(out, value);
    return out;
}

}  // namespace

TEST_CASE("whitespace goes and structure stays")
{
    CHECK(compact(R"( { "a" : [ 1 , { } , [ ] , null , true , false ] , "b" : { "c" : "d" } } )") ==
          R"({"a":[1,{},[],null,true,false],"b":{"c":"d"}})");
}

TEST_CASE("strings escape exactly what JSON requires")
{
    CHECK(compact(R"(["quote \" backslash \\ slash \/ tab \t nl \n cr \r bs \b ff \f"])") ==
          R"(["quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f"])");
    CHECK(compact(R"(["\u0001\u001f"])") == R"(["\u0001\u001f"])");
    CHECK(compact("[\"caf\xc3\xa9 \\u00e9 \xf0\x9f\x98\x80\"]") == "[\"caf\xc3\xa9 \xc3\xa9 \xf0\x9f\x98\x80\"]");
    CHECK(compact(R"({"k\"ey":"v"})") == R"({"k\"ey":"v"})");
}

TEST_CASE("numbers keep their value")
{
    CHECK(compact("[0,-1,9223372036854775807,-9223372036854775808,18446744073709551615]") ==
          "[0,-1,9223372036854775807,-9223372036854775808,18446744073709551615]");
    CHECK(compact("[0.1,10.5,-2.25,1e300,1.5e-7]") == "[0.1,10.5,-2.25,1e+300,1.5e-07]");
    CHECK(compact("[1200.0]") == "[1200]");  // shortest form: same number
}

TEST_CASE("every byte value at every position within a word is escaped as the byte-by-byte writer did")
{
    // The writer tests eight bytes at a time: each byte value goes at each offset of
    // the word and of the tail, after plain text, next to another byte needing escape,
    // and next to bytes with the high bit set (which must not hide a control byte).
    for (int value = 0; value < 256; ++value) {
        for (size_t length = 1; length <= 24; ++length) {
            for (size_t at = 0; at < length; ++at) {
                for (const char filler : {'a', '\x7f', '\xe9', '\x20', '\x1f'}) {
                    std::string text(length, filler);
                    text[at] = static_cast<char>(value);
                    REQUIRE(compact_string(text) == reference_string(text));
                }
            }
        }
    }
}

TEST_CASE("random strings full of escapes and multi-byte text match the byte-by-byte writer")
{
    std::mt19937 random(12345);
    const std::string alphabet =
        std::string("abcXYZ09 /-_.:\"\\\n\r\t\b\f\x01\x1f\x7f\x80\xc3\xa9\xf0\x9f\x98\x80") + std::string(1, '\0');
    for (int i = 0; i < 20000; ++i) {
        std::string text(random() % 80, ' ');
        for (char &c : text) c = alphabet[random() % alphabet.size()];
        REQUIRE(compact_string(text) == reference_string(text));
    }
}
