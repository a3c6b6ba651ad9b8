// host:port parsing for PRODUCTGRAPH_ADMIN_ADDRESS and hosts for PRODUCTGRAPH_LISTEN_ADDRESS.
#include <doctest/doctest.h>

#include "http/listen_address.hpp"

using namespace productgraph::http;

TEST_CASE("IPv4 and bracketed IPv6 addresses with ports are accepted")
{
    const auto v4 = parse_listen_address("127.0.0.1:8081");
    REQUIRE(v4.has_value());
    CHECK(v4->host == "127.0.0.1");
    CHECK(v4->port == 8081);
    const auto v6 = parse_listen_address("[::1]:0");
    REQUIRE(v6.has_value());
    CHECK(v6->host == "::1");
    CHECK(v6->text() == "[::1]:0");
}

TEST_CASE("names and bare IPv6 and missing or out-of-range ports are refused")
{
    for (const char *text : {"localhost:8081", "::1:8081", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                             ":8081", "[::1]", "1.2.3.4:80x"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_listen_address(text).has_value());
    }
}

TEST_CASE("listen hosts may be bracketed")
{
    CHECK(parse_listen_host("[::]").value() == "::");
    CHECK(parse_listen_host("0.0.0.0").value() == "0.0.0.0");
    CHECK_FALSE(parse_listen_host("example.com").has_value());
}
