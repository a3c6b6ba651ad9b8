// The validator: every required field, every type error, limits and hostile input.
#include <doctest/doctest.h>

#include <string>

#include "event/batch_parser.hpp"

using namespace productgraph::event;

namespace {

const std::string valid_event =
    R"({"event_id":"evt_002","project_id":"proj_demo","session.id":"sess_abc123","user.id":"user-123",)"
    R"("event.type":"ui.click","event.name":"signup_button_clicked","event.timestamp":"2024-01-15T10:30:15Z",)"
    R"("page.path":"/signup","ui.component.name":"SignupButton","ui.action":"click"})";

ParsedBatch parse_ok(std::string body, const BatchLimits &limits = {})
{
    RequestContext context{"203.0.113.7", "test-agent/1.0", 1700000000000};
    auto result = parse_batch(body, context, limits);
    REQUIRE(result.has_value());
    return std::move(*result);
}

std::string parse_error(std::string body, const BatchLimits &limits = {})
{
    auto result = parse_batch(body, RequestContext{}, limits);
    REQUIRE_FALSE(result.has_value());
    return result.error().message;
}

// Errors of a one-event batch built from valid_event with `field` replaced by `value`
// (or removed when value is empty).
std::vector<std::string> errors_with(const std::string &field, const std::string &value)
{
    std::string event = R"({"event_id":"e1","project_id":"p","session.id":"s","event.type":"custom",)"
                        R"("event.timestamp":"2024-01-15T10:30:15Z")";
    const std::string key = "\"" + field + "\":";
    const size_t at = event.find(key);
    if (at != std::string::npos) {
        const size_t end = event.find_first_of(",", at);
        event.erase(at, (end == std::string::npos ? event.size() : end + 1) - at);
    }
    if (event.back() == ',') event.pop_back();
    if (!value.empty()) event += "," + key + value;
    event += "}";
    const ParsedBatch batch = parse_ok(R"({"events":[)" + event + "]}");
    std::vector<std::string> messages;
    for (const auto &error : batch.errors) messages.push_back(error.message);
    return messages;
}

}  // namespace

TEST_CASE("the product-spec example is accepted and normalised")
{
    const ParsedBatch batch = parse_ok(R"({"events":[)" + valid_event + "]}");
    REQUIRE(batch.accepted.size() == 1);
    CHECK(batch.errors.empty());
    const EventRecord &record = *batch.accepted[0];
    CHECK(record.event_id() == "evt_002");
    CHECK(record.type() == "ui.click");
    CHECK(record.name() == "signup_button_clicked");
    CHECK(record.user_id() == "user-123");
    CHECK(record.session_id() == "sess_abc123");
    CHECK(record.device_id().empty());
    CHECK(record.timestamp_ms() == 1705314615000);
    CHECK(record.client_ip() == "203.0.113.7");
    CHECK(record.user_agent() == "test-agent/1.0");
    CHECK(record.received_ms() == 1700000000000);
    CHECK(record.json() == valid_event);  // compact, field names and order as sent
}

TEST_CASE("whitespace is removed from the canonical record")
{
    const ParsedBatch batch = parse_ok(
        "{ \"events\" : [ { \"event_id\" : \"a\", \"product_id\":\"p\", \"session.id\":\"s\",\n"
        "\"event.type\":\"custom\", \"event.timestamp\":\"2024-01-15T10:30:15Z\", \"metadata\": {\"k\": [1, 2]} } ] }");
    REQUIRE(batch.accepted.size() == 1);
    CHECK(
        batch.accepted[0]->json() ==
        R"({"event_id":"a","product_id":"p","session.id":"s","event.type":"custom","event.timestamp":"2024-01-15T10:30:15Z","metadata":{"k":[1,2]}})");
}

TEST_CASE("each missing required field is reported by name")
{
    CHECK(errors_with("session.id", "") == std::vector<std::string>{"session.id: required"});
    CHECK(errors_with("event.type", "") == std::vector<std::string>{"event.type: required"});
}

TEST_CASE("event_id and project_id and event.timestamp are optional")
{
    CHECK(errors_with("event_id", "").empty());
    CHECK(errors_with("project_id", "").empty());
    CHECK(errors_with("event.timestamp", "").empty());
}

TEST_CASE("product_id is accepted as the alias of project_id")
{
    const ParsedBatch batch = parse_ok(
        R"({"events":[{"event_id":"e","product_id":"p","session.id":"s","event.type":"custom","event.timestamp":"2024-01-15T10:30:15Z"}]})");
    REQUIRE(batch.accepted.size() == 1);
    // The alias is the event's own project: no default is added beside it.
    CHECK(
        batch.accepted[0]->json() ==
        R"({"event_id":"e","product_id":"p","session.id":"s","event.type":"custom","event.timestamp":"2024-01-15T10:30:15Z"})");
}

TEST_CASE("a null required field counts as missing")
{
    CHECK(errors_with("session.id", "null") == std::vector<std::string>{"session.id: required"});
    CHECK(errors_with("event.type", "null") == std::vector<std::string>{"event.type: required"});
}

TEST_CASE("empty required strings are refused")
{
    CHECK(errors_with("event_id", R"("")") == std::vector<std::string>{"event_id: must not be empty"});
    CHECK(errors_with("session.id", R"("")") == std::vector<std::string>{"session.id: must not be empty"});
}

TEST_CASE("each field type is checked and the error names the field")
{
    CHECK(errors_with("event_id", "42") == std::vector<std::string>{"event_id: must be a string"});
    CHECK(errors_with("user.id", "7") == std::vector<std::string>{"user.id: must be a string"});
    CHECK(errors_with("event.sequence", R"("3")") == std::vector<std::string>{"event.sequence: must be an integer"});
    CHECK(errors_with("api.status_code", "200.5") == std::vector<std::string>{"api.status_code: must be an integer"});
    CHECK(errors_with("duration_ms", "true") == std::vector<std::string>{"duration_ms: must be an integer"});
    CHECK(errors_with("ui.scroll.position", R"("10")") ==
          std::vector<std::string>{"ui.scroll.position: must be a number"});
    CHECK(errors_with("performance.cls", "[]") == std::vector<std::string>{"performance.cls: must be a number"});
    CHECK(errors_with("metadata", R"("x")") == std::vector<std::string>{"metadata: must be an object"});
    CHECK(errors_with("page.path", "{}") == std::vector<std::string>{"page.path: must be a string"});
}

TEST_CASE("numbers and integers and optional nulls of the right type are accepted")
{
    CHECK(errors_with("ui.scroll.position", "10.5").empty());
    CHECK(errors_with("performance.lcp_ms", "1200").empty());
    CHECK(errors_with("api.status_code", "404").empty());
    CHECK(errors_with("user.id", "null").empty());
    CHECK(errors_with("metadata", R"({"plan":"pro","n":1})").empty());
}

TEST_CASE("unknown event types and bad timestamps are refused")
{
    CHECK(errors_with("event.type", R"("ui.hover")") ==
          std::vector<std::string>{"event.type: unknown type \"ui.hover\""});
    const auto errors = errors_with("event.timestamp", R"("2024-01-15 10:30")");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].starts_with("event.timestamp: must be an RFC 3339"));
}

TEST_CASE("invalid events are reported by index while valid ones are kept")
{
    const ParsedBatch batch = parse_ok(R"({"events":[)" + valid_event + R"(,{"event_id":5},)" + valid_event + "]}");
    CHECK(batch.accepted.size() == 2);
    CHECK(batch.rejected == 1);
    REQUIRE_FALSE(batch.errors.empty());
    for (const auto &error : batch.errors) CHECK(error.index == 1);
    CHECK(batch.errors[0].message == "event_id: must be a string");
}

TEST_CASE("a batch that is not JSON is refused as a whole")
{
    CHECK(parse_error("{\"events\":[").starts_with("invalid JSON"));
    CHECK(parse_error("").starts_with("invalid JSON"));
    CHECK(parse_error("[]") == "body: must be a JSON object with an \"events\" array");
    CHECK(parse_error("{\"events\":{}}") == "events: required, must be an array");
}

TEST_CASE("invalid UTF-8 is refused as invalid JSON")
{
    CHECK(parse_error("{\"events\":[{\"event_id\":\"\xff\xfe\"}]}").starts_with("invalid JSON"));
}

TEST_CASE("more than the event limit is refused while exactly the limit is accepted")
{
    BatchLimits limits;
    limits.max_events = 3;
    auto batch_of = [&](int n) {
        std::string body = R"({"events":[)";
        for (int i = 0; i < n; ++i) body += (i ? "," : "") + valid_event;
        return body + "]}";
    };
    CHECK(parse_ok(batch_of(3), limits).accepted.size() == 3);
    CHECK(parse_error(batch_of(4), limits) == "events: 4 events in one batch, at most 3 are allowed");
}

TEST_CASE("an event over the size limit is rejected by index and the rest kept")
{
    const std::string big = R"({"event_id":"big","project_id":"p","session.id":"s","event.type":"custom",)"
                            R"("event.timestamp":"2024-01-15T10:30:15Z","error.stack":")" +
                            std::string(101 * 1024, 'x') + "\"}";
    const ParsedBatch batch = parse_ok(R"({"events":[)" + valid_event + "," + big + "]}");
    CHECK(batch.accepted.size() == 1);
    REQUIRE(batch.errors.size() == 1);
    CHECK(batch.errors[0].index == 1);
    CHECK(batch.errors[0].message.find("larger than the 100 KB limit") != std::string::npos);
}

TEST_CASE("deep nesting inside an event is refused without recursion blowing up")
{
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const ParsedBatch batch =
        parse_ok(R"({"events":[{"event_id":"e","project_id":"p","session.id":"s","event.type":"custom",)"
                 R"("event.timestamp":"2024-01-15T10:30:15Z","custom.blob":)" +
                 deep + "}]}");
    CHECK(batch.accepted.empty());
    REQUIRE(batch.errors.size() == 1);
    CHECK(batch.errors[0].message == "custom.blob: nested deeper than 32 levels");
}

TEST_CASE("deep nesting outside the events array does not crash the parser")
{
    std::string body = R"({"x":)" + std::string(200000, '[') + std::string(200000, ']') + R"(,"events":[]})";
    CHECK(parse_ok(body).accepted.empty());
}

TEST_CASE("unknown fields are preserved in the canonical record")
{
    const ParsedBatch batch =
        parse_ok(R"({"events":[{"event_id":"e","project_id":"p","session.id":"s","event.type":"custom",)"
                 R"("event.timestamp":"2024-01-15T10:30:15Z","app.build":17}]})");
    REQUIRE(batch.accepted.size() == 1);
    CHECK(batch.accepted[0]->json().find(R"("app.build":17)") != std::string::npos);
}
