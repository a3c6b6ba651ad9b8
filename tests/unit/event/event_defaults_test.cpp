// product-spec §1 defaults: the seed's event, which has no id, project or time, is valid.
#include <doctest/doctest.h>

#include <string>

#include "event/batch_parser.hpp"

using namespace productgraph::event;

namespace {

// The seed document's example event, verbatim.
const std::string seed_event =
    R"({"event.type":"ui.click","event.name":"signup_button_clicked","user.id":"user-123",)"
    R"("session.id":"sess-abc","page.path":"/signup","ui.component.name":"SignupButton","ui.action":"click"})";

constexpr int64_t received_ms = 1705314615123;  // 2024-01-15T10:30:15.123Z

ParsedBatch parse_events(const std::string &events, std::string_view default_project = "default")
{
    std::string body = R"({"events":[)" + events + "]}";
    RequestContext context{"203.0.113.7", "agent", received_ms, default_project};
    auto result = parse_batch(body, context);
    REQUIRE(result.has_value());
    return std::move(*result);
}

}  // namespace

TEST_CASE("the seed's event gets a UUIDv7 and the receive time and the default project")
{
    const ParsedBatch batch = parse_events(seed_event);
    REQUIRE(batch.accepted.size() == 1);
    CHECK(batch.errors.empty());
    const EventRecord &record = *batch.accepted[0];
    const std::string id(record.event_id());
    REQUIRE(id.size() == 36);
    CHECK(id.starts_with("018d0cab-ff53-7"));  // the receive time's 48 bits, version 7
    CHECK(record.timestamp_ms() == received_ms);
    CHECK(record.type() == "ui.click");
    CHECK(record.name() == "signup_button_clicked");
    CHECK(record.user_id() == "user-123");
    CHECK(record.session_id() == "sess-abc");
    // The defaults are written into the canonical event, ahead of the fields as sent.
    CHECK(record.json() == R"({"event_id":")" + id +
                               R"(","project_id":"default","event.timestamp":"2024-01-15T10:30:15.123Z",)" +
                               seed_event.substr(1));
}

TEST_CASE("the configured default project is written and escaped as JSON")
{
    const ParsedBatch batch = parse_events(seed_event, "team \"web\"");
    REQUIRE(batch.accepted.size() == 1);
    CHECK(batch.accepted[0]->json().find(R"("project_id":"team \"web\"",)") != std::string_view::npos);
}

TEST_CASE("an event's own id and project and timestamp are kept as sent")
{
    const std::string event = R"({"event_id":"evt_1","project_id":"proj","event.timestamp":"2024-01-15T10:30:15Z",)"
                              R"("session.id":"s","event.type":"custom"})";
    const ParsedBatch batch = parse_events(event);
    REQUIRE(batch.accepted.size() == 1);
    CHECK(batch.accepted[0]->event_id() == "evt_1");
    CHECK(batch.accepted[0]->timestamp_ms() == 1705314615000);
    CHECK(batch.accepted[0]->json() == event);
}

TEST_CASE("only the missing fields get defaults")
{
    const ParsedBatch batch =
        parse_events(R"({"event_id":"evt_1","session.id":"s","event.type":"custom","product_id":"shop"})");
    REQUIRE(batch.accepted.size() == 1);
    CHECK(batch.accepted[0]->event_id() == "evt_1");
    CHECK(
        batch.accepted[0]->json() ==
        R"({"event.timestamp":"2024-01-15T10:30:15.123Z","event_id":"evt_1","session.id":"s","event.type":"custom","product_id":"shop"})");
}

TEST_CASE("a null id or project or timestamp is replaced by its default and never repeated")
{
    const ParsedBatch batch = parse_events(
        R"({"event_id":null,"project_id":null,"product_id":null,"event.timestamp":null,"session.id":"s","event.type":"custom"})");
    REQUIRE(batch.accepted.size() == 1);
    const std::string json(batch.accepted[0]->json());
    const std::string id(batch.accepted[0]->event_id());
    CHECK(
        json ==
        R"({"event_id":")" + id +
            R"(","project_id":"default","event.timestamp":"2024-01-15T10:30:15.123Z","session.id":"s","event.type":"custom"})");
}

TEST_CASE("every event of a batch gets its own id in increasing order")
{
    const ParsedBatch batch = parse_events(seed_event + "," + seed_event + "," + seed_event);
    REQUIRE(batch.accepted.size() == 3);
    CHECK(batch.accepted[0]->event_id() < batch.accepted[1]->event_id());
    CHECK(batch.accepted[1]->event_id() < batch.accepted[2]->event_id());
}

TEST_CASE("session.id and event.type stay required and an invalid event gets no default")
{
    const ParsedBatch batch = parse_events(R"({"event.type":"ui.click"},{"session.id":"s"})");
    CHECK(batch.accepted.empty());
    CHECK(batch.rejected == 2);
    REQUIRE(batch.errors.size() == 2);
    CHECK(batch.errors[0].index == 0);
    CHECK(batch.errors[0].message == "session.id: required");
    CHECK(batch.errors[1].index == 1);
    CHECK(batch.errors[1].message == "event.type: required");
}

TEST_CASE("a present but bad timestamp is still refused")
{
    const ParsedBatch batch = parse_events(R"({"session.id":"s","event.type":"custom","event.timestamp":"yesterday"})");
    CHECK(batch.accepted.empty());
    REQUIRE(batch.errors.size() == 1);
    CHECK(batch.errors[0].message.starts_with("event.timestamp: must be an RFC 3339"));
}
