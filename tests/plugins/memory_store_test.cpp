// Unit tests of the memory plugin's store, query parsing and settings (no plugin loading).
#include "memory_config.hpp"
#include "memory_query.hpp"
#include "memory_store.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace productgraph::memory {
namespace {

// An event that owns its text, for the store to copy.
struct TestEvent {
    std::string json, type, user_id, session_id;
};

TestEvent event(const std::string &id, const std::string &session = "s1", const std::string &user = "",
                const std::string &type = "ui.click")
{
    return TestEvent{"{\"event_id\":\"" + id + "\"}", type, user, session};
}

// One publish call's worth of events.
void add(MemoryStore &store, const std::vector<TestEvent> &events)
{
    std::vector<EventToStore> views;
    for (const TestEvent &e : events) views.push_back(EventToStore{e.json, e.type, e.user_id, e.session_id});
    store.add(views);
}

std::string json_of(const std::string &id)
{
    return "{\"event_id\":\"" + id + "\"}";
}

EventFilter parsed(std::string_view query)
{
    const QueryResult result = parse_events_query(query);
    REQUIRE(std::holds_alternative<EventFilter>(result));
    return std::get<EventFilter>(result);
}

std::string refusal(std::string_view query)
{
    const QueryResult result = parse_events_query(query);
    REQUIRE(std::holds_alternative<QueryError>(result));
    return std::get<QueryError>(result).message;
}

TEST_CASE("a full store evicts the oldest events")
{
    MemoryStore store(3);
    add(store, {event("e1"), event("e2")});
    add(store, {event("e3"), event("e4"), event("e5")});

    CHECK(store.find({}) == std::vector{json_of("e5"), json_of("e4"), json_of("e3")});
    const StoreStats stats = store.stats();
    CHECK(stats.stored == 3);
    CHECK(stats.max_events == 3);
    CHECK(stats.received_total == 5);
    CHECK(stats.evicted_total == 2);
}

TEST_CASE("a batch larger than the store keeps only its newest events")
{
    MemoryStore store(2);
    add(store, {event("e1"), event("e2"), event("e3")});
    CHECK(store.find({}) == std::vector{json_of("e3"), json_of("e2")});
    CHECK(store.stats().evicted_total == 1);
}

TEST_CASE("eviction takes the oldest events one by one across the batches they came in")
{
    MemoryStore store(4);
    add(store, {event("e1"), event("e2"), event("e3")});
    add(store, {event("e4"), event("e5")});  // evicts e1 only: its batch keeps e2 and e3
    CHECK(store.find({}) == std::vector{json_of("e5"), json_of("e4"), json_of("e3"), json_of("e2")});
    add(store, {event("e6"), event("e7"), event("e8")});  // the rest of the first batch, then e4
    CHECK(store.find({}) == std::vector{json_of("e8"), json_of("e7"), json_of("e6"), json_of("e5")});
    const StoreStats stats = store.stats();
    CHECK(stats.stored == 4);
    CHECK(stats.evicted_total == 4);
    CHECK(stats.received_total == 8);
}

TEST_CASE("events come back newest first")
{
    MemoryStore store(10);
    add(store, {event("e1")});
    add(store, {event("e2")});
    add(store, {event("e3")});
    CHECK(store.find({}) == std::vector{json_of("e3"), json_of("e2"), json_of("e1")});
}

TEST_CASE("each filter keeps only the events that match it exactly")
{
    MemoryStore store(10);
    add(store, {event("a", "s1", "u1", "ui.click"), event("b", "s2", "u1", "page.view"),
                event("c", "s1", "", "page.view"), event("d", "s2", "u2", "ui.click")});

    EventFilter filter;
    SUBCASE("session_id")
    {
        filter.session_id = "s1";
        CHECK(store.find(filter) == std::vector{json_of("c"), json_of("a")});
    }
    SUBCASE("user_id")
    {
        filter.user_id = "u1";
        CHECK(store.find(filter) == std::vector{json_of("b"), json_of("a")});
    }
    SUBCASE("an empty user_id selects the events without a user")
    {
        filter.user_id = "";
        CHECK(store.find(filter) == std::vector{json_of("c")});
    }
    SUBCASE("type")
    {
        filter.type = "ui.click";
        CHECK(store.find(filter) == std::vector{json_of("d"), json_of("a")});
    }
    SUBCASE("filters combine")
    {
        filter.session_id = "s2";
        filter.type = "page.view";
        CHECK(store.find(filter) == std::vector{json_of("b")});
    }
    SUBCASE("no match")
    {
        filter.session_id = "s3";
        CHECK(store.find(filter).empty());
    }
}

TEST_CASE("the limit keeps the newest matching events")
{
    MemoryStore store(10);
    add(store, {event("e1"), event("e2", "other"), event("e3"), event("e4")});
    EventFilter filter;
    filter.session_id = "s1";
    filter.limit = 2;
    CHECK(store.find(filter) == std::vector{json_of("e4"), json_of("e3")});
}

TEST_CASE("readers and a writer can use the store at the same time")
{
    MemoryStore store(50);
    std::thread writer([&] {
        for (int i = 0; i < 2000; ++i) add(store, {event("e" + std::to_string(i))});
    });
    std::size_t biggest = 0;
    for (int i = 0; i < 2000; ++i) {
        biggest = std::max({biggest, store.find({}).size(), store.stats().stored});
    }
    writer.join();
    CHECK(biggest <= 50);
    CHECK(store.stats().received_total == 2000);
    CHECK(store.find({}).front() == json_of("e1999"));
}

TEST_CASE("an empty query asks for the newest 100 events with no filter")
{
    const EventFilter filter = parsed("");
    CHECK_FALSE(filter.session_id);
    CHECK_FALSE(filter.user_id);
    CHECK_FALSE(filter.type);
    CHECK(filter.limit == 100);
}

TEST_CASE("query parameters fill the filter")
{
    const EventFilter filter = parsed("session_id=s1&user_id=u1&type=ui.click&limit=7");
    CHECK(filter.session_id == "s1");
    CHECK(filter.user_id == "u1");
    CHECK(filter.type == "ui.click");
    CHECK(filter.limit == 7);
}

TEST_CASE("query parameters are percent-decoded")
{
    const EventFilter filter = parsed("session_id=sess%20one&user_id=a%2Bb%2fc&type=ui+click");
    CHECK(filter.session_id == "sess one");
    CHECK(filter.user_id == "a+b/c");
    CHECK(filter.type == "ui click");
    CHECK(parsed("%74ype=x").type == "x");
    CHECK(percent_decode("%C3%A9") == "\xC3\xA9");
}

TEST_CASE("empty pairs and an empty value are accepted")
{
    const EventFilter filter = parsed("&&user_id=&type=x&");
    CHECK(filter.user_id == "");
    CHECK(filter.type == "x");
    CHECK(parsed("user_id").user_id == "");
}

TEST_CASE("a malformed percent escape is refused")
{
    for (const char *query : {"type=%", "type=%4", "type=%zz", "type=%4g", "ty%pe=x"}) {
        CAPTURE(query);
        CHECK(refusal(query) == "query: invalid percent-encoding");
    }
}

TEST_CASE("limit must be an integer from 1 to 10000")
{
    for (const char *query : {"limit=0", "limit=10001", "limit=-1", "limit=abc", "limit=", "limit=1.5", "limit=%205",
                              "limit=5x", "limit=99999999999999999999"}) {
        CAPTURE(query);
        CHECK(refusal(query) == "limit: must be an integer from 1 to 10000");
    }
    CHECK(parsed("limit=1").limit == 1);
    CHECK(parsed("limit=10000").limit == 10000);
    CHECK(parsed("limit=%31%30").limit == 10);
}

TEST_CASE("unknown and repeated query parameters are refused")
{
    CHECK(refusal("sessionid=s1") == "unknown query parameter; use session_id, user_id, type or limit");
    CHECK(refusal("type=a&type=b") == "type: given more than once");
    CHECK(refusal("limit=1&limit=2") == "limit: given more than once");
}

TEST_CASE("MEMORY_MAX_EVENTS must be a positive integer")
{
    const SettingsResult defaulted = parse_settings(std::nullopt);
    REQUIRE(std::holds_alternative<MemorySettings>(defaulted));
    CHECK(std::get<MemorySettings>(defaulted).max_events == 100000);

    const SettingsResult five = parse_settings("5");
    REQUIRE(std::holds_alternative<MemorySettings>(five));
    CHECK(std::get<MemorySettings>(five).max_events == 5);

    for (const char *value : {"0", "-1", "abc", "", " 5", "5 ", "+5", "1e5", "99999999999999999999999"}) {
        CAPTURE(value);
        const SettingsResult result = parse_settings(value);
        REQUIRE(std::holds_alternative<std::string>(result));
        CHECK(std::get<std::string>(result).starts_with("MEMORY_MAX_EVENTS must be a positive integer"));
    }
}

}  // namespace
}  // namespace productgraph::memory
