// The mock Amplitude server itself: it must refuse what the real API refuses, with the
// documented bodies, or the plugin tests would prove nothing.
#include "http_client.hpp"
#include "mock_amplitude.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace productgraph::testing;
using namespace productgraph::amplitude::testing;

namespace {

constexpr const char *key = "AMP_TEST_API_KEY_0123456789abcdef";

std::string body_with(const std::string &events, const std::string &options = R"({"min_id_length":1})")
{
    return std::string(R"({"api_key":")") + key + R"(","events":[)" + events + R"(],"options":)" + options + "}";
}

std::string good_event(const std::string &insert_id)
{
    return R"({"event_type":"Custom Event","user_id":"user-1","time":1705314615000,"insert_id":")" + insert_id +
           R"(","session_id":1705314615000,"event_properties":{"k":"v"}})";
}

}  // namespace

TEST_CASE("the mock Amplitude ingests a valid request and answers with the documented 200 body")
{
    MockAmplitude mock;
    const HttpResponse response = http_post(mock.url(), body_with(good_event("m0") + "," + good_event("m1")));
    CHECK(response.status == 200);
    const auto json = response.json();
    CHECK(json["code"].GetInt() == 200);
    CHECK(json["events_ingested"].GetInt() == 2);
    CHECK(json["payload_size_bytes"].IsInt());
    CHECK(json["server_upload_time"].IsInt64());
    CHECK(mock.accepted_ids() == std::vector<std::string>{"m0", "m1"});
}

TEST_CASE("the mock Amplitude refuses malformed requests with the documented errors")
{
    MockAmplitude mock;
    const std::string valid = body_with(good_event("m0"));
    CHECK(http_post("http://127.0.0.1:" + std::to_string(mock.port()) + "/batch", valid).body ==
          R"({"code":400,"error":"Invalid request path"})");
    CHECK(http_request("GET", mock.url()).body == R"({"code":400,"error":"Invalid request path"})");
    CHECK(http_post(mock.url(), valid, {{"Content-Type", "text/plain"}}).status == 400);
    CHECK(http_post(mock.url(), "").body == R"({"code":400,"error":"Missing request body"})");
    CHECK(http_post(mock.url(), "{not json").body == R"({"code":400,"error":"Invalid JSON request body"})");
    CHECK(http_post(mock.url(), R"({"events":[]})").body ==
          R"({"code":400,"error":"Request missing required field","missing_field":"api_key"})");
    const HttpResponse wrong_key = http_post(mock.url(), R"({"api_key":"nope","events":[]})");
    CHECK(wrong_key.status == 400);
    CHECK(wrong_key.body == R"({"code":400,"error":"Invalid API key: nope"})");
    CHECK(mock.accepted().empty());
}

TEST_CASE("the mock Amplitude answers 413 at 2001 events and at 1000000 bytes")
{
    MockAmplitude mock;
    std::string events;
    for (int i = 0; i < 2001; ++i) events += (i ? "," : "") + good_event("c" + std::to_string(i));
    CHECK(http_post(mock.url(), body_with(events)).status == 413);

    std::string exact = body_with(good_event("b0"));
    const std::string padding(1'000'000 - exact.size(), ' ');
    exact.insert(exact.size() - 1, padding);  // whitespace keeps it valid JSON
    REQUIRE(exact.size() == 1'000'000);
    const HttpResponse too_large = http_post(mock.url(), exact);
    CHECK(too_large.status == 413);
    CHECK(too_large.body == R"({"code":413,"error":"Payload too large"})");
    exact.erase(exact.size() - 2, 1);
    CHECK(http_post(mock.url(), exact).status == 200);
}

TEST_CASE("the mock Amplitude lists each invalid event by field as Amplitude does")
{
    MockAmplitude mock;
    const std::string events =
        good_event("ok0") + "," +                                                         // 0
        R"({"user_id":"user-1","insert_id":"x1"})" + "," +                                // 1 no event_type
        R"({"event_type":"E","user_id":"user-1","time":"2024-01-15T10:30:15Z"})" + "," +  // 2 string time
        R"({"event_type":"E","user_id":"user-1","session_id":"sess-abc"})" + "," +        // 3 string session_id
        R"({"event_type":"E","user_id":"user-1","insert_id":7})" + "," +                  // 4 numeric insert_id
        R"({"event_type":"E","user_id":"abc"})" + "," +                                   // 5 shorter than 5
        R"({"event_type":"E","user_id":"undefined"})" + "," +                             // 6 placeholder
        R"({"event_type":"E"})" + "," +                                                   // 7 no id
        R"({"event_type":"E","device_id":"device-1","event_properties":{"s":")" + std::string(1025, 'x') + R"("}})";
    const HttpResponse response = http_post(mock.url(), body_with(events, R"({"min_id_length":5})"));
    CHECK(response.status == 400);
    CHECK(
        response.body ==
        R"({"code":400,"error":"Invalid field values on some events",)"
        R"("events_with_invalid_fields":{"event_properties":[8],"insert_id":[4],"session_id":[3],"time":[2],"user_id":[6]},)"
        R"("events_with_missing_fields":{"event_type":[1],"user_id":[7]},)"
        R"("events_with_invalid_id_lengths":{"user_id":[5]}})");
    CHECK(mock.accepted().empty());
}

TEST_CASE("the mock Amplitude spends scripted answers only on valid requests")
{
    MockAmplitude mock;
    mock.then(replies::throttled({1}, {0}));
    CHECK(http_post(mock.url(), "{broken").status == 400);
    CHECK(mock.scripts_left() == 1);
    const std::string anonymous = R"({"event_type":"E","device_id":"device-9","insert_id":"a0"})";
    const HttpResponse throttled = http_post(mock.url(), body_with(anonymous + "," + good_event("t1")));
    CHECK(throttled.status == 429);
    CHECK(throttled.body == R"({"code":429,"error":"Too many requests for some devices and users","eps_threshold":30,)"
                            R"("throttled_devices":{},"throttled_users":{"user-1":32},"throttled_events":[1],)"
                            R"("exceeded_daily_quota_users":{},"exceeded_daily_quota_devices":{"device-9":500900}})");
    CHECK(mock.scripts_left() == 0);
    CHECK(mock.accepted().empty());
    CHECK(http_post(mock.url(), body_with(good_event("t1"))).status == 200);
    CHECK(mock.accepted_ids() == std::vector<std::string>{"t1"});
}

TEST_CASE("the mock Amplitude answers an empty request by the key: Invalid API key or events missing")
{
    MockAmplitude mock;
    const HttpResponse good = http_post(mock.url(), body_with(""));
    CHECK(good.status == 400);
    CHECK(std::string(good.json()["missing_field"].GetString()) == "events");
    const HttpResponse bad = http_post(mock.url(), R"({"api_key":"WRONG","events":[]})");
    CHECK(bad.status == 400);
    CHECK(std::string(bad.json()["error"].GetString()).starts_with("Invalid API key"));
    CHECK(mock.accepted().empty());
}

TEST_CASE("the mock Amplitude in an outage answers every request with the outage reply")
{
    MockAmplitude::Options options;
    options.outage = CannedReply{503, R"({"code":503})", {}};
    MockAmplitude mock(options);
    CHECK(http_post(mock.url(), body_with(good_event("o0"))).status == 503);
    CHECK(http_post(mock.url(), "not json").status == 503);
    CHECK(mock.accepted().empty());
}
