// Client IP selection: X-Forwarded-For is believed only from trusted proxies.
#include <doctest/doctest.h>

#include "http/client_address.hpp"

using productgraph::http::client_address;

TEST_CASE("the peer address is used when it is not a trusted proxy")
{
    CHECK(client_address("198.51.100.4", "1.2.3.4", {}) == "198.51.100.4");
    CHECK(client_address("198.51.100.4", "1.2.3.4", {"10.0.0.1"}) == "198.51.100.4");
}

TEST_CASE("behind a trusted proxy the right-most untrusted hop is the client")
{
    const std::vector<std::string> trusted{"10.0.0.1", "10.0.0.2"};
    CHECK(client_address("10.0.0.1", "203.0.113.9", trusted) == "203.0.113.9");
    CHECK(client_address("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", trusted) == "203.0.113.9");
}

TEST_CASE("a trusted proxy without X-Forwarded-For is itself the client")
{
    CHECK(client_address("10.0.0.1", "", {"10.0.0.1"}) == "10.0.0.1");
}
