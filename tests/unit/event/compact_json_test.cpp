// The canonical writer: escapes, numbers and nesting come out as compact valid JSON.
#include <doctest/doctest.h>

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
