// UTF-8 validation: valid text of every length class and each kind of invalid byte.
#include <doctest/doctest.h>

#include <string>

#include "event/utf8.hpp"

using productgraph::event::find_invalid_utf8;

TEST_CASE("ASCII and well-formed multi-byte text are valid")
{
    CHECK_FALSE(find_invalid_utf8("").has_value());
    CHECK_FALSE(find_invalid_utf8("plain ascii that is longer than eight bytes").has_value());
    CHECK_FALSE(find_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 end").has_value());
    CHECK_FALSE(find_invalid_utf8("\xf4\x8f\xbf\xbf").has_value());  // U+10FFFF
}

TEST_CASE("invalid bytes are found at their offset")
{
    CHECK(find_invalid_utf8("abc\xff") == 3);
    CHECK(find_invalid_utf8("0123456789\x80") == 10);   // lone continuation byte
    CHECK(find_invalid_utf8("ab\xc3") == 2);            // truncated sequence
    CHECK(find_invalid_utf8("\xc0\xaf") == 0);          // overlong '/'
    CHECK(find_invalid_utf8("\xe0\x80\xaf") == 0);      // overlong three-byte
    CHECK(find_invalid_utf8("\xed\xa0\x80") == 0);      // UTF-16 surrogate
    CHECK(find_invalid_utf8("\xf4\x90\x80\x80") == 0);  // above U+10FFFF
    CHECK(find_invalid_utf8("\xe2\x82x") == 0);         // bad continuation
    CHECK(find_invalid_utf8(std::string(64, 'a') + "\xf5") == 64);
}
