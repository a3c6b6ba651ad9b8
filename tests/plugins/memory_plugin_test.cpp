// Tests of the built memory.so through the C ABI alone, as the host sees it.
#include "plugin_harness.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace productgraph::test_plugins {
namespace {

const LoadedPlugin &memory_plugin()
{
    static const LoadedPlugin plugin(PG_MEMORY_PLUGIN_PATH);
    return plugin;
}

const pgraph_publisher_descriptor &memory_descriptor()
{
    const pgraph_publisher_descriptor *descriptor = memory_plugin().negotiate();
    REQUIRE(descriptor != nullptr);
    return *descriptor;
}

std::string events_body(const std::vector<TestEvent> &newest_first)
{
    std::string body = "{\"events\":[";
    for (std::size_t i = 0; i < newest_first.size(); ++i) {
        body += (i > 0 ? "," : "") + newest_first[i].json;
    }
    return body + "],\"count\":" + std::to_string(newest_first.size()) + "}";
}

TEST_CASE("the memory plugin is enabled by default and is not an analytics provider")
{
    const pgraph_publisher_descriptor &d = memory_descriptor();
    CHECK(d.struct_size == sizeof(pgraph_publisher_descriptor));
    CHECK(d.abi_major == PGRAPH_ABI_MAJOR);
    CHECK(d.min_host_minor == 0);
    CHECK(std::string_view(d.name) == "memory");
    CHECK(std::string_view(d.version) == "1.0.0");
    CHECK(d.flags == PGRAPH_PLUGIN_ENABLED_BY_DEFAULT);
    CHECK(std::string_view(d.enable_variable) == "MEMORY_ENABLED");
    CHECK(d.max_batch_events == 1000);
    CHECK(d.max_batch_bytes == 0);
    CHECK((d.create != nullptr));
    CHECK((d.publish != nullptr));
    CHECK((d.destroy != nullptr));
    CHECK((d.handle_request != nullptr));
}

TEST_CASE("the memory plugin declares MEMORY_ENABLED and MEMORY_MAX_EVENTS with defaults")
{
    const pgraph_publisher_descriptor &d = memory_descriptor();
    REQUIRE(d.env_var_count == 2);
    REQUIRE(d.env_var_size == sizeof(pgraph_env_var));
    CHECK(std::string_view(d.env_vars[0].name) == "MEMORY_ENABLED");
    CHECK(std::string_view(d.env_vars[0].default_value) == "true");
    CHECK(std::string_view(d.env_vars[1].name) == "MEMORY_MAX_EVENTS");
    CHECK(std::string_view(d.env_vars[1].default_value) == "100000");
    for (std::uint32_t i = 0; i < d.env_var_count; ++i) {
        CHECK(d.env_vars[i].struct_size == sizeof(pgraph_env_var));
        CHECK(d.env_vars[i].flags == 0);
        CHECK(std::strlen(d.env_vars[i].description) > 0);
    }
}

TEST_CASE("the memory plugin refuses a host of another ABI major and says why")
{
    std::string reason;
    CHECK(memory_plugin().negotiate(2, &reason) == nullptr);
    CHECK(reason == "memory plugin speaks ABI major 1, the host speaks 2");
}

TEST_CASE("an invalid MEMORY_MAX_EVENTS fails create with an error naming it")
{
    for (const char *value : {"0", "abc", "-3", ""}) {
        CAPTURE(value);
        PluginInstance instance(memory_descriptor(), {{"MEMORY_MAX_EVENTS", value}});
        CHECK(instance.create_status() == PGRAPH_FATAL);
        CHECK(instance.create_error().starts_with("MEMORY_MAX_EVENTS must be a positive integer"));
        CHECK(instance.raw() == nullptr);
    }
}

TEST_CASE("published events come back verbatim and newest first from GET /events")
{
    PluginInstance instance(memory_descriptor(), {{"MEMORY_ENABLED", "true"}, {"MEMORY_MAX_EVENTS", "100"}});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const TestEvent e1 = make_event("e1");
    const TestEvent e2 = make_event("e2");
    const TestEvent e3 = make_event("e3");

    CHECK(instance.publish({e1, e2}).status == PGRAPH_OK);
    CHECK(instance.publish({e3}).status == PGRAPH_OK);

    const Response response = instance.request("/events");
    CHECK(response.status == 200);
    CHECK(response.body == events_body({e3, e2, e1}));
}

TEST_CASE("GET /events applies the filters and the limit from the query")
{
    PluginInstance instance(memory_descriptor(), {{"MEMORY_MAX_EVENTS", "100"}});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const TestEvent a = make_event("a", "sess one", "u1", "ui.click");
    const TestEvent b = make_event("b", "sess two", "u1", "page.view");
    const TestEvent c = make_event("c", "sess one", "u2", "page.view");
    REQUIRE(instance.publish({a, b, c}).status == PGRAPH_OK);

    CHECK(instance.request("/events", "session_id=sess%20one").body == events_body({c, a}));
    CHECK(instance.request("/events", "session_id=sess+two").body == events_body({b}));
    CHECK(instance.request("/events", "user_id=u1").body == events_body({b, a}));
    CHECK(instance.request("/events", "type=page.view").body == events_body({c, b}));
    CHECK(instance.request("/events", "type=page.view&user_id=u2").body == events_body({c}));
    CHECK(instance.request("/events", "limit=1").body == events_body({c}));
    CHECK(instance.request("/events", "type=error").body == events_body({}));
}

TEST_CASE("GET /events refuses an invalid limit with status 400")
{
    PluginInstance instance(memory_descriptor(), {});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    for (const char *query : {"limit=0", "limit=10001", "limit=x"}) {
        CAPTURE(query);
        const Response response = instance.request("/events", query);
        CHECK(response.status == 400);
        CHECK(response.body == R"({"error":"limit: must be an integer from 1 to 10000"})");
    }
}

TEST_CASE("GET /stats counts stored and received and evicted events")
{
    PluginInstance instance(memory_descriptor(), {{"MEMORY_MAX_EVENTS", "2"}});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    CHECK(instance.request("/stats").body == R"({"stored":0,"max_events":2,"received_total":0,"evicted_total":0})");

    REQUIRE(instance.publish({make_event("e1"), make_event("e2"), make_event("e3")}).status == PGRAPH_OK);
    const Response response = instance.request("/stats");
    CHECK(response.status == 200);
    CHECK(response.body == R"({"stored":2,"max_events":2,"received_total":3,"evicted_total":1})");
    CHECK(instance.request("/events").body == events_body({make_event("e3"), make_event("e2")}));
}

TEST_CASE("the memory plugin answers 404 for other paths and 405 for other methods")
{
    PluginInstance instance(memory_descriptor(), {});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    for (const char *path : {"", "/", "/events/", "/event", "/stats/x"}) {
        CAPTURE(path);
        const Response response = instance.request(path);
        CHECK(response.status == 404);
        CHECK(response.body == R"({"error":"not found"})");
    }
    const Response response = instance.request("/events", "", "POST");
    CHECK(response.status == 405);
    CHECK(response.body == R"({"error":"method not allowed"})");
}

}  // namespace
}  // namespace productgraph::test_plugins
