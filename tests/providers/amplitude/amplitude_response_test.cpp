// Classifying Amplitude's answers (providers.md §1.5 and §5): status first, then the body.
#include "amplitude_client.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace productgraph::amplitude;

namespace {

constexpr const char *key = "AMP_TEST_API_KEY_0123456789abcdef";

// Identities for `count` events: user-i and device-i.
struct Identities {
    explicit Identities(std::size_t count)
    {
        for (std::size_t i = 0; i < count; ++i) {
            users.push_back("user-" + std::to_string(i));
            devices.push_back("device-" + std::to_string(i));
        }
        for (std::size_t i = 0; i < count; ++i) sent.push_back(SentIdentity{users[i], devices[i]});
    }
    std::vector<std::string> users, devices;
    std::vector<SentIdentity> sent;
};

Verdict classify(long status, std::string body, std::size_t count = 3)
{
    static Identities identities(16);
    HttpReply reply;
    reply.status = status;
    reply.body = std::move(body);
    return classify_response(reply, std::span(identities.sent).first(count), key);
}

}  // namespace

TEST_CASE("a 2xx answer delivers the whole request")
{
    CHECK(classify(200, R"({"code":200,"events_ingested":3,"payload_size_bytes":50,"server_upload_time":1})").outcome ==
          Outcome::delivered);
    CHECK(classify(202, "").outcome == Outcome::delivered);
}

TEST_CASE("a 400 naming missing_field is fatal")
{
    const Verdict verdict =
        classify(400, R"({"code":400,"error":"Request missing required field","missing_field":"api_key",)"
                      R"("events_with_invalid_fields":{"time":[0]}})");
    CHECK(verdict.outcome == Outcome::fatal);
    CHECK(verdict.reason.find("api_key") != std::string::npos);
}

TEST_CASE("a 400 Invalid API key is fatal and its reason never holds the key")
{
    const Verdict verdict = classify(400, std::string(R"({"code":400,"error":"Invalid API key: )") + key + R"("})");
    CHECK(verdict.outcome == Outcome::fatal);
    CHECK(verdict.reason.find("AMPLITUDE_API_KEY") != std::string::npos);
    CHECK(verdict.reason.find(key) == std::string::npos);
}

TEST_CASE("a 400 Invalid request path is fatal and points at AMPLITUDE_ENDPOINT")
{
    const Verdict verdict = classify(400, R"({"code":400,"error":"Invalid request path"})");
    CHECK(verdict.outcome == Outcome::fatal);
    CHECK(verdict.reason.find("AMPLITUDE_ENDPOINT") != std::string::npos);
}

TEST_CASE("a 400 listing events rejects exactly those and leaves the rest to retry")
{
    const Verdict verdict = classify(
        400,
        R"({"code":400,"error":"Invalid field values on some events","events_with_invalid_fields":{"time":[1]},)"
        R"("events_with_missing_fields":{"event_type":[3]},"events_with_invalid_id_lengths":{"user_id":[4]},)"
        R"("silenced_events":[5]})",
        7);
    REQUIRE(verdict.outcome == Outcome::per_event);
    using enum EventAction;
    CHECK(verdict.actions == std::vector<EventAction>{retry, reject, retry, reject, reject, reject, retry});
    CHECK(verdict.reasons[1] == "Amplitude 400: invalid time");
    CHECK(verdict.reasons[3] == "Amplitude 400: missing event_type");
    CHECK(verdict.reasons[4] == "Amplitude 400: shorter than min_id_length: user_id");
    CHECK(verdict.reasons[5] == "Amplitude 400: device silenced");
    CHECK(verdict.reason.find("4 of 7 events rejected") != std::string::npos);
}

TEST_CASE("the silenced 400 body drops silenced events and throttles throttled ones")
{
    const Verdict verdict =
        classify(400,
                 R"({"code":400,"error":"Events silenced for device_id","eps_threshold":100,)"
                 R"("silenced_devices":["device-1"],"silenced_events":[1],"throttled_devices":{"device-2":100},)"
                 R"("throttled_events":[2],"exceeded_daily_quota_devices":{}})",
                 4);
    REQUIRE(verdict.outcome == Outcome::per_event);
    using enum EventAction;
    CHECK(verdict.actions == std::vector<EventAction>{retry, reject, throttle, retry});
}

TEST_CASE("indexes outside the request or of the wrong type are ignored")
{
    const Verdict verdict = classify(
        400,
        R"({"code":400,"error":"Invalid field values on some events","events_with_invalid_fields":{"time":[9,-1,"2",1.5,0]}})",
        2);
    REQUIRE(verdict.outcome == Outcome::per_event);
    CHECK(verdict.actions == std::vector<EventAction>{EventAction::reject, EventAction::retry});
}

TEST_CASE("a 400 that names no event splits the request to find the culprits")
{
    CHECK(classify(400, R"({"code":400,"error":"Invalid event JSON"})").outcome == Outcome::split);
    CHECK(classify(400, "<html>bad request</html>").outcome == Outcome::split);
    CHECK(classify(
              400,
              R"({"code":400,"error":"Invalid field values on some events","events_with_invalid_fields":{"time":[7]}})")
              .outcome == Outcome::split);
}

TEST_CASE("a 413 splits the request")
{
    const Verdict verdict = classify(413, R"({"code":413,"error":"Payload too large"})");
    CHECK(verdict.outcome == Outcome::split);
    CHECK(verdict.reason.find("413") != std::string::npos);
}

TEST_CASE("a 429 rejects events over the daily quota throttles the listed ones and resends the rest")
{
    const Verdict verdict = classify(
        429,
        R"({"code":429,"error":"Too many requests for some devices and users","eps_threshold":30,)"
        R"("throttled_devices":{"device-0":31},"throttled_users":{"user-0":32},"throttled_events":[0,3],)"
        R"("exceeded_daily_quota_users":{"user-3":500200},"exceeded_daily_quota_devices":{"device-2":500900}})",
        5);
    REQUIRE(verdict.outcome == Outcome::per_event);
    using enum EventAction;
    CHECK(verdict.actions == std::vector<EventAction>{throttle, resend, reject, reject, resend});
    CHECK(verdict.reasons[2] == "Amplitude 429: device over its daily quota");
    CHECK(verdict.reasons[3] == "Amplitude 429: user over its daily quota");
}

TEST_CASE("a 429 without throttled_events throttles the events of the throttled users and devices")
{
    const Verdict verdict = classify(
        429,
        R"({"code":429,"error":"Too many requests","throttled_users":{"user-1":40},"throttled_devices":{"device-2":40}})",
        4);
    REQUIRE(verdict.outcome == Outcome::per_event);
    using enum EventAction;
    CHECK(verdict.actions == std::vector<EventAction>{resend, throttle, throttle, resend});
}

TEST_CASE("a 429 that names nothing throttles the whole request")
{
    CHECK(classify(429, "<html>Too Many Requests</html>").outcome == Outcome::throttled);
    CHECK(classify(429, R"({"error":"slow down"})").outcome == Outcome::throttled);
}

TEST_CASE("a 403 rejects the whole request with the body in the reason")
{
    const Verdict verdict = classify(403, R"({"code":403,"error":"Forbidden"})");
    CHECK(verdict.outcome == Outcome::rejected);
    CHECK(verdict.reason == R"(Amplitude answered 403: {"code":403,"error":"Forbidden"})");
    CHECK(classify(422, "unprocessable").outcome == Outcome::rejected);
}

TEST_CASE("401 and 404 are fatal configuration errors")
{
    CHECK(classify(401, "").outcome == Outcome::fatal);
    CHECK(classify(404, "").outcome == Outcome::fatal);
    CHECK(classify(404, "").reason.find("AMPLITUDE_ENDPOINT") != std::string::npos);
}

TEST_CASE("5xx and 408 and no answer at all are retried")
{
    for (const long status : {500L, 502L, 503L, 504L, 408L}) {
        CAPTURE(status);
        CHECK(classify(status, "").outcome == Outcome::retry);
    }
    HttpReply refused;
    refused.transport_error = "Failed to connect to 127.0.0.1 port 9: Connection refused";
    const Verdict verdict = classify_response(refused, {}, key);
    CHECK(verdict.outcome == Outcome::retry);
    CHECK(verdict.reason.find("Connection refused") != std::string::npos);
}

TEST_CASE("the key never appears in a reason taken from a body")
{
    const std::string body = std::string("oops ") + key + " oops";
    for (const long status : {403L, 500L, 400L, 418L}) {
        CAPTURE(status);
        CHECK(classify(status, body).reason.find(key) == std::string::npos);
    }
    CHECK(redact(std::string(key) + "/" + key, key) == "[redacted]/[redacted]");
    CHECK(redact("nothing here", "") == "nothing here");
    // Found by tests/fuzz: a secret that occurs inside the marker used to loop forever.
    CHECK(redact("red alert", "red") == "[redacted] alert");
    CHECK(redact("eee", "e") == "[redacted][redacted][redacted]");
}

TEST_CASE("a key that occurs inside the mask itself is redacted once and the loop ends")
{
    CHECK(redact("a e", "e") == "a [redacted]");
    CHECK(redact("red-red", "red") == "[redacted]-[redacted]");
}

TEST_CASE("a loggable body is cut at a UTF-8 boundary and has no control characters")
{
    const std::string body = "line1\nline2\t" + std::string(10, 'x') + "\xC3\xA9\xC3\xA9";
    CHECK(loggable_body(body, key, 23) == "line1 line2 xxxxxxxxxx\xE2\x80\xA6");
    CHECK(loggable_body(body, key, 24) == "line1 line2 xxxxxxxxxx\xC3\xA9\xE2\x80\xA6");
    CHECK(loggable_body("short", key) == "short");
}
