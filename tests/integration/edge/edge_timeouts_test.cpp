// Timeouts and the in-flight body budget on the real daemon (issue 9, items 4-5),
// with short timeouts set through the variables so the tests stay fast.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "edge_daemon.hpp"

using namespace productgraph::testing;
using namespace std::chrono_literals;

TEST_CASE("a keep-alive connection that trickles its next request head is cut by the header timeout")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_HEADER_TIMEOUT_MS", "600"}, {"PRODUCTGRAPH_KEEPALIVE_TIMEOUT_MS", "60000"}});
    RawConnection client(daemon.port());
    client.send(raw_request("GET", "/health"));
    REQUIRE(client.read_response().has_value());

    // One byte every 100 ms keeps the socket busy but never finishes the head.
    const auto started = std::chrono::steady_clock::now();
    const std::string trickle = "GET /health HTTP/1.1\r\nX-Slow: " + std::string(200, 'a');
    std::optional<RawResponse> answer;
    for (const char byte : trickle) {
        if (!client.send(std::string(1, byte))) break;
        answer = client.read_response(100ms);
        if (answer) break;
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE(answer.has_value());
    CHECK(answer->status == 408);
    CHECK(answer->header("connection") == "close");
    CHECK(elapsed < 5s);  // the trickle alone would last 20 s
    CHECK(client.closed_by_peer());
}

TEST_CASE("an idle keep-alive connection is closed after the keep-alive timeout")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_KEEPALIVE_TIMEOUT_MS", "300"}});
    RawConnection client(daemon.port());
    client.send(raw_request("GET", "/health"));
    REQUIRE(client.read_response().has_value());
    const auto started = std::chrono::steady_clock::now();
    CHECK(client.closed_by_peer(10s));
    CHECK(std::chrono::steady_clock::now() - started < 5s);  // not the 60 s default
}

TEST_CASE("a connection that never sends a request is closed by the header timeout")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_HEADER_TIMEOUT_MS", "300"}});
    RawConnection client(daemon.port());
    CHECK(client.closed_by_peer(5s));
    CHECK(client.pending().empty());
}

TEST_CASE("a stalled upload gets 408 from the body timeout and its bytes are released")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_BODY_TIMEOUT_MS", "400"}, {"PRODUCTGRAPH_MAX_INFLIGHT_BYTES", "65536"}});
    {
        RawConnection stalled(daemon.port());
        stalled.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: 60000\r\n\r\n{\"events\":[");
        const auto answer = stalled.read_response(5s);
        REQUIRE(answer.has_value());
        CHECK(answer->status == 408);
        CHECK(is_json_error(*answer));
    }
    // The timed-out body no longer holds the budget.
    RawConnection next(daemon.port());
    const std::string body(60000, ' ');
    next.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: 60000\r\n\r\n" + body);
    const auto answer = next.read_response();
    REQUIRE(answer.has_value());
    CHECK(answer->status == 400);  // blank is not JSON, but it was read
}

TEST_CASE("past the in-flight body budget new bodies get 503 with Retry-After and nothing is buffered")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_MAX_INFLIGHT_BYTES", "65536"}});
    RawConnection first(daemon.port());
    // The interim 100 is written only after the body's bytes are reserved, so once it
    // arrives the budget is held, whichever event loop serves the next connection.
    first.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 50000\r\n\r\n");
    REQUIRE(first.read_through("HTTP/1.1 100 Continue\r\n\r\n"));
    RawConnection second(daemon.port());
    second.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: 20000\r\n\r\n");
    const auto refused = second.read_response();
    REQUIRE(refused.has_value());
    CHECK(refused->status == 503);
    CHECK(refused->header("retry-after") == "1");
    CHECK(refused->header("connection") == "close");
    CHECK(is_json_error(*refused));
    // A body that fits beside the stalled one is still served.
    RawConnection small(daemon.port());
    small.send(raw_request("POST", "/v1/events", "", "{\"events\":[]}"));
    const auto answer = small.read_response();
    REQUIRE(answer.has_value());
    CHECK(answer->status == 202);
}
