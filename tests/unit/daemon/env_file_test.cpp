// The env file dialect: what is a value, what is ignored, and which lines are errors.
#include <doctest/doctest.h>

#include "daemon/env_file.hpp"

using productgraph::daemon::parse_env_file;

namespace {

std::string error_of(std::string_view text)
{
    const auto parsed = parse_env_file(text, "test.env");
    REQUIRE_FALSE(parsed.has_value());
    return parsed.error().message;
}

}  // namespace

TEST_CASE("env file lines are NAME=VALUE with comments blank lines and surrounding spaces ignored")
{
    const auto parsed =
        parse_env_file("# comment\n\n  PORT = 8081  \r\n\tDEBUG=true\n   # indented comment\nA_1=", "f");
    REQUIRE(parsed.has_value());
    CHECK(parsed->size() == 3);
    CHECK(parsed->at("PORT") == "8081");
    CHECK(parsed->at("DEBUG") == "true");
    CHECK(parsed->at("A_1").empty());
}

TEST_CASE("env file values may be quoted and an unquoted value is taken as written")
{
    const auto parsed = parse_env_file("D=\"a \\\"b\\\" \\\\ c # not a comment\"\n"
                                       "L='$HOME \\n'\n"
                                       "U=x=y # kept\n"
                                       "E=\"\"\n"
                                       "C=\"quoted\"   # a comment after the quote\n",
                                       "f");
    REQUIRE(parsed.has_value());
    CHECK(parsed->at("D") == "a \"b\" \\ c # not a comment");
    CHECK(parsed->at("L") == "$HOME \\n");
    CHECK(parsed->at("U") == "x=y # kept");
    CHECK(parsed->at("E").empty());
    CHECK(parsed->at("C") == "quoted");
}

TEST_CASE("a later line for the same name wins")
{
    const auto parsed = parse_env_file("X=1\nX=2\n", "f");
    REQUIRE(parsed.has_value());
    CHECK(parsed->at("X") == "2");
}

TEST_CASE("bad env file lines are errors naming the file and the line")
{
    CHECK(error_of("OK=1\nno equals sign\n") == "test.env:2: expected NAME=VALUE");
    CHECK(error_of("1X=2") ==
          "test.env:1: \"1X\" is not a variable name (letters, digits and _, not starting with a digit)");
    CHECK(error_of("=value").starts_with("test.env:1: \"\" is not a variable name"));
    CHECK(error_of("export X=1").starts_with("test.env:1: \"export X\" is not a variable name"));
    CHECK(error_of("\n\nX=\"open") == "test.env:3: unterminated \" quote");
    CHECK(error_of("X='a' b") == "test.env:1: text after the closing quote");
}
