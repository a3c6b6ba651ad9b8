// The event contract over real HTTP: product-spec §1's defaults, the reasons for
// rejected events in the DEBUG log, and bodies that are not exactly one JSON
// document of valid Unicode text.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "event_samples.hpp"
#include "http_client.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;

namespace {

// The seed document's example event: no event_id, project_id or event.timestamp.
const std::string seed_event =
    R"({"event.type":"ui.click","event.name":"signup_button_clicked","user.id":"user-123",)"
    R"("session.id":"sess-abc","page.path":"/signup","ui.component.name":"SignupButton","ui.action":"click"})";

std::unique_ptr<DaemonProcess> start_with_memory(PluginDirectory &plugins, std::map<std::string, std::string> env = {})
{
    plugins.add_plugin("memory");
    return start_daemon(plugins, std::move(env));
}

size_t lines_containing(const DaemonProcess &daemon, const std::string &text)
{
    const auto lines = daemon.log_lines();
    return static_cast<size_t>(std::count_if(
        lines.begin(), lines.end(), [&](const std::string &line) { return line.find(text) != std::string::npos; }));
}

std::string error_of(const HttpResponse &response)
{
    const auto body = response.json();
    REQUIRE(body.IsObject());
    REQUIRE(body.HasMember("error"));
    return body["error"].GetString();
}

}  // namespace

TEST_CASE("an event without id or project or timestamp is stored with a UUIDv7 and the configured default project")
{
    PluginDirectory plugins;
    auto daemon = start_with_memory(plugins, {{"PRODUCTGRAPH_DEFAULT_PROJECT_ID", "web-shop"}});
    const HttpResponse posted = http_post(daemon->base_url() + "/v1/events", R"({"events":[)" + seed_event + "]}");
    CHECK(posted.status == 202);
    CHECK(posted.body == R"({"accepted":1,"rejected":0,"errors":[]})");

    REQUIRE(eventually([&] {
        return http_get(daemon->admin_url() + "/v1/plugins/memory/events").body.find("sess-abc") != std::string::npos;
    }));
    const auto stored = http_get(daemon->admin_url() + "/v1/plugins/memory/events").json();
    const auto &event = stored["events"][0];
    CHECK(std::string(event["project_id"].GetString()) == "web-shop");
    const std::string id = event["event_id"].GetString();
    CHECK(id.size() == 36);
    CHECK(id[14] == '7');
    CHECK(std::string(event["event.timestamp"].GetString()).ends_with("Z"));
    CHECK(std::string(event["ui.component.name"].GetString()) == "SignupButton");
}

TEST_CASE("with DEBUG=true each rejected event is logged with its index and every reason")
{
    PluginDirectory plugins;
    auto daemon = start_with_memory(plugins, {{"DEBUG", "true"}});
    const HttpResponse posted =
        http_post(daemon->base_url() + "/v1/events",
                  batch_of({seed_event, R"({"event.type":"ui.click"})",
                            R"({"session.id":"s","event.type":"ui.hover","duration_ms":"x"})"}));
    REQUIRE(posted.status == 202);
    CHECK(posted.json()["rejected"].GetInt() == 2);

    const auto first = daemon->wait_for_log(R"("msg":"event rejected","index":1)");
    REQUIRE(first.has_value());
    CHECK(first->find(R"("error":"session.id: required")") != std::string::npos);
    const auto second = daemon->wait_for_log(R"("msg":"event rejected","index":2)");
    REQUIRE(second.has_value());
    CHECK(second->find(R"(event.type: unknown type \"ui.hover\"; duration_ms: must be an integer)") !=
          std::string::npos);
    CHECK(lines_containing(*daemon, R"("msg":"event rejected")") == 2);
}

TEST_CASE("rejection lines are capped at 20 per request and the rest are counted")
{
    PluginDirectory plugins;
    auto daemon = start_with_memory(plugins, {{"DEBUG", "true"}});
    std::vector<std::string> invalid(50, R"({"event.type":"custom"})");
    REQUIRE(http_post(daemon->base_url() + "/v1/events", batch_of(invalid)).status == 202);
    const auto summary = daemon->wait_for_log(R"("msg":"more events rejected")");
    REQUIRE(summary.has_value());
    CHECK(summary->find(R"("not_shown":30)") != std::string::npos);
    CHECK(lines_containing(*daemon, R"("msg":"event rejected")") == 20);
}

TEST_CASE("without DEBUG rejected events are not logged one by one")
{
    PluginDirectory plugins;
    auto daemon = start_with_memory(plugins);
    REQUIRE(http_post(daemon->base_url() + "/v1/events", batch_of({R"({"event.type":"custom"})"})).status == 202);
    REQUIRE(http_get(daemon->base_url() + "/health").status == 200);
    CHECK(lines_containing(*daemon, "event rejected") == 0);
}

TEST_CASE("a lone surrogate escape of either half gets 400 and nothing is stored")
{
    PluginDirectory plugins;
    auto daemon = start_with_memory(plugins);
    const std::string url = daemon->base_url() + "/v1/events";
    for (const std::string escape : {R"(\udc00)", R"(\ud800)", R"(\ud800\u0041)"}) {
        CAPTURE(escape);
        const HttpResponse response =
            http_post(url, batch_of({R"({"session.id":"s","event.type":"custom","user.id":"x)" + escape + R"("})"}));
        CHECK(response.status == 400);
        CHECK(error_of(response).find("lone UTF-16 surrogate") != std::string::npos);
    }
    CHECK(http_post(url, batch_of({R"({"session.id":"s","event.type":"custom","user.id":"\ud83d\ude00"})"})).status ==
          202);
    REQUIRE(eventually(
        [&] { return http_get(daemon->admin_url() + "/v1/plugins/memory/events").json()["events"].Size() == 1; }));
}

TEST_CASE("a NUL byte or data after the JSON document gets 400 and the hidden events are not accepted")
{
    PluginDirectory plugins;
    auto daemon = start_with_memory(plugins);
    const std::string url = daemon->base_url() + "/v1/events";
    std::string with_nul = batch_of({seed_event});
    with_nul.push_back('\0');
    with_nul += batch_of({seed_event});
    const HttpResponse nul = http_post(url, with_nul);
    CHECK(nul.status == 400);
    CHECK(error_of(nul).find("a NUL byte") != std::string::npos);

    const HttpResponse trailing = http_post(url, batch_of({seed_event}) + R"({"events":[]})");
    CHECK(trailing.status == 400);
    CHECK(error_of(trailing).find("more data after the JSON document") != std::string::npos);

    CHECK(http_post(url, batch_of({seed_event}) + "\r\n").status == 202);
    REQUIRE(eventually(
        [&] { return http_get(daemon->admin_url() + "/v1/plugins/memory/events").json()["events"].Size() == 1; }));
}
