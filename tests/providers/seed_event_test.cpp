// The seed document's own example event, sent verbatim with no id, project or
// timestamp, through the real daemon to the mock Amplitude and the mock Mixpanel at
// once: accepted, and mapped exactly as product-spec §3 shows.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <chrono>
#include <map>
#include <string>

#include "amplitude_format.hpp"
#include "http_client.hpp"
#include "mock_amplitude.hpp"
#include "mock_mixpanel.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;
using productgraph::amplitude::testing::MockAmplitude;

namespace {

const std::string seed_event =
    R"({"event.type":"ui.click","event.name":"signup_button_clicked","user.id":"user-123",)"
    R"("session.id":"sess-abc","page.path":"/signup","ui.component.name":"SignupButton","ui.action":"click"})";

const std::string mixpanel_token = "mp-seed-token-0123456789abcdef";

int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

rapidjson::Document parsed(const std::string &json)
{
    rapidjson::Document document;
    document.Parse(json.c_str(), json.size());
    REQUIRE(document.IsObject());
    return document;
}

bool is_uuid_v7(const std::string &id)
{
    return id.size() == 36 && id[8] == '-' && id[13] == '-' && id[14] == '7' && id[18] == '-' && id[23] == '-';
}

}  // namespace

TEST_CASE("the seed example event sent verbatim reaches Amplitude and Mixpanel mapped as product-spec section 3 shows")
{
    MockAmplitude amplitude;
    MockMixpanel mixpanel(MockMixpanel::Options{.token = mixpanel_token});
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_plugin("amplitude").add_plugin("mixpanel");
    auto daemon = start_daemon(plugins, {{"ANALYTICS_ENABLED", "true"},
                                         {"AMPLITUDE_ENABLED", "true"},
                                         {"AMPLITUDE_API_KEY", "AMP_TEST_API_KEY_0123456789abcdef"},
                                         {"AMPLITUDE_ENDPOINT", amplitude.url()},
                                         {"MIXPANEL_ENABLED", "true"},
                                         {"MIXPANEL_TOKEN", mixpanel_token},
                                         {"MIXPANEL_API_HOST", mixpanel.base_url()}});
    INFO("daemon log:\n" << daemon->all_logs());

    const int64_t before = now_ms();
    const HttpResponse posted = http_post(daemon->base_url() + "/v1/events", R"({"events":[)" + seed_event + "]}");
    const int64_t after = now_ms();
    CHECK(posted.status == 202);
    CHECK(posted.body == R"({"accepted":1,"rejected":0,"errors":[]})");

    REQUIRE(eventually([&] { return amplitude.accepted().size() == 1; }));
    REQUIRE(mixpanel.wait_for_events(1));
    CHECK(mixpanel.problems().empty());

    // Amplitude: {"event_type":"signup_button_clicked","user_id":"user-123",
    // "session_id":<int64 hash of "sess-abc">,"event_properties":{...}} plus wire fields.
    const auto sent = parsed(amplitude.accepted()[0].json);
    CHECK(std::string(sent["event_type"].GetString()) == "signup_button_clicked");
    CHECK(std::string(sent["user_id"].GetString()) == "user-123");
    REQUIRE(sent["session_id"].IsInt64());
    CHECK(sent["session_id"].GetInt64() == productgraph::amplitude::session_number("sess-abc"));
    CHECK(sent["event_properties"] ==
          parsed(R"({"page_path":"/signup","component_name":"SignupButton","action":"click"})"));
    // The defaults: a generated UUIDv7 as the insert id, the receive time as the time.
    const std::string insert_id = sent["insert_id"].GetString();
    CHECK(is_uuid_v7(insert_id));
    CHECK(sent["time"].GetInt64() >= before);
    CHECK(sent["time"].GetInt64() <= after);

    // Mixpanel: {"event":"signup_button_clicked","distinct_id":"user-123","properties":
    // {"session_id":"sess-abc","page_path":"/signup","component_name":"SignupButton","action":"click"}}.
    const auto event = mixpanel.events()[0];
    CHECK(event.name == "signup_button_clicked");
    CHECK(event.distinct_id == "user-123");
    CHECK(event.insert_id == insert_id);  // the same event id reaches both providers
    CHECK(event.time >= before);
    CHECK(event.time <= after);
    const auto properties = parsed(event.properties);
    CHECK(std::string(properties["session_id"].GetString()) == "sess-abc");
    CHECK(std::string(properties["page_path"].GetString()) == "/signup");
    CHECK(std::string(properties["component_name"].GetString()) == "SignupButton");
    CHECK(std::string(properties["action"].GetString()) == "click");

    // The canonical event carries the defaults: the default project among them.
    // The memory plugin has its own worker: wait for it rather than read at once.
    REQUIRE(eventually(
        [&] { return http_get(daemon->admin_url() + "/v1/plugins/memory/events").json()["events"].Size() == 1; }));
    const auto stored = http_get(daemon->admin_url() + "/v1/plugins/memory/events").json();
    REQUIRE(stored["events"].Size() == 1);
    const auto &canonical = stored["events"][0];
    CHECK(std::string(canonical["project_id"].GetString()) == "default");
    CHECK(std::string(canonical["event_id"].GetString()) == insert_id);
}
