// RFC 3339 parsing: zones, fractions, offsets and the forms that must be refused.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "event/timestamp.hpp"

using productgraph::event::parse_rfc3339_ms;

TEST_CASE("a UTC timestamp converts to Unix milliseconds")
{
    CHECK(parse_rfc3339_ms("2024-01-15T10:30:15Z") == 1705314615000);
    CHECK(parse_rfc3339_ms("1970-01-01T00:00:00Z") == 0);
}

TEST_CASE("fractions keep milliseconds and truncate finer digits")
{
    CHECK(parse_rfc3339_ms("2024-01-15T10:30:15.1Z") == 1705314615100);
    CHECK(parse_rfc3339_ms("2024-01-15T10:30:15.123Z") == 1705314615123);
    CHECK(parse_rfc3339_ms("2024-01-15T10:30:15.123456789Z") == 1705314615123);
}

TEST_CASE("offsets are applied to reach UTC")
{
    CHECK(parse_rfc3339_ms("2024-01-15T12:30:15+02:00") == 1705314615000);
    CHECK(parse_rfc3339_ms("2024-01-15T05:00:15-05:30") == 1705314615000);
    CHECK(parse_rfc3339_ms("2024-01-15t10:30:15z") == 1705314615000);
}

TEST_CASE("leap days are valid only in leap years")
{
    CHECK(parse_rfc3339_ms("2024-02-29T00:00:00Z").has_value());
    CHECK_FALSE(parse_rfc3339_ms("2023-02-29T00:00:00Z").has_value());
    CHECK(parse_rfc3339_ms("2000-02-29T00:00:00Z").has_value());
    CHECK_FALSE(parse_rfc3339_ms("1900-02-29T00:00:00Z").has_value());
}

TEST_CASE("timestamps without a zone or with bad parts are refused")
{
    CHECK_FALSE(parse_rfc3339_ms("2024-01-15T10:30:15").has_value());
    CHECK_FALSE(parse_rfc3339_ms("2024-01-15").has_value());
    CHECK_FALSE(parse_rfc3339_ms("2024-13-15T10:30:15Z").has_value());
    CHECK_FALSE(parse_rfc3339_ms("2024-01-32T10:30:15Z").has_value());
    CHECK_FALSE(parse_rfc3339_ms("2024-01-15T24:00:00Z").has_value());
    CHECK_FALSE(parse_rfc3339_ms("2024-01-15T10:30:15.Z").has_value());
    CHECK_FALSE(parse_rfc3339_ms("2024-01-15T10:30:15+0200").has_value());
    CHECK_FALSE(parse_rfc3339_ms("2024-01-15T10:30:15Zjunk").has_value());
    CHECK_FALSE(parse_rfc3339_ms("1705314615000").has_value());
    CHECK_FALSE(parse_rfc3339_ms("").has_value());
}

TEST_CASE("a receive time is written as RFC 3339 UTC with milliseconds and reads back the same")
{
    using productgraph::event::append_rfc3339_ms;
    auto format = [](int64_t ms) {
        std::string out;
        append_rfc3339_ms(out, ms);
        return out;
    };
    CHECK(format(0) == "1970-01-01T00:00:00.000Z");
    CHECK(format(1705314615123) == "2024-01-15T10:30:15.123Z");
    CHECK(format(951782400000) == "2000-02-29T00:00:00.000Z");
    CHECK(format(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(format(253402300799999) == "9999-12-31T23:59:59.999Z");
    CHECK(format(INT64_MAX) == "9999-12-31T23:59:59.999Z");  // clamped, never garbage
    for (int64_t ms : {int64_t{0}, int64_t{1705314615123}, int64_t{4102444800999}, int64_t{-86400001}}) {
        CHECK(parse_rfc3339_ms(format(ms)) == ms);
    }
}
