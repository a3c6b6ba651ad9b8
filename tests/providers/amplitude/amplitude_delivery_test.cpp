// The publish loop against a scripted sender: splitting, re-sending, caps, deadlines and logging.
#include "amplitude_delivery.hpp"
#include "amplitude_test_support.hpp"

#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

using namespace productgraph::amplitude;
using namespace productgraph::amplitude::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char *key = "AMP_TEST_API_KEY_0123456789abcdef";

struct SentRequest {
    std::vector<std::string> insert_ids;
    std::string body;
    std::chrono::milliseconds timeout{0};
};

HttpReply reply(long status, std::string body = {})
{
    HttpReply out;
    out.status = status;
    out.body = std::move(body);
    out.latency = 3ms;
    return out;
}

// Stands in for AmplitudeClient::post: records each request and answers from a script,
// then with `otherwise` (200 by default).
class FakeSender {
public:
    using Answer = std::function<HttpReply(const SentRequest &)>;

    FakeSender &then(Answer answer)
    {
        script_.push_back(std::move(answer));
        return *this;
    }
    FakeSender &then(HttpReply answer)
    {
        return then([answer](const SentRequest &) { return answer; });
    }
    FakeSender &otherwise(Answer answer)
    {
        otherwise_ = std::move(answer);
        return *this;
    }

    SendRequest function()
    {
        return [this](const std::string &body, std::chrono::milliseconds timeout) {
            SentRequest request{{}, body, timeout};
            const rapidjson::Document document = parse(body);
            for (const auto &event : document["events"].GetArray()) {
                request.insert_ids.emplace_back(event["insert_id"].GetString());
            }
            sent.push_back(request);
            if (script_.empty()) return otherwise_(request);
            const Answer answer = std::move(script_.front());
            script_.pop_front();
            return answer(request);
        };
    }

    std::vector<std::vector<std::string>> requests() const
    {
        std::vector<std::vector<std::string>> ids;
        for (const SentRequest &request : sent) ids.push_back(request.insert_ids);
        return ids;
    }

    std::vector<SentRequest> sent;

private:
    std::deque<Answer> script_;
    Answer otherwise_ = [](const SentRequest &) { return reply(200, R"({"code":200})"); };
};

DeliverySettings test_settings()
{
    DeliverySettings settings;
    settings.api_key = key;
    settings.throttle_retry = 30'000ms;
    return settings;
}

struct Run {
    DeliveryReport report;
    std::string log;
};

Run run(const std::vector<OwnedEvent> &events, FakeSender &sender, DeliverySettings settings = test_settings(),
        std::int64_t deadline = 0, std::int64_t now = 1'000'000, std::uint32_t attempt = 1)
{
    CollectingHost host;
    const std::vector<EventView> views = views_of(events);
    const pgraph::HostLog log = host.log();
    DeliveryReport report = deliver(
        views, attempt, settings, deadline, [now] { return now; }, sender.function(), log);
    return Run{std::move(report), host.all()};
}

std::vector<pgraph_event_status> statuses(const DeliveryReport &report)
{
    std::vector<pgraph_event_status> out;
    for (const EventOutcome &event : report.events) out.push_back(event.status);
    return out;
}

constexpr pgraph_event_status ok = PGRAPH_EVENT_OK;
constexpr pgraph_event_status retry = PGRAPH_EVENT_RETRY;
constexpr pgraph_event_status reject = PGRAPH_EVENT_REJECT;

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("a batch Amplitude accepts is OK after one request")
{
    FakeSender sender;
    const Run result = run(numbered_events("e", 3), sender);
    CHECK(result.report.status == PGRAPH_OK);
    CHECK(result.report.http_status == 200);
    CHECK(result.report.requests_sent == 1);
    CHECK(sender.requests() == std::vector<Ids>{{"e0", "e1", "e2"}});
    CHECK(statuses(result.report) == std::vector{ok, ok, ok});
}

TEST_CASE("an empty batch is OK without any request")
{
    FakeSender sender;
    const Run result = run({}, sender);
    CHECK(result.report.status == PGRAPH_OK);
    CHECK(sender.sent.empty());
}

TEST_CASE("a 413 halves the request and sends both halves")
{
    FakeSender sender;
    sender.then(reply(413, R"({"code":413,"error":"Payload too large"})"));
    const Run result = run(numbered_events("e", 4), sender);
    CHECK(result.report.status == PGRAPH_OK);
    CHECK(sender.requests() == std::vector<Ids>{{"e0", "e1", "e2", "e3"}, {"e0", "e1"}, {"e2", "e3"}});
}

TEST_CASE("a single event that still gets 413 is rejected with a log line while the others are delivered")
{
    FakeSender sender;
    sender.otherwise([](const SentRequest &request) {
        const bool holds_e1 =
            std::find(request.insert_ids.begin(), request.insert_ids.end(), "e1") != request.insert_ids.end();
        return holds_e1 ? reply(413, R"({"code":413,"error":"Payload too large"})") : reply(200);
    });
    const Run result = run(numbered_events("e", 3), sender);
    CHECK(sender.requests() == std::vector<Ids>{{"e0", "e1", "e2"}, {"e0"}, {"e1", "e2"}, {"e1"}, {"e2"}});
    CHECK(result.report.status == PGRAPH_PARTIAL);
    CHECK(statuses(result.report) == std::vector{ok, reject, ok});
    CHECK(result.report.events[1].reason.find("413") != std::string::npos);
    CHECK(result.log.find("amplitude: event e1 rejected on its own") != std::string::npos);
}

TEST_CASE("a 400 rejects the listed events and leaves the rest to the host retry")
{
    FakeSender sender;
    sender.then(reply(
        400,
        R"({"code":400,"error":"Invalid field values on some events","events_with_invalid_fields":{"time":[1]}})"));
    const Run result = run(numbered_events("e", 3), sender);
    CHECK(sender.sent.size() == 1);
    CHECK(result.report.status == PGRAPH_PARTIAL);
    CHECK(statuses(result.report) == std::vector{retry, reject, retry});
    CHECK(result.report.events[1].reason == "Amplitude 400: invalid time");
    CHECK(result.report.retry_after_ms == 0);
    CHECK(result.report.http_status == 400);
}

TEST_CASE("a 429 resends the unthrottled events at once and leaves throttled ones for the throttle delay")
{
    std::vector<OwnedEvent> events = numbered_events("e", 4);
    events[3].device_id = "device-3";
    events[3].canonical();
    FakeSender sender;
    sender.then(reply(429, R"({"code":429,"error":"Too many requests for some devices and users","eps_threshold":30,)"
                           R"("throttled_users":{"user-0":31},"throttled_events":[0],)"
                           R"("exceeded_daily_quota_devices":{"device-3":500900}})"));
    DeliverySettings settings = test_settings();
    settings.throttle_retry = 1500ms;
    const Run result = run(events, sender, settings);
    CHECK(sender.requests() == std::vector<Ids>{{"e0", "e1", "e2", "e3"}, {"e1", "e2"}});
    CHECK(result.report.status == PGRAPH_PARTIAL);
    CHECK(statuses(result.report) == std::vector{retry, ok, ok, reject});
    CHECK(result.report.retry_after_ms == 1500);
    CHECK(result.report.events[3].reason == "Amplitude 429: device over its daily quota");
}

TEST_CASE("a 429 naming nothing leaves the whole batch to retry after the throttle delay")
{
    FakeSender sender;
    sender.then(reply(429, "<html>Too Many Requests</html>"));
    const Run result = run(numbered_events("e", 2), sender);
    CHECK(sender.sent.size() == 1);
    CHECK(result.report.status == PGRAPH_RETRY);
    CHECK(result.report.retry_after_ms == 30000);
    CHECK(result.report.http_status == 429);
}

TEST_CASE("re-sends after 429 are capped within one publish")
{
    FakeSender sender;
    sender.otherwise([](const SentRequest &) {
        return reply(429, R"({"code":429,"error":"Too many requests","throttled_events":[0]})");
    });
    const Run result = run(numbered_events("e", 6), sender);
    // The first answer and max_resends (2) re-sends; each throttles its first event.
    CHECK(sender.requests() == std::vector<Ids>{{"e0", "e1", "e2", "e3", "e4", "e5"},
                                                {"e1", "e2", "e3", "e4", "e5"},
                                                {"e2", "e3", "e4", "e5"}});
    CHECK(result.report.status == PGRAPH_RETRY);
    CHECK(result.report.retry_after_ms == 30000);
    CHECK(result.log.find("re-sent too often") != std::string::npos);
}

TEST_CASE("a fatal answer stops the publish with FATAL and a message without the key")
{
    FakeSender sender;
    sender.then(reply(400, std::string(R"({"code":400,"error":"Invalid API key: )") + key + R"("})"));
    const Run result = run(numbered_events("e", 2), sender);
    CHECK(result.report.status == PGRAPH_FATAL);
    CHECK(result.report.message.find("AMPLITUDE_API_KEY") != std::string::npos);
    CHECK(result.report.message.find(key) == std::string::npos);
    CHECK(result.log.find(key) == std::string::npos);
}

TEST_CASE("a server error leaves every event to retry with the status and the reason")
{
    FakeSender sender;
    sender.then(reply(503, R"({"code":503,"error":"Service unavailable"})"));
    const Run result = run(numbered_events("e", 2), sender);
    CHECK(result.report.status == PGRAPH_RETRY);
    CHECK(result.report.http_status == 503);
    CHECK(result.report.retry_after_ms == 0);
    CHECK(result.report.message.find("Amplitude answered 503") != std::string::npos);
}

TEST_CASE("a 403 rejects the batch and logs the body")
{
    FakeSender sender;
    sender.then(reply(403, R"({"code":403,"error":"Forbidden"})"));
    const Run result = run(numbered_events("e", 2), sender);
    CHECK(result.report.status == PGRAPH_REJECT);
    CHECK(result.report.message.find(R"({"code":403,"error":"Forbidden"})") != std::string::npos);
    CHECK(result.log.find(R"(2 events rejected: Amplitude answered 403: {"code":403,"error":"Forbidden"})") !=
          std::string::npos);
}

TEST_CASE("no request starts once the deadline has passed")
{
    FakeSender sender;
    const Run result = run(numbered_events("e", 2), sender, test_settings(), 999'990, 1'000'000);
    CHECK(sender.sent.empty());
    CHECK(result.report.status == PGRAPH_RETRY);
    CHECK(result.report.message.find("deadline") != std::string::npos);
}

TEST_CASE("the request timeout is capped by the time left before the deadline")
{
    FakeSender sender;
    DeliverySettings settings = test_settings();
    settings.request_timeout = 10'000ms;
    run(numbered_events("e", 1), sender, settings, 1'000'700, 1'000'000);
    REQUIRE(sender.sent.size() == 1);
    CHECK(sender.sent[0].timeout == 700ms);
    run(numbered_events("e", 1), sender, settings, 0, 1'000'000);
    CHECK(sender.sent[1].timeout == 10'000ms);
}

TEST_CASE("the number of requests in one publish is capped")
{
    FakeSender sender;
    sender.otherwise([](const SentRequest &) { return reply(413, R"({"code":413,"error":"Payload too large"})"); });
    DeliverySettings settings = test_settings();
    settings.max_requests = 5;
    const Run result = run(numbered_events("e", 8), sender, settings);
    CHECK(
        sender.requests() ==
        std::vector<Ids>{
            {"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"}, {"e0", "e1", "e2", "e3"}, {"e0", "e1"}, {"e0"}, {"e1"}});
    CHECK(result.report.status == PGRAPH_PARTIAL);
    CHECK(statuses(result.report) == std::vector{reject, reject, retry, retry, retry, retry, retry, retry});
}

TEST_CASE("events that can never be sent are rejected without reaching Amplitude")
{
    std::vector<OwnedEvent> events = numbered_events("e", 3);
    events[1].user_id = "undefined";
    events[1].session_id = "null";
    events[1].canonical();
    FakeSender sender;
    const Run result = run(events, sender);
    CHECK(sender.requests() == std::vector<Ids>{{"e0", "e2"}});
    CHECK(result.report.status == PGRAPH_PARTIAL);
    CHECK(statuses(result.report) == std::vector{ok, reject, ok});
    CHECK(result.report.events[1].reason.find("no usable") != std::string::npos);
}

TEST_CASE("a full batch is cut into requests under the byte limit")
{
    std::vector<OwnedEvent> events = numbered_events("e", 2000);
    for (OwnedEvent &event : events) event.canonical(R"(,"page.title":")" + std::string(900, 'x') + "\"");
    FakeSender sender;
    const Run result = run(events, sender);
    CHECK(result.report.status == PGRAPH_OK);
    CHECK(sender.sent.size() > 1);
    std::size_t total = 0;
    for (const SentRequest &request : sender.sent) {
        CHECK(request.body.size() < 1'000'000);
        total += request.insert_ids.size();
    }
    CHECK(total == 2000);
}

TEST_CASE("cut strings are logged through the host log with the event id on the first attempt only")
{
    std::vector<OwnedEvent> events = numbered_events("e", 1);
    events[0].canonical(R"(,"error.stack":")" + std::string(3000, 's') + "\"");
    FakeSender sender;
    const Run result = run(events, sender);
    CHECK(result.report.status == PGRAPH_OK);
    CHECK(result.log.find("amplitude: event e0: event_properties.error_stack: strings cut to 1024 characters") !=
          std::string::npos);
    // A retry sends the same cut event without reporting it again.
    const Run retried = run(events, sender, test_settings(), 0, 1'000'000, 2);
    CHECK(retried.report.status == PGRAPH_OK);
    CHECK(retried.log.find("strings cut") == std::string::npos);
    CHECK(sender.sent[0].body == sender.sent[1].body);
}

TEST_CASE("a smaller publish after a larger one sends only its own events with nothing left from before")
{
    // The delivery keeps each thread's formatted events and body from publish to publish.
    std::vector<OwnedEvent> large = numbered_events("big", 3);
    large[0].canonical(R"(,"error.stack":")" + std::string(3000, 's') + R"(","plan":"pro")");
    std::vector<OwnedEvent> small = numbered_events("small", 1);
    small[0].user_id = "undefined";
    small[0].device_id = "device-7";
    small[0].canonical(R"(,"page.title":"Home")");
    FakeSender sender;
    REQUIRE(run(large, sender).report.status == PGRAPH_OK);
    const Run second = run(small, sender);
    CHECK(second.report.status == PGRAPH_OK);
    CHECK(sender.requests() == std::vector<Ids>{{"big0", "big1", "big2"}, {"small0"}});
    CHECK(second.log.find("cut") == std::string::npos);
    const rapidjson::Document body = parse(sender.sent[1].body);
    const rapidjson::Value &event = body["events"][0];
    CHECK(!event.HasMember("user_id"));
    CHECK(std::string(event["device_id"].GetString()) == "device-7");
    CHECK(std::string(event["event_properties"]["page_title"].GetString()) == "Home");
    CHECK(!event["event_properties"].HasMember("plan"));
    CHECK(!event["event_properties"].HasMember("error_stack"));
}

TEST_CASE("each answer is logged at debug level with status latency and body but never the key")
{
    FakeSender sender;
    sender.then(reply(200, std::string(R"({"code":200,"echo":")") + key + R"("})"));
    const Run result = run(numbered_events("e", 2), sender);
    CHECK(result.log.find("amplitude: 2 events, ") != std::string::npos);
    CHECK(result.log.find(" bytes, 3 ms, status 200: {\"code\":200,\"echo\":\"[redacted]\"}") != std::string::npos);
    CHECK(result.log.find(key) == std::string::npos);
}
