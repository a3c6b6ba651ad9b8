// Generated event ids: RFC 9562 UUIDv7 layout, time prefix, order and uniqueness.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <thread>

#include "event/uuid_v7.hpp"

using productgraph::event::append_uuid_v7;

namespace {

std::string uuid_at(int64_t ms)
{
    std::string out;
    append_uuid_v7(out, ms);
    return out;
}

// The generator's state is per thread; a new thread starts from none, so earlier
// tests' later timestamps cannot carry over.
std::string uuid_on_fresh_thread(int64_t ms)
{
    std::string out;
    std::thread([&] { append_uuid_v7(out, ms); }).join();
    return out;
}

bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

}  // namespace

TEST_CASE("a generated id is a version 7 RFC 9562 UUID in its 36-character form")
{
    const std::string id = uuid_on_fresh_thread(1705314615123);
    REQUIRE(id.size() == 36);
    for (size_t i = 0; i < id.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            CHECK(id[i] == '-');
        } else {
            CHECK(is_lower_hex(id[i]));
        }
    }
    CHECK(id[14] == '7');                                          // version
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // variant 10xx
}

TEST_CASE("a generated id starts with its 48-bit millisecond timestamp")
{
    // 1705314615123 = 0x018D0CABFF53
    CHECK(uuid_on_fresh_thread(1705314615123).starts_with("018d0cab-ff53-7"));
    CHECK(uuid_on_fresh_thread(1705314615124).starts_with("018d0cab-ff54-7"));
}

TEST_CASE("ids made in one millisecond keep increasing past the counter's range")
{
    const int64_t ms = 1800000000000;
    std::string previous = uuid_at(ms);
    std::set<std::string> seen{previous};
    for (int i = 0; i < 10000; ++i) {  // more than the 12-bit counter holds
        const std::string id = uuid_at(ms);
        CHECK(id > previous);
        previous = id;
        seen.insert(id);
    }
    CHECK(seen.size() == 10001);
}

TEST_CASE("ids stay increasing when the clock steps back")
{
    const std::string later = uuid_at(1900000000000);
    CHECK(uuid_at(1899999999000) > later);
}

TEST_CASE("the random part differs between ids")
{
    // The last 12 hex digits are random bits only (rand_b).
    std::set<std::string> tails;
    for (int i = 0; i < 1000; ++i) tails.insert(uuid_at(2000000000000 + i).substr(24));
    CHECK(tails.size() == 1000);
}
