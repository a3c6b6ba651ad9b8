// Checks that each test plugin plays its part, so host tests can trust them.
#include "plugin_harness.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace productgraph::test_plugins {
namespace {

std::string plugin_path(const std::string &name)
{
    return std::string(PG_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

// Each file is loaded once and stays loaded: descriptors point into it.
const LoadedPlugin &plugin(const std::string &name)
{
    static std::map<std::string, std::unique_ptr<LoadedPlugin>> loaded;
    auto &slot = loaded[name];
    if (!slot) slot = std::make_unique<LoadedPlugin>(plugin_path(name));
    return *slot;
}

const pgraph_publisher_descriptor &descriptor(const std::string &name)
{
    const pgraph_publisher_descriptor *found = plugin(name).negotiate();
    REQUIRE(found != nullptr);
    return *found;
}

std::string upper(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
}

TEST_CASE("no_entry loads but exports no entry point")
{
    CHECK((plugin("no_entry").entry() == nullptr));
}

TEST_CASE("every test plugin but analytics_provider is enabled by default under NAME_ENABLED")
{
    for (const char *name : {"wrong_major", "failing_create", "flaky", "picky", "hang", "fatal", "needs_key"}) {
        CAPTURE(name);
        const pgraph_publisher_descriptor &d = descriptor(name);
        CHECK(std::string_view(d.name) == name);
        CHECK(d.flags == PGRAPH_PLUGIN_ENABLED_BY_DEFAULT);
        CHECK(std::string_view(d.enable_variable) == upper(name) + "_ENABLED");
    }
}

TEST_CASE("analytics_provider is an analytics provider that is off unless switched on")
{
    const pgraph_publisher_descriptor &d = descriptor("analytics_provider");
    CHECK(std::string_view(d.name) == "analytics_provider");
    CHECK(d.flags == PGRAPH_PLUGIN_ANALYTICS_PROVIDER);
    CHECK(std::string_view(d.enable_variable) == "ANALYTICS_PROVIDER_ENABLED");

    PluginInstance instance(d, {});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    CHECK(instance.publish({make_event("a1")}).status == PGRAPH_OK);
    CHECK(instance.request("/events").body == R"({"delivered":["a1"],"publish_calls":1,"attempts":[1]})");
}

TEST_CASE("wrong_major claims ABI major 2")
{
    const pgraph_publisher_descriptor &d = descriptor("wrong_major");
    CHECK(std::string_view(d.name) == "wrong_major");
    CHECK(d.abi_major == 2);
}

TEST_CASE("the test plugins refuse a host of another ABI major")
{
    std::string reason;
    CHECK(plugin("flaky").negotiate(3, &reason) == nullptr);
    CHECK_FALSE(reason.empty());
}

TEST_CASE("failing_create fails create with a simulated connection failure")
{
    PluginInstance instance(descriptor("failing_create"), {});
    CHECK(instance.create_status() == PGRAPH_FATAL);
    CHECK(instance.create_error() == "simulated connection failure");
    CHECK(instance.raw() == nullptr);
}

TEST_CASE("flaky asks for FLAKY_FAILURES retries before it delivers")
{
    const pgraph_publisher_descriptor &d = descriptor("flaky");
    REQUIRE(d.env_var_count == 2);
    CHECK(std::string_view(d.env_vars[0].name) == "FLAKY_FAILURES");
    CHECK(std::string_view(d.env_vars[0].default_value) == "2");
    CHECK(std::string_view(d.env_vars[1].name) == "FLAKY_RETRY_AFTER_MS");
    CHECK(std::string_view(d.env_vars[1].default_value) == "0");

    PluginInstance instance(d, {{"FLAKY_FAILURES", "2"}, {"FLAKY_RETRY_AFTER_MS", "250"}});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const std::vector<TestEvent> batch = {make_event("e1"), make_event("e2")};

    const PublishOutcome first = instance.publish(batch, 1);
    CHECK(first.status == PGRAPH_RETRY);
    CHECK(first.retry_after_ms == 250);
    CHECK(instance.publish(batch, 2).status == PGRAPH_RETRY);
    CHECK(instance.publish(batch, 3).status == PGRAPH_OK);
    CHECK(instance.request("/events").body == R"({"delivered":["e1","e2"],"publish_calls":3,"attempts":[1,2,3]})");
}

TEST_CASE("flaky with FLAKY_FAILURES=0 delivers at once")
{
    PluginInstance instance(descriptor("flaky"), {{"FLAKY_FAILURES", "0"}, {"FLAKY_RETRY_AFTER_MS", "0"}});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    CHECK(instance.publish({make_event("e1")}).status == PGRAPH_OK);
}

TEST_CASE("flaky refuses a FLAKY_FAILURES that is not a number")
{
    PluginInstance instance(descriptor("flaky"), {{"FLAKY_FAILURES", "two"}, {"FLAKY_RETRY_AFTER_MS", "0"}});
    CHECK(instance.create_status() == PGRAPH_FATAL);
    CHECK(instance.create_error() == "FLAKY_FAILURES must be a non-negative integer");
}

TEST_CASE("picky rejects the events whose id starts with bad and delivers the rest")
{
    PluginInstance instance(descriptor("picky"), {});
    REQUIRE(instance.create_status() == PGRAPH_OK);

    const PublishOutcome mixed = instance.publish({make_event("good1"), make_event("bad1"), make_event("good2")});
    CHECK(mixed.status == PGRAPH_PARTIAL);
    CHECK(mixed.event_statuses ==
          std::vector<pgraph_event_status>{PGRAPH_EVENT_OK, PGRAPH_EVENT_REJECT, PGRAPH_EVENT_OK});
    CHECK(mixed.reasons[1] == "event_id starts with bad");
    CHECK(mixed.reasons[0].empty());

    CHECK(instance.publish({make_event("good3")}, 1).status == PGRAPH_OK);
    CHECK(instance.request("/events").body ==
          R"({"delivered":["good1","good2","good3"],"publish_calls":2,"attempts":[1,1]})");
}

TEST_CASE("fatal fails every publish with invalid api key and status 401")
{
    PluginInstance instance(descriptor("fatal"), {});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const PublishOutcome outcome = instance.publish({make_event("e1")});
    CHECK(outcome.status == PGRAPH_FATAL);
    CHECK(outcome.message == "invalid api key");
    CHECK(outcome.http_status == 401);
    CHECK(instance.request("/events").body == R"({"delivered":[],"publish_calls":1,"attempts":[1]})");
}

TEST_CASE("needs_key declares NEEDS_KEY_TOKEN as a required secret without a default")
{
    const pgraph_publisher_descriptor &d = descriptor("needs_key");
    REQUIRE(d.env_var_count == 1);
    CHECK(std::string_view(d.env_vars[0].name) == "NEEDS_KEY_TOKEN");
    CHECK(d.env_vars[0].flags == (PGRAPH_ENV_REQUIRED | PGRAPH_ENV_SECRET));
    CHECK(d.env_vars[0].default_value == nullptr);

    PluginInstance with_token(d, {{"NEEDS_KEY_TOKEN", "s3cret"}});
    REQUIRE(with_token.create_status() == PGRAPH_OK);
    CHECK(with_token.publish({make_event("k1")}).status == PGRAPH_OK);
    CHECK(with_token.request("/events").body.find("s3cret") == std::string::npos);

    PluginInstance without_token(d, {});
    CHECK(without_token.create_status() == PGRAPH_FATAL);
    CHECK(without_token.create_error() == "NEEDS_KEY_TOKEN is required");
}

TEST_CASE("GET /events escapes delivered ids as JSON and other paths get 404")
{
    PluginInstance instance(descriptor("picky"), {});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const std::string odd_id = "q\"u\\o\nte";
    REQUIRE(instance.publish({make_event(odd_id)}).status == PGRAPH_OK);

    const Response response = instance.request("/events");
    CHECK(response.status == 200);
    rapidjson::Document json;
    json.Parse(response.body.c_str());
    REQUIRE_FALSE(json.HasParseError());
    CHECK(std::string(json["delivered"][0].GetString()) == odd_id);

    const Response missing = instance.request("/nothing");
    CHECK(missing.status == 404);
    CHECK(missing.body == R"({"error":"not found"})");
}

TEST_CASE("hang counts the publish call and then never returns")
{
    // publish never returns, so the instance and its file must outlive the test and
    // the process: they are deliberately never destroyed.
    static PluginInstance *const instance = new PluginInstance(descriptor("hang"), {});
    REQUIRE(instance->create_status() == PGRAPH_OK);
    CHECK(instance->request("/events").body == R"({"delivered":[],"publish_calls":0,"attempts":[]})");

    std::thread([] { instance->publish({make_event("h1")}); }).detach();

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string body;
    while (std::chrono::steady_clock::now() < deadline) {
        body = instance->request("/events").body;
        if (body.find("\"publish_calls\":1") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(body == R"({"delivered":[],"publish_calls":1,"attempts":[1]})");
}

}  // namespace
}  // namespace productgraph::test_plugins
