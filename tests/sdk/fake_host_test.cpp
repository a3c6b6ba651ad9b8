// The installed fake host, used as a plugin author would: on the C example (minimal)
// and the C++ example (counter), loaded from their built files.
#include <productgraph/fake_host.hpp>

#include <doctest/doctest.h>

#include <string>

using pgraph::testing::FakeHost;

namespace {

std::string event(const std::string &id, const std::string &type)
{
    return R"({"event_id":")" + id + R"(","session":{"id":"s-1"},"event":{"type":")" + type +
           R"(","timestamp":"2026-01-01T00:00:00.123Z","props":{"n":[1,2,{"x":"y"}]}},"user":{"id":"u-1"}})";
}

}  // namespace

TEST_CASE("the fake host reads an event's host fields from its JSON")
{
    const auto e = pgraph::testing::event_from_json(event("e-1", "ui.click"));
    CHECK(e.event_id == "e-1");
    CHECK(e.type == "ui.click");
    CHECK(e.session_id == "s-1");
    CHECK(e.user_id == "u-1");
    CHECK(e.timestamp_ms == 1767225600123);
    CHECK_THROWS_AS(pgraph::testing::event_from_json(R"({"event_id":)"), std::invalid_argument);
}

TEST_CASE("the minimal C plugin logs each event with the configured prefix through the host")
{
    FakeHost host = FakeHost::load(PG_MINIMAL_PLUGIN);
    host.set("MINIMAL_PREFIX", "seen");
    REQUIRE(host.create());
    const auto outcome = host.publish({event("e-1", "ui.click"), event("e-2", "page.view")});
    CHECK(outcome.status == PGRAPH_OK);
    CHECK(host.logged("seen ui.click e-1"));
    CHECK(host.logged("seen page.view e-2"));
    CHECK(host.logs().size() == 2);
}

TEST_CASE("the C++ counter rejects only events of COUNTER_REJECT_TYPE and serves its counts")
{
    FakeHost host = FakeHost::load(PG_COUNTER_PLUGIN);
    host.set("COUNTER_REJECT_TYPE", "spam");
    REQUIRE(host.create());
    const auto outcome = host.publish({event("a", "ui.click"), event("b", "spam"), event("c", "ui.click")});
    REQUIRE(outcome.status == PGRAPH_PARTIAL);
    CHECK(outcome.event_status ==
          std::vector<pgraph_event_status>{PGRAPH_EVENT_OK, PGRAPH_EVENT_REJECT, PGRAPH_EVENT_OK});
    CHECK(outcome.event_reason[1] == "rejected by COUNTER_REJECT_TYPE");
    const auto counts = host.get("/counts");
    CHECK(counts.status == 200);
    CHECK(counts.body == R"({"ui.click":2})");
    CHECK(host.get("/nothing").status == 404);
    CHECK(host.verify().first == PGRAPH_OK);
}

TEST_CASE("the C++ counter's create refuses a bad variable through the exception firewall")
{
    FakeHost host = FakeHost::load(PG_COUNTER_PLUGIN);
    host.set("COUNTER_REJECT_TYPE", std::string(101, 'x'));
    CHECK_FALSE(host.create());
    CHECK(host.create_error() == "COUNTER_REJECT_TYPE: longer than 100 characters");
}
