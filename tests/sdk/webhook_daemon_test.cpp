// The webhook example, built by a separate CMake project against the installed SDK
// only (the "installed SDK builds the examples" test makes it), loaded into the real
// daemon and delivering to a local receiver.
#include "event_samples.hpp"
#include "http_client.hpp"
#include "running_daemon.hpp"
#include "webhook_receiver.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace productgraph::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char *token = "webhook-secret-token-42";

// A daemon running memory.so and the installed-SDK build of webhook.so.
std::unique_ptr<DaemonProcess> start_with_webhook(PluginDirectory &plugins, const WebhookReceiver &receiver)
{
    plugins.add_plugin("memory");
    std::filesystem::copy_file(PG_INSTALLED_WEBHOOK_PLUGIN, std::filesystem::path(plugins.path()) / "webhook.so");
    return start_daemon(plugins, {{"WEBHOOK_ENABLED", "true"},
                                  {"WEBHOOK_URL", receiver.url()},
                                  {"WEBHOOK_TOKEN", token},
                                  {"PRODUCTGRAPH_RETRY_INITIAL_MS", "20"},
                                  {"PRODUCTGRAPH_RETRY_MAX_MS", "100"}});
}

std::string plugin_state(const DaemonProcess &daemon, const std::string &name)
{
    const auto list = http_get(daemon.admin_url() + "/v1/plugins").json();
    for (const auto &plugin : list["plugins"].GetArray()) {
        if (name == plugin["name"].GetString()) return plugin["state"].GetString();
    }
    return "";
}

}  // namespace

TEST_CASE("the installed-SDK webhook delivers events with the bearer token and waits out Retry-After on a 503")
{
    WebhookReceiver receiver;
    receiver.answer_next(503, 1);  // Retry-After: 1 s, longer than the host's own 20-100 ms backoff
    PluginDirectory plugins;
    auto daemon = start_with_webhook(plugins, receiver);
    REQUIRE(
        http_post(daemon->base_url() + "/v1/events", batch_of({minimal_event("w-1"), minimal_event("w-2")})).status ==
        202);
    REQUIRE(eventually([&] { return receiver.posts().size() >= 2; }, 10s));
    const auto posts = receiver.posts();
    CHECK(posts[0].status == 503);
    CHECK(posts[1].status == 200);
    CHECK(posts[1].at - posts[0].at >= 1s);
    CHECK(posts[1].authorization == std::string("Bearer ") + token);
    CHECK(posts[1].body.front() == '[');
    CHECK(posts[1].body.find(R"("event_id":"w-1")") != std::string::npos);
    CHECK(posts[1].body.find(R"("event_id":"w-2")") != std::string::npos);
    CHECK(daemon->all_logs().find(token) == std::string::npos);
}

TEST_CASE("a 401 from the webhook receiver fails the webhook plugin and memory goes on")
{
    WebhookReceiver receiver;
    receiver.answer_always(401);
    PluginDirectory plugins;
    auto daemon = start_with_webhook(plugins, receiver);
    REQUIRE(http_post(daemon->base_url() + "/v1/events", batch_of({minimal_event("x-1")})).status == 202);
    CHECK(eventually([&] { return plugin_state(*daemon, "webhook") == "failed"; }));
    CHECK(http_get(daemon->admin_url() + "/v1/plugins").body.find("check WEBHOOK_TOKEN") != std::string::npos);
    CHECK(plugin_state(*daemon, "memory") == "enabled");
    CHECK(receiver.posts().size() == 1);
}
