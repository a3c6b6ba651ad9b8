// Client IP selection: X-Forwarded-For is believed only from trusted proxies,
// given as exact addresses or CIDR blocks.
#include <doctest/doctest.h>

#include "http/client_address.hpp"

using namespace productgraph::http;

namespace {

AddressBlocks blocks(std::string_view list)
{
    auto parsed = parse_address_blocks(list);
    REQUIRE(parsed.has_value());
    return *parsed;
}

}  // namespace

TEST_CASE("the peer address is used when it is not a trusted proxy")
{
    CHECK(client_address("198.51.100.4", "1.2.3.4", {}) == "198.51.100.4");
    CHECK(client_address("198.51.100.4", "1.2.3.4", blocks("10.0.0.1")) == "198.51.100.4");
    CHECK(client_address("198.51.100.4", "1.2.3.4", blocks("10.0.0.0/8")) == "198.51.100.4");
}

TEST_CASE("behind a trusted proxy the right-most untrusted hop is the client")
{
    const auto trusted = blocks("10.0.0.1, 10.0.0.2");
    CHECK(client_address("10.0.0.1", "203.0.113.9", trusted) == "203.0.113.9");
    CHECK(client_address("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", trusted) == "203.0.113.9");
}

TEST_CASE("a trusted proxy without X-Forwarded-For is itself the client")
{
    CHECK(client_address("10.0.0.1", "", blocks("10.0.0.1")) == "10.0.0.1");
}

TEST_CASE("CIDR blocks trust every proxy inside them and no other")
{
    const auto trusted = blocks("10.0.0.0/8, 192.168.4.0/22, fd00::/8");
    CHECK(client_address("10.200.3.4", "203.0.113.9, 10.1.1.1", trusted) == "203.0.113.9");
    CHECK(client_address("192.168.7.255", "203.0.113.9", trusted) == "203.0.113.9");
    CHECK(client_address("192.168.8.1", "203.0.113.9", trusted) == "192.168.8.1");
    CHECK(client_address("11.0.0.1", "203.0.113.9", trusted) == "11.0.0.1");
    CHECK(client_address("fd12:3456::1", "2001:db8::7, fd00::9", trusted) == "2001:db8::7");
    CHECK(client_address("fe80::1", "2001:db8::7", trusted) == "fe80::1");
}

TEST_CASE("an IPv4 peer seen through a dual-stack socket matches IPv4 blocks")
{
    CHECK(client_address("::ffff:10.0.0.5", "203.0.113.9", blocks("10.0.0.0/8")) == "203.0.113.9");
    CHECK(client_address("10.0.0.5", "203.0.113.9", blocks("::ffff:10.0.0.0/104")) == "203.0.113.9");
}

TEST_CASE("a hop that is not an address ends the walk at the last address believed")
{
    const auto trusted = blocks("10.0.0.0/8");
    CHECK(client_address("10.0.0.1", "203.0.113.9, unknown", trusted) == "10.0.0.1");
    CHECK(client_address("10.0.0.1", "garbage, 10.0.0.2", trusted) == "10.0.0.2");
    CHECK(client_address("10.0.0.1", "10.0.0.3, 10.0.0.2", trusted) == "10.0.0.3");  // all trusted: left-most
}

TEST_CASE("address blocks parse exact addresses and CIDR and refuse everything else")
{
    CHECK(parse_address_block("127.0.0.1").has_value());
    CHECK(parse_address_block("127.0.0.0/8").has_value());
    CHECK(parse_address_block("0.0.0.0/0").has_value());
    CHECK(parse_address_block("::1").has_value());
    CHECK(parse_address_block("2001:db8::/32").has_value());
    CHECK(parse_address_block("::/0").has_value());
    for (const char *bad :
         {"notanip", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/8x", "1.2.3", "010.0.0.1", "1.2.3.4.5",
          "256.0.0.1", "2001:db8::/129", "fe80::1%eth0", "[::1]", "1.2.3.4:80", "::ffff:10.0.0.0/95", "", " 1.2.3.4"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_address_block(bad).has_value());
    }
}

TEST_CASE("bits past the prefix are ignored")
{
    const auto block = parse_address_block("10.1.2.3/8");
    REQUIRE(block.has_value());
    CHECK(block->contains(*parse_ip_address("10.255.0.1")));
    CHECK(block->prefix == 8);
}

TEST_CASE("a list names its first bad item or says it is empty")
{
    CHECK(parse_address_blocks("10.0.0.1, notanip, 1.2.3.4/33").error().message ==
          "\"notanip\" is not an IPv4 or IPv6 address or CIDR block (e.g. 10.0.0.0/8)");
    CHECK(parse_address_blocks(" , ").error().message == "empty: list addresses or CIDR blocks, or leave it unset");
    CHECK(parse_address_blocks("10.0.0.1 , 2001:db8::/32").value().size() == 2);
}
