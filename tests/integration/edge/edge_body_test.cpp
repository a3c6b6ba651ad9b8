// Body encodings, CORS on POST, and the access log on the real daemon (issue 8).
#include <doctest/doctest.h>

#include <zlib.h>

#include "edge_daemon.hpp"
#include "event_samples.hpp"

using namespace productgraph::testing;

namespace {

std::string gzip(const std::string &data)
{
    z_stream stream{};
    REQUIRE(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 64, '\0');
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

std::optional<RawResponse> post(int port, const std::string &headers, const std::string &body)
{
    RawConnection client(port);
    client.send(raw_request("POST", "/v1/events", headers, body));
    return client.read_response();
}

}  // namespace

TEST_CASE("a gzip body is inflated and its events accepted")
{
    EdgeDaemon daemon;
    const std::string body = batch_of({minimal_event("gz-1"), minimal_event("gz-2")});
    const auto answer = post(daemon.port(), "Content-Encoding: gzip\r\n", gzip(body));
    REQUIRE(answer.has_value());
    CHECK(answer->status == 202);
    CHECK(answer->body.find("\"accepted\":2") != std::string::npos);
}

TEST_CASE("a gzip bomb gets 413 once the inflated body passes 10 MB")
{
    EdgeDaemon daemon;
    const std::string bomb = gzip(std::string(64 * 1000 * 1000, ' '));  // about 64 KB on the wire
    REQUIRE(bomb.size() < 200 * 1000);
    const auto answer = post(daemon.port(), "Content-Encoding: gzip\r\n", bomb);
    REQUIRE(answer.has_value());
    CHECK(answer->status == 413);
    CHECK(is_json_error(*answer));
    // Just under the limit is fine as far as the encoding goes (blank is not JSON).
    const auto under = post(daemon.port(), "Content-Encoding: gzip\r\n", gzip(std::string(9 * 1000 * 1000, ' ')));
    REQUIRE(under.has_value());
    CHECK(under->status == 400);
    CHECK(under->body.find("decompressed") == std::string::npos);
}

TEST_CASE("unknown encodings get 415 and corrupt gzip 400 both in JSON")
{
    EdgeDaemon daemon;
    const auto brotli = post(daemon.port(), "Content-Encoding: br\r\n", "xxxx");
    REQUIRE(brotli.has_value());
    CHECK(brotli->status == 415);
    CHECK(is_json_error(*brotli));
    std::string truncated = gzip(batch_of({minimal_event("gz-3")}));
    truncated.resize(truncated.size() / 2);
    const auto corrupt = post(daemon.port(), "Content-Encoding: gzip\r\n", truncated);
    REQUIRE(corrupt.has_value());
    CHECK(corrupt->status == 400);
    CHECK(is_json_error(*corrupt));
}

TEST_CASE("a browser POST from an origin that is not allowed gets 403 in JSON")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_CORS_ORIGINS", "https://app.example"}});
    const std::string body = batch_of({minimal_event("cors-1")});
    const auto refused = post(daemon.port(), "Origin: https://evil.example\r\n", body);
    REQUIRE(refused.has_value());
    CHECK(refused->status == 403);
    CHECK(is_json_error(*refused));
    const auto allowed = post(daemon.port(), "Origin: https://app.example\r\n", body);
    REQUIRE(allowed.has_value());
    CHECK(allowed->status == 202);
    CHECK(allowed->header("access-control-allow-origin") == "https://app.example");
    const auto backend = post(daemon.port(), "", batch_of({minimal_event("cors-2")}));  // no Origin: not a browser
    REQUIRE(backend.has_value());
    CHECK(backend->status == 202);
}

TEST_CASE("the access log has one line per request with the reason of a 4xx")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_ACCESS_LOG", "true"}});
    REQUIRE(post(daemon.port(), "", "{not json").has_value());
    const auto line = daemon.process->wait_for_log("\"msg\":\"request\"");
    REQUIRE(line.has_value());
    for (const std::string field : {"\"method\":\"POST\"", "\"path\":\"/v1/events\"", "\"status\":400",
                                    "\"bytes\":", "\"duration_ms\":", "\"ip\":\"127.0.0.1\"", "\"reason\":"}) {
        CAPTURE(field);
        CHECK(line->find(field) != std::string::npos);
    }
}

TEST_CASE("DEBUG=true turns the access log on and it is off by default")
{
    EdgeDaemon quiet;
    RawConnection first(quiet.port());
    first.send(raw_request("GET", "/nope"));
    REQUIRE(first.read_response().has_value());

    EdgeDaemon debug({{"DEBUG", "true"}});
    RawConnection second(debug.port());
    second.send(raw_request("GET", "/nope"));
    REQUIRE(second.read_response().has_value());
    const auto line = debug.process->wait_for_log("\"msg\":\"request\"");
    REQUIRE(line.has_value());
    CHECK(line->find("\"status\":404") != std::string::npos);
    CHECK(quiet.process->all_logs().find("\"msg\":\"request\"") == std::string::npos);
}
