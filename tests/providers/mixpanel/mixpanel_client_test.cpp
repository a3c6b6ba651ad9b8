// What Mixpanel's answers mean (providers.md §2.5, §5) and the retry backoff, without a network.
#include <doctest/doctest.h>

#include "mixpanel_client.hpp"
#include "mixpanel_delivery.hpp"

#include <string>

using namespace productgraph::mixpanel;

namespace {

Classification answer(ApiMode api, long status, std::string body = {})
{
    HttpReply reply;
    reply.status = status;
    reply.body = std::move(body);
    return classify(api, reply);
}

}  // namespace

TEST_CASE("an import answered 200 is delivered")
{
    CHECK(answer(ApiMode::import, 200, R"({"code":200,"num_records_imported":2,"status":"OK"})").verdict ==
          Verdict::delivered);
}

TEST_CASE("a track answer is delivered only when its body says 1 or status 1")
{
    CHECK(answer(ApiMode::track, 200, "1").verdict == Verdict::delivered);
    CHECK(answer(ApiMode::track, 200, "1\n").verdict == Verdict::delivered);
    CHECK(answer(ApiMode::track, 200, R"({"status":1,"error":null})").verdict == Verdict::delivered);
    CHECK(answer(ApiMode::track, 200, "0").verdict == Verdict::rejected);
    const Classification zero = answer(ApiMode::track, 200, R"({"status":0,"error":"token missing"})");
    CHECK(zero.verdict == Verdict::rejected);
    CHECK(zero.reason.find("token missing") != std::string::npos);
    CHECK(answer(ApiMode::track, 200, "<html>ok</html>").verdict == Verdict::rejected);
}

TEST_CASE("a strict 400 lists failed records under either insert id key")
{
    const Classification prose =
        answer(ApiMode::import, 400,
               R"({"code":400,"error":"some data points in the request failed validation","num_records_imported":1,)"
               R"("status":"Bad Request","failed_records":[{"index":1,"$insert_id":"ins-1","field":"properties.time",)"
               R"("message":"'properties.time' is invalid"}]})");
    REQUIRE(prose.verdict == Verdict::partially_failed);
    REQUIRE(prose.failed.size() == 1);
    CHECK(prose.failed[0].index == std::optional<std::size_t>(1));
    CHECK(prose.failed[0].insert_id == "ins-1");
    CHECK(prose.failed[0].field == "properties.time");
    CHECK(prose.failed[0].message == "'properties.time' is invalid");

    const Classification openapi =
        answer(ApiMode::import, 400, R"({"code":400,"failed_records":[{"insert_id":"ins-2","field":"event"}]})");
    REQUIRE(openapi.verdict == Verdict::partially_failed);
    CHECK_FALSE(openapi.failed[0].index.has_value());
    CHECK(openapi.failed[0].insert_id == "ins-2");
}

TEST_CASE("a 400 without failed records rejects the whole request")
{
    const Classification plain =
        answer(ApiMode::import, 400, R"({"code":400,"error":"invalid JSON","status":"Bad Request"})");
    CHECK(plain.verdict == Verdict::rejected);
    CHECK(plain.reason.find("invalid JSON") != std::string::npos);
    CHECK(answer(ApiMode::import, 400, "<html>bad</html>").verdict == Verdict::rejected);
    CHECK(answer(ApiMode::import, 400, R"({"failed_records":[]})").verdict == Verdict::rejected);
    CHECK(answer(ApiMode::track, 400, R"({"failed_records":[{"index":0}]})").verdict == Verdict::rejected);
}

TEST_CASE("401 and 403 are fatal with Mixpanel's reason")
{
    const Classification unauthorized =
        answer(ApiMode::import, 401, R"({"code":401,"error":"Invalid credentials","status":"Unauthorized"})");
    CHECK(unauthorized.verdict == Verdict::fatal);
    CHECK(unauthorized.reason.find("401") != std::string::npos);
    CHECK(unauthorized.reason.find("Invalid credentials") != std::string::npos);
    CHECK(answer(ApiMode::track, 403, R"({"error":"forbidden","status":"error"})").verdict == Verdict::fatal);
}

TEST_CASE("a 413 asks for smaller requests")
{
    CHECK(
        answer(
            ApiMode::import, 413,
            R"({"code":413,"error":"request exceeds max limit of 2097152 bytes","status":"Request Entity Too Large"})")
            .verdict == Verdict::too_large);
}

TEST_CASE("rate limits server errors timeouts and no answer are retried")
{
    for (const long status : {408L, 429L, 500L, 502L, 503L, 504L, 599L}) {
        CAPTURE(status);
        CHECK(answer(ApiMode::import, status, "<html>Bad Gateway</html>").verdict == Verdict::retry);
    }
    HttpReply refused;
    refused.transport_error = "Failed to connect to 127.0.0.1 port 9: Connection refused";
    const Classification none = classify(ApiMode::import, refused);
    CHECK(none.verdict == Verdict::retry);
    CHECK(none.reason.find("Connection refused") != std::string::npos);
}

TEST_CASE("answers from something that is not the ingestion API stop the instance or reject")
{
    CHECK(answer(ApiMode::import, 404, "not found").verdict == Verdict::fatal);
    CHECK(answer(ApiMode::import, 405).verdict == Verdict::fatal);
    CHECK(answer(ApiMode::import, 301).verdict == Verdict::fatal);
    CHECK(answer(ApiMode::import, 418).verdict == Verdict::rejected);
    CHECK(answer(ApiMode::import, 101).verdict == Verdict::retry);
}

TEST_CASE("the endpoint carries strict and the project id on import and ip and verbose on track")
{
    MixpanelSettings settings;
    CHECK(endpoint_path(settings) == "/import?strict=1");
    settings.project_id = "1234567";
    CHECK(endpoint_path(settings) == "/import?strict=1&project_id=1234567");
    settings.api = ApiMode::track;
    CHECK(endpoint_path(settings) == "/track?ip=0&verbose=1");
}

TEST_CASE("the retry backoff starts at 2 s and doubles up to 60 s plus 1 to 5 s of jitter")
{
    CHECK(retry_backoff_ms(1, 2000, 0.0) == 3000);
    CHECK(retry_backoff_ms(1, 2000, 1.0) == 7000);
    CHECK(retry_backoff_ms(2, 2000, 0.0) == 5000);
    CHECK(retry_backoff_ms(3, 2000, 0.5) == 8000 + 3000);
    CHECK(retry_backoff_ms(5, 2000, 0.0) == 32000 + 1000);
    CHECK(retry_backoff_ms(6, 2000, 0.0) == 60000 + 1000);
    CHECK(retry_backoff_ms(4'000'000'000U, 2000, 1.0) == 60000 + 5000);
    CHECK(retry_backoff_ms(0, 2000, 0.0) == 3000);  // a host that counts from 0 gets the first delay
    for (std::uint32_t attempt = 1; attempt < 40; ++attempt) {
        const std::int64_t delay = retry_backoff_ms(attempt, 2000, 0.3);
        CHECK(delay >= 2000 + 1000);
        CHECK(delay <= 60000 + 5000);
    }
    // A shorter first delay (MIXPANEL_RETRY_INITIAL_MS) scales the jitter with it.
    CHECK(retry_backoff_ms(1, 50, 0.0) == 75);
    CHECK(retry_backoff_ms(2, 50, 1.0) == 100 + 125);
}
