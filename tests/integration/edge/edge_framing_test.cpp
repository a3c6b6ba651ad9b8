// Framing on the real daemon over raw sockets: after any framing error the daemon
// answers once in JSON, closes, and never runs what follows (issue 9, items 1-3, 6).
#include <doctest/doctest.h>

#include <string>

#include "edge_daemon.hpp"
#include "event_samples.hpp"

using namespace productgraph::testing;

namespace {

const std::string smuggled = raw_request("GET", "/nope/smuggled");

// The access log would show the smuggled request had it run.
bool smuggled_request_ran(const EdgeDaemon &daemon)
{
    return daemon.process->all_logs().find("/nope/smuggled") != std::string::npos;
}

}  // namespace

TEST_CASE("a body over the limit gets 413 before it is read and the rest of the stream never runs")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_ACCESS_LOG", "true"}});
    RawConnection client(daemon.port());
    std::string body;
    while (body.size() < 256 * 1024) body += smuggled;
    client.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: 20000000\r\n\r\n" + body);
    const auto answers = client.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 413);
    CHECK(answers[0].header("connection") == "close");
    CHECK(is_json_error(answers[0]));
    CHECK_FALSE(smuggled_request_ran(daemon));
}

TEST_CASE("Content-Length with Transfer-Encoding gets 400 and the follow-up request never runs")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_ACCESS_LOG", "true"}});
    RawConnection client(daemon.port());
    client.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                "0\r\n\r\n" +
                smuggled);
    client.finish_sending();
    const auto answers = client.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 400);
    CHECK(is_json_error(answers[0]));
    CHECK_FALSE(smuggled_request_ran(daemon));
}

TEST_CASE("two Content-Length headers get 400 and the follow-up request never runs")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_ACCESS_LOG", "true"}});
    RawConnection client(daemon.port());
    client.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: " +
                std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled);
    client.finish_sending();
    const auto answers = client.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 400);
    CHECK_FALSE(smuggled_request_ran(daemon));
}

TEST_CASE("chunked bodies are refused with 411 in JSON")
{
    EdgeDaemon daemon;
    RawConnection client(daemon.port());
    client.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    client.finish_sending();
    const auto answers = client.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 411);
    CHECK(is_json_error(answers[0]));
}

TEST_CASE("malformed Content-Length values get 400 or 413 in JSON and never a 5xx")
{
    EdgeDaemon daemon;
    const std::map<std::string, int> cases{{"-1", 400},           {"18446744073709551616", 413},
                                           {"100000000000", 413}, {"10000001", 413},
                                           {"1 2", 400},          {"0x10", 400},
                                           {"+5", 400},           {"", 400},
                                           {"5,5", 400},          {"99999999999999999999999999", 413}};
    for (const auto &[value, expected] : cases) {
        CAPTURE(value);
        RawConnection client(daemon.port());
        client.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: " + value + "\r\n\r\n{}");
        client.finish_sending();
        const auto answers = client.read_until_closed();
        REQUIRE(answers.size() == 1);
        CHECK(answers[0].status == expected);
        CHECK(is_json_error(answers[0]));
    }
    CHECK(daemon.process->all_logs().find("\"level\":\"error\"") == std::string::npos);
}

TEST_CASE("a header section over 64 KiB gets 431 and the connection closes")
{
    EdgeDaemon daemon;
    RawConnection client(daemon.port());
    client.send("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(100 * 1024, 'a') + "\r\n\r\n");
    client.finish_sending();
    const auto answers = client.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 431);
    CHECK(is_json_error(answers[0]));
}

TEST_CASE("more than 100 header fields get 431 before the section ends")
{
    EdgeDaemon daemon;
    RawConnection client(daemon.port());
    std::string headers;
    for (int i = 0; i < 150; ++i) headers += "X-H" + std::to_string(i) + ": v\r\n";
    client.send("GET /health HTTP/1.1\r\nHost: t\r\n" + headers);  // no blank line: the count alone decides
    client.finish_sending();
    const auto answers = client.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 431);
}

TEST_CASE("malformed request heads get 400 in JSON and close")
{
    EdgeDaemon daemon;
    for (const std::string head :
         {"GET /health HTTP/1.1\nHost: t\n\n", "GET  /health HTTP/1.1\r\nHost: t\r\n\r\n",
          "GET /health HTTP/1.1\r\nHost : t\r\n\r\n", "GET /health HTTP/1.1\r\n\r\n",
          "GET /health HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n", "GET http://x/health HTTP/1.1\r\nHost: t\r\n\r\n",
          "GET /he\x01th HTTP/1.1\r\n\r\n", "GET /health HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n"}) {
        CAPTURE(head);
        RawConnection client(daemon.port());
        client.send(head + smuggled);
        client.finish_sending();
        const auto answers = client.read_until_closed();
        REQUIRE(answers.size() == 1);
        CHECK(answers[0].status == 400);
        CHECK(is_json_error(answers[0]));
    }
    RawConnection http2(daemon.port());
    http2.send("GET /health HTTP/2.0\r\nHost: t\r\n\r\n");
    const auto answers = http2.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 505);
}

TEST_CASE("1000 pipelined requests are all answered in order")
{
    EdgeDaemon daemon;
    RawConnection client(daemon.port());
    std::string stream;
    for (int i = 0; i < 1000; ++i) {
        if (i % 3 == 0) {
            stream += raw_request("POST", "/v1/events", "Content-Type: application/json\r\n",
                                  batch_of({minimal_event("pipelined-" + std::to_string(i))}));
        } else {
            stream += raw_request("GET", "/nope/" + std::to_string(i));
        }
    }
    REQUIRE(client.send(stream));
    for (int i = 0; i < 1000; ++i) {
        CAPTURE(i);
        const auto answer = client.read_response();
        REQUIRE(answer.has_value());
        if (i % 3 == 0) {
            CHECK(answer->status == 202);
            CHECK(answer->body.find("\"accepted\":1") != std::string::npos);
        } else {
            CHECK(answer->status == 404);
            CHECK(answer->body == "{\"error\":\"no such endpoint: /nope/" + std::to_string(i) + "\"}");
        }
    }
}

TEST_CASE("a client that asks to close gets its answer and then the close")
{
    EdgeDaemon daemon;
    RawConnection client(daemon.port());
    client.send(raw_request("GET", "/health", "Connection: close\r\n") + raw_request("GET", "/ready"));
    client.finish_sending();
    const auto answers = client.read_until_closed();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 200);
    CHECK(answers[0].header("connection") == "close");

    RawConnection old_client(daemon.port());
    old_client.send("GET /health HTTP/1.0\r\n\r\n");
    const auto old_answers = old_client.read_until_closed();
    REQUIRE(old_answers.size() == 1);
    CHECK(old_answers[0].status == 200);
}

TEST_CASE("Expect: 100-continue gets the interim answer before the body is sent")
{
    EdgeDaemon daemon;
    RawConnection client(daemon.port());
    const std::string body = batch_of({minimal_event("continued-1")});
    client.send("POST /v1/events HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n");
    CHECK(client.read_through("HTTP/1.1 100 Continue\r\n\r\n"));
    client.send(body);
    const auto answer = client.read_response();
    REQUIRE(answer.has_value());
    CHECK(answer->status == 202);
}
