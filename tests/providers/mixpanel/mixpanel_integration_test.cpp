// The real productgraphd with memory.so and mixpanel.so, forwarding to the mock
// Mixpanel: what arrives, what is dropped, split or retried, and what operators see.
#include <doctest/doctest.h>

#include "admin_queries.hpp"
#include "event_samples.hpp"
#include "http_client.hpp"
#include "mock_mixpanel.hpp"
#include "running_daemon.hpp"

#include <rapidjson/document.h>

#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace productgraph::testing;
using namespace std::chrono_literals;

namespace {

const std::string token = "mp-integration-token-5f0e1d2c3b4a";
const std::string sa_secret = "sa-integration-secret-9a8b7c";

std::map<std::string, std::string> mixpanel_env(const MockMixpanel &mock, std::map<std::string, std::string> extra = {})
{
    std::map<std::string, std::string> env = {{"ANALYTICS_ENABLED", "true"},
                                              {"MIXPANEL_ENABLED", "true"},
                                              {"MIXPANEL_TOKEN", token},
                                              {"MIXPANEL_API_HOST", mock.base_url()},
                                              {"MIXPANEL_RETRY_INITIAL_MS", "20"}};
    for (auto &[name, value] : extra) env[name] = value;
    return env;
}

std::unique_ptr<DaemonProcess> start_with_mixpanel(const PluginDirectory &plugins, const MockMixpanel &mock,
                                                   std::map<std::string, std::string> extra = {})
{
    return start_daemon(plugins, mixpanel_env(mock, std::move(extra)));
}

// The memory store and the Mixpanel plugin, as an operator would install them.
void add_memory_and_mixpanel(PluginDirectory &plugins)
{
    plugins.add_plugin("memory").add_plugin("mixpanel");
}

// The entry of `name` in GET /v1/plugins (an empty object when it is not listed).
void post_events(const DaemonProcess &daemon, const std::vector<std::string> &events)
{
    const auto response = http_post(daemon.base_url() + "/v1/events", batch_of(events));
    REQUIRE(response.status == 202);
    REQUIRE(response.body.find("\"rejected\":0") != std::string::npos);
}

rapidjson::Document properties_of(const MixpanelEvent &event)
{
    rapidjson::Document properties;
    properties.Parse(event.properties.c_str());
    REQUIRE(properties.IsObject());
    return properties;
}

std::string property(const rapidjson::Document &properties, const char *name)
{
    REQUIRE(properties.HasMember(name));
    REQUIRE(properties[name].IsString());
    return properties[name].GetString();
}

// What the mock received apart from the plugin's start-up credential check (no events).
std::vector<MixpanelRequest> event_requests(const MockMixpanel &mock)
{
    std::vector<MixpanelRequest> requests = mock.requests();
    std::erase_if(requests, [](const MixpanelRequest &request) { return request.events == 0; });
    return requests;
}

// What the mock saw, for failure messages.
std::string describe(const MockMixpanel &mock)
{
    std::string out;
    for (const MixpanelRequest &request : mock.requests()) {
        out += request.method + " " + request.path + " -> " + std::to_string(request.status) + ", " +
               std::to_string(request.events) + " events\n";
    }
    for (const std::string &problem : mock.problems()) out += "problem: " + problem + "\n";
    return out;
}

// An RFC 3339 timestamp a minute ago: /track keeps only the last five days.
std::string recent_timestamp()
{
    const std::time_t now = std::time(nullptr) - 60;
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

}  // namespace

TEST_CASE("the daemon forwards every accepted event to mixpanel with the documented fields")
{
    MockMixpanel mock(MockMixpanel::Options{.token = token});
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    auto daemon = start_with_mixpanel(plugins, mock);
    CHECK(daemon->all_logs().find(R"({"level":"info","msg":"mixpanel provider enabled"})") != std::string::npos);

    post_events(*daemon, {spec_event("evt-1"), spec_event("evt-2"),
                          minimal_event("m-1", R"(,"device.id":"dev-9","metadata":{"plan":"pro"})")});
    INFO("daemon log:\n" << daemon->all_logs());
    INFO("mock:\n" << describe(mock));
    REQUIRE(mock.wait_for_events(3));
    CHECK(mock.problems().empty());
    CHECK(mock.count_insert_id("evt-1") == 1);
    CHECK(mock.count_insert_id("evt-2") == 1);
    CHECK(mock.count_insert_id("m-1") == 1);

    for (const MixpanelEvent &event : mock.events()) {
        CAPTURE(event.properties);
        const auto properties = properties_of(event);
        CHECK(property(properties, "ip") == "127.0.0.1");
        if (event.insert_id == "evt-1") {
            CHECK(event.name == "signup_button_clicked");
            CHECK(event.distinct_id == "user-123");
            CHECK(event.time == 1705314615000);
            CHECK(property(properties, "$user_id") == "user-123");
            CHECK(property(properties, "session_id") == "sess_abc123");
            CHECK(property(properties, "page_path") == "/signup");
            CHECK(property(properties, "component_name") == "SignupButton");
            CHECK(property(properties, "action") == "click");
        } else if (event.insert_id == "m-1") {
            CHECK(event.name == "Track");
            CHECK(event.distinct_id == "dev-9");
            CHECK(event.time == 1705311015250);  // 10:30:15.250+01:00
            CHECK(property(properties, "$device_id") == "dev-9");
            CHECK(property(properties, "plan") == "pro");
        }
    }
    const auto request = event_requests(mock).front();
    CHECK(request.path == "/import");
    CHECK(request.gzipped);
    CHECK(request.authorization == token + ":");
    CHECK(eventually([&] { return plugin_counter(*daemon, "mixpanel", "delivered") == 3; }));
    CHECK(eventually([&] { return memory_has(*daemon, "m-1"); }));
}

TEST_CASE("events mixpanel lists in failed_records are dropped and the others are delivered once")
{
    MockMixpanel mock(MockMixpanel::Options{.token = token});
    MixpanelReply failing;
    failing.status = 400;
    failing.failing_indexes = {1};
    mock.reply_next(failing);
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    auto daemon = start_with_mixpanel(plugins, mock);

    post_events(*daemon, {minimal_event("f0"), minimal_event("f1"), minimal_event("f2")});
    REQUIRE(daemon->wait_for_log("plugin rejected an event").has_value());
    REQUIRE(mock.wait_for_requests(1));
    const MixpanelRequest first = event_requests(mock).front();
    REQUIRE(first.status == 400);
    REQUIRE(first.insert_ids.size() >= 2);
    const std::string refused = first.insert_ids[1];

    // A later event goes out on its own: nothing of the first batch is sent again.
    post_events(*daemon, {minimal_event("after")});
    REQUIRE(mock.wait_for_events(3));
    REQUIRE(eventually([&] { return mock.count_insert_id("after") == 1; }));
    CHECK(mock.count_insert_id(refused) == 0);
    for (const std::string id : {"f0", "f1", "f2"}) {
        CAPTURE(id);
        if (id != refused) CHECK(mock.count_insert_id(id) == 1);
    }
    std::size_t sent_f = 0;
    for (const MixpanelRequest &request : mock.requests()) {
        for (const std::string &id : request.insert_ids) sent_f += id.starts_with("f") ? 1 : 0;
    }
    CHECK(sent_f == 3);
    CHECK(eventually([&] { return plugin_counter(*daemon, "mixpanel", "rejected") == 1; }));
    // The mock records "after" before publish returns and the host counts it.
    CHECK(eventually([&] { return plugin_counter(*daemon, "mixpanel", "delivered") == 3; }));
    const auto line = daemon->wait_for_log("plugin rejected an event");
    CHECK(line->find(refused) != std::string::npos);
    CHECK(line->find("properties.time") != std::string::npos);
    CHECK(eventually([&] { return memory_has(*daemon, refused); }));  // the other plugins are unaffected
}

TEST_CASE("a 413 from mixpanel splits the request in halves and every event arrives once")
{
    MockMixpanel mock(MockMixpanel::Options{.token = token});
    mock.reply_next(MixpanelReply{.status = 413});
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    auto daemon = start_with_mixpanel(plugins, mock);

    post_events(*daemon, {minimal_event("h0"), minimal_event("h1"), minimal_event("h2"), minimal_event("h3")});
    REQUIRE(mock.wait_for_events(4));
    for (const std::string id : {"h0", "h1", "h2", "h3"}) {
        CAPTURE(id);
        CHECK(mock.count_insert_id(id) == 1);
    }
    const auto requests = event_requests(mock);
    REQUIRE(requests.size() >= 3);
    CHECK(requests[0].status == 413);
    // The halves of the refused request, sent in the same publish call.
    CHECK(requests[1].events == requests[0].events / 2);
    CHECK(requests[2].events == requests[0].events - requests[0].events / 2);
    CHECK(eventually([&] { return plugin_counter(*daemon, "mixpanel", "delivered") == 4; }));
    CHECK(plugin_counter(*daemon, "mixpanel", "retried") == 0);
}

TEST_CASE("a 500 from mixpanel is retried with backoff until the events arrive")
{
    MockMixpanel mock(MockMixpanel::Options{.token = token});
    mock.reply_next(MixpanelReply{.status = 500}, 2);
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    auto daemon = start_with_mixpanel(plugins, mock, {{"PRODUCTGRAPH_RETRY_INITIAL_MS", "5"}});

    post_events(*daemon, {minimal_event("e0"), minimal_event("e1")});
    REQUIRE(mock.wait_for_events(2, 20s));
    CHECK(mock.count_insert_id("e0") == 1);
    CHECK(mock.count_insert_id("e1") == 1);
    const auto requests = event_requests(mock);
    REQUIRE(requests.size() >= 3);
    CHECK(requests[0].status == 500);
    CHECK(requests[1].status == 500);
    const auto retry_line = daemon->wait_for_log("plugin asked to retry");
    REQUIRE(retry_line.has_value());
    CHECK(retry_line->find("\"plugin\":\"mixpanel\"") != std::string::npos);
    CHECK(retry_line->find("HTTP 500") != std::string::npos);
    CHECK(eventually([&] { return plugin_counter(*daemon, "mixpanel", "delivered") == 2; }));
}

TEST_CASE("a 401 from mixpanel fails only the mixpanel plugin while memory keeps receiving events")
{
    MockMixpanel mock(MockMixpanel::Options{.token = token});
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    auto daemon = start_with_mixpanel(plugins, mock);
    mock.reply_always(MixpanelReply{.status = 401});  // the token is revoked after the start-up check

    post_events(*daemon, {minimal_event("u0")});
    REQUIRE(eventually([&] {
        const auto status = plugin_status(*daemon, "mixpanel");
        return status.HasMember("state") && std::string(status["state"].GetString()) == "failed";
    }));
    const auto status = plugin_status(*daemon, "mixpanel");
    const std::string reason = status["reason"].GetString();
    CHECK(reason.find("401") != std::string::npos);
    CHECK(reason.find("MIXPANEL_TOKEN") != std::string::npos);
    CHECK(std::string(plugin_status(*daemon, "memory")["state"].GetString()) == "enabled");

    post_events(*daemon, {minimal_event("u1")});
    CHECK(eventually([&] { return memory_has(*daemon, "u0") && memory_has(*daemon, "u1"); }));
    CHECK(mock.events().empty());
    CHECK(mock.requests().size() == 2);  // the start-up check, then one batch: a failed plugin is fed nothing more
    const auto ready = http_get(daemon->base_url() + "/ready");
    CHECK(ready.status == 200);
    CHECK(ready.body.find("mixpanel") != std::string::npos);
}

TEST_CASE("wrong mixpanel credentials fail the plugin at start-up before any event is sent")
{
    MockMixpanel mock(MockMixpanel::Options{.token = "the-right-token-0123456789"});
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    auto daemon = start_with_mixpanel(plugins, mock);
    INFO(describe(mock));
    const auto status = plugin_status(*daemon, "mixpanel");
    REQUIRE(std::string(status["state"].GetString()) == "failed");
    const std::string reason = status["reason"].GetString();
    CHECK(reason.find("credentials refused") != std::string::npos);
    CHECK(reason.find("Invalid credentials") != std::string::npos);
    REQUIRE(mock.requests().size() == 1);
    CHECK(mock.requests().front().events == 0);

    post_events(*daemon, {minimal_event("w0")});
    CHECK(eventually([&] { return memory_has(*daemon, "w0"); }));
    CHECK(mock.requests().size() == 1);
    CHECK(http_get(daemon->admin_url() + "/v1/plugins").body.find(token) == std::string::npos);
    CHECK(daemon->all_logs().find(token) == std::string::npos);
}

TEST_CASE("a mixpanel endpoint answering the credential check with 503 or 404 or nothing only warns")
{
    MockMixpanel down(MockMixpanel::Options{.token = token});
    down.reply_always(MixpanelReply{.status = 503});
    const std::map<std::string, std::map<std::string, std::string>> cases = {
        {"503", {}},
        {"404", {{"MIXPANEL_API_HOST", down.base_url() + "/not-mixpanel"}}},
        {"no answer", {{"MIXPANEL_API_HOST", "http://127.0.0.1:1"}}},
    };
    for (const auto &[name, extra] : cases) {
        CAPTURE(name);
        PluginDirectory plugins;
        add_memory_and_mixpanel(plugins);
        auto daemon = start_with_mixpanel(plugins, down, extra);
        CHECK(daemon->all_logs().find("credential check inconclusive") != std::string::npos);
        CHECK(std::string(plugin_status(*daemon, "mixpanel")["state"].GetString()) == "enabled");
    }
    CHECK(down.requests().size() == 2);  // the 503 and the 404; nothing listens on port 1
}

TEST_CASE("secrets never appear in the daemon logs or admin output")
{
    MockMixpanel::Options options;
    options.token = token;
    options.service_account_username = "sa-user.1.mp-service-account";
    options.service_account_secret = sa_secret;
    options.project_id = "1234567";
    MockMixpanel mock(options);
    MixpanelReply failing;
    failing.status = 400;
    failing.failing_indexes = {0};
    mock.reply_next(failing);
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    auto daemon = start_with_mixpanel(plugins, mock,
                                      {{"DEBUG", "true"},
                                       {"MIXPANEL_SERVICE_ACCOUNT_USERNAME", options.service_account_username},
                                       {"MIXPANEL_SERVICE_ACCOUNT_SECRET", sa_secret},
                                       {"MIXPANEL_PROJECT_ID", "1234567"}});
    post_events(*daemon, {minimal_event("s0"), minimal_event("s1")});
    REQUIRE(daemon->wait_for_log("plugin rejected an event").has_value());
    post_events(*daemon, {minimal_event("s2")});
    REQUIRE(eventually([&] { return mock.count_insert_id("s2") == 1; }));
    REQUIRE(daemon->wait_for_log("HTTP 200 in").has_value());  // the debug line of the exchange
    CHECK(mock.requests().front().authorization == options.service_account_username + ":" + sa_secret);

    // Then the credentials stop working: the plugin fails with a reason, still without them.
    mock.reply_always(MixpanelReply{.status = 401});
    post_events(*daemon, {minimal_event("s3")});
    REQUIRE(daemon->wait_for_log("plugin failed").has_value());

    const std::string admin =
        http_get(daemon->admin_url() + "/v1/plugins").body + http_get(daemon->base_url() + "/ready").body;
    const std::string logs = daemon->all_logs();
    CHECK(logs.find("\"level\":\"debug\"") != std::string::npos);
    for (const std::string &secret : {token, sa_secret}) {
        CHECK(logs.find(secret) == std::string::npos);
        CHECK(admin.find(secret) == std::string::npos);
    }
}

TEST_CASE("track mode sends the token inside every event to track and keeps it out of the logs")
{
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    MockMixpanel tracked(MockMixpanel::Options{.token = token});
    auto daemon = start_with_mixpanel(plugins, tracked, {{"MIXPANEL_API", "track"}, {"DEBUG", "true"}});

    const std::string when = recent_timestamp();
    post_events(*daemon, {R"({"event_id":"t0","project_id":"p","session.id":"s1","event.type":"page.view",)"
                          R"("event.timestamp":")" +
                          when + R"(","page.path":"/home"})"});
    REQUIRE(tracked.wait_for_events(1));
    CHECK(tracked.problems().empty());
    const auto request = tracked.requests().front();
    CHECK(request.path == "/track");
    CHECK(request.query == std::map<std::string, std::string>{{"ip", "0"}, {"verbose", "1"}});
    CHECK(request.authorization.empty());
    const MixpanelEvent event = tracked.events().front();
    CHECK(event.name == "Page View");
    CHECK(property(properties_of(event), "token") == token);
    REQUIRE(daemon->wait_for_log("HTTP 200 in").has_value());
    CHECK(daemon->all_logs().find(token) == std::string::npos);
}

TEST_CASE("mixpanel stays off unless both analytics and its own switch are on")
{
    MockMixpanel mock(MockMixpanel::Options{.token = token});
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    auto daemon = start_with_mixpanel(plugins, mock, {{"ANALYTICS_ENABLED", "false"}});
    CHECK(daemon->all_logs().find("mixpanel provider enabled") == std::string::npos);
    CHECK(std::string(plugin_status(*daemon, "mixpanel")["state"].GetString()) == "disabled");
    post_events(*daemon, {minimal_event("off0")});
    REQUIRE(eventually([&] { return memory_has(*daemon, "off0"); }));
    CHECK(mock.requests().empty());
}

TEST_CASE("a bad MIXPANEL_REGION fails the mixpanel plugin with a reason naming the variable")
{
    MockMixpanel mock(MockMixpanel::Options{.token = token});
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    auto daemon = start_with_mixpanel(plugins, mock, {{"MIXPANEL_REGION", "moon"}});
    const auto status = plugin_status(*daemon, "mixpanel");
    CHECK(std::string(status["state"].GetString()) == "failed");
    CHECK(std::string(status["reason"].GetString()).find("MIXPANEL_REGION") != std::string::npos);
    post_events(*daemon, {minimal_event("r0")});
    CHECK(eventually([&] { return memory_has(*daemon, "r0"); }));
}

TEST_CASE("an enabled mixpanel plugin without MIXPANEL_TOKEN stops the daemon at start-up naming it")
{
    PluginDirectory plugins;
    add_memory_and_mixpanel(plugins);
    DaemonProcess daemon(
        {{"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()}, {"ANALYTICS_ENABLED", "true"}, {"MIXPANEL_ENABLED", "true"}});
    const auto code = daemon.wait_for_exit(15s);
    REQUIRE(code.has_value());
    CHECK(*code != 0);
    CHECK(daemon.all_logs().find("MIXPANEL_TOKEN") != std::string::npos);
}
