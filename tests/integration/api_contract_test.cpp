// The event API of product-spec §1, over real HTTP against the real daemon with the
// memory plugin: responses, limits, CORS, API keys and hostile input.
#include <doctest/doctest.h>

#include "event_samples.hpp"
#include "http_client.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;

namespace {

// Events the memory plugin holds for a query, as a parsed JSON document.
rapidjson::Document memory_events(const DaemonProcess &daemon, const std::string &query = "")
{
    const HttpResponse response = http_get(daemon.admin_url() + "/v1/plugins/memory/events" + query);
    REQUIRE(response.status == 200);
    rapidjson::Document document = response.json();
    REQUIRE(document.IsObject());
    return document;
}

size_t memory_count(const DaemonProcess &daemon, const std::string &query = "")
{
    return memory_events(daemon, query)["events"].Size();
}

}  // namespace

TEST_CASE("the product-spec example is accepted and read back from the memory plugin unchanged")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);

    const HttpResponse posted = http_post(daemon->base_url() + "/v1/events", batch_of({spec_event("evt_002")}));
    CHECK(posted.status == 202);
    CHECK(posted.body == R"({"accepted":1,"rejected":0,"errors":[]})");
    CHECK(posted.header("content-type") == "application/json");

    REQUIRE(eventually([&] { return memory_count(*daemon) == 1; }));
    const auto stored = memory_events(*daemon);
    rapidjson::Document expected;
    expected.Parse(spec_event("evt_002").c_str());
    CHECK(stored["events"][0] == expected);  // same field names and values as sent
}

TEST_CASE("the memory plugin filters by session and user and type newest first with a limit")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const HttpResponse posted = http_post(daemon->base_url() + "/v1/events",
                                          batch_of({minimal_event("a1", R"(,"user.id":"u1")"),
                                                    minimal_event("a2", R"(,"user.id":"u2")"), spec_event("a3")}));
    REQUIRE(posted.status == 202);
    REQUIRE(eventually([&] { return memory_count(*daemon) == 3; }));

    const auto newest_first = memory_events(*daemon);
    CHECK(std::string(newest_first["events"][0]["event_id"].GetString()) == "a3");
    CHECK(memory_count(*daemon, "?user_id=u2") == 1);
    CHECK(memory_count(*daemon, "?session_id=sess_abc123") == 1);
    CHECK(memory_count(*daemon, "?type=custom") == 2);
    CHECK(memory_count(*daemon, "?limit=1") == 1);
    CHECK(http_get(daemon->admin_url() + "/v1/plugins/memory/stats").status == 200);
}

TEST_CASE("invalid events are rejected by index and valid ones in the same batch are kept")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const HttpResponse posted = http_post(
        daemon->base_url() + "/v1/events",
        batch_of(
            {minimal_event("ok1"),
             R"({"event_id":"no-session","project_id":"p","event.type":"custom","event.timestamp":"2024-01-15T10:30:15Z"})",
             minimal_event("bad-type", R"(,"api.status_code":"200")"), minimal_event("ok2")}));
    REQUIRE(posted.status == 202);
    const auto body = posted.json();
    CHECK(body["accepted"].GetInt() == 2);
    CHECK(body["rejected"].GetInt() == 2);
    REQUIRE(body["errors"].Size() == 2);
    CHECK(body["errors"][0]["index"].GetInt() == 1);
    CHECK(std::string(body["errors"][0]["error"].GetString()) == "session.id: required");
    CHECK(body["errors"][1]["index"].GetInt() == 2);
    CHECK(std::string(body["errors"][1]["error"].GetString()) == "api.status_code: must be an integer");
    REQUIRE(eventually([&] { return memory_count(*daemon) == 2; }));
}

TEST_CASE("invalid JSON and too many events and oversize bodies get JSON errors")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const std::string url = daemon->base_url() + "/v1/events";

    const HttpResponse not_json = http_post(url, "{\"events\":[");
    CHECK(not_json.status == 400);
    CHECK(not_json.json().HasMember("error"));

    const HttpResponse too_many = http_post(url, numbered_batch("n", 1001));
    CHECK(too_many.status == 400);
    CHECK(std::string(too_many.json()["error"].GetString()) ==
          "events: 1001 events in one batch, at most 1000 are allowed");
    CHECK(http_post(url, numbered_batch("m", 1000)).status == 202);

    std::string huge = R"({"events":[],"padding":")" + std::string(10 * 1000 * 1000, 'x') + "\"}";
    const HttpResponse too_big = http_post(url, huge);
    CHECK(too_big.status == 413);
    CHECK(too_big.json().HasMember("error"));
    CHECK(http_get(daemon->base_url() + "/health").status == 200);
}

TEST_CASE("an event over 100 KB is rejected by index and the rest of the batch kept")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const std::string big = minimal_event("big", R"(,"error.stack":")" + std::string(101 * 1024, 's') + "\"");
    const HttpResponse posted = http_post(daemon->base_url() + "/v1/events", batch_of({minimal_event("small"), big}));
    REQUIRE(posted.status == 202);
    const auto body = posted.json();
    CHECK(body["accepted"].GetInt() == 1);
    CHECK(body["errors"][0]["index"].GetInt() == 1);
}

TEST_CASE("wrong methods get 405 and unknown paths a JSON 404")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const HttpResponse get_events = http_get(daemon->base_url() + "/v1/events");
    CHECK(get_events.status == 405);
    CHECK(get_events.header("allow") == "POST");
    CHECK(get_events.json().HasMember("error"));
    CHECK(http_request("DELETE", daemon->base_url() + "/health").status == 405);
    const HttpResponse unknown = http_get(daemon->base_url() + "/v2/nothing");
    CHECK(unknown.status == 404);
    CHECK(unknown.json().HasMember("error"));
    CHECK(http_get(daemon->admin_url() + "/v1/plugins/nosuch/events").status == 404);
}

TEST_CASE("health and readiness answer JSON")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const HttpResponse health = http_get(daemon->base_url() + "/health");
    CHECK(health.status == 200);
    CHECK(health.body == R"({"status":"ok"})");
    const HttpResponse ready = http_get(daemon->base_url() + "/ready");
    CHECK(ready.status == 200);
    CHECK(std::string(ready.json()["status"].GetString()) == "ready");
}

TEST_CASE("responses keep the connection alive unless the client asks to close")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    CHECK(http_get(daemon->base_url() + "/health").header("connection") == "keep-alive");
    CHECK(http_get(daemon->base_url() + "/health", {{"Connection", "close"}}).header("connection") == "close");
}

TEST_CASE("CORS preflight is answered for allowed origins and refused for others")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_CORS_ORIGINS", "https://app.example, https://www.example"}});
    const std::string url = daemon->base_url() + "/v1/events";

    const HttpResponse allowed = http_request("OPTIONS", url, "",
                                              {{"Origin", "https://app.example"},
                                               {"Access-Control-Request-Method", "POST"},
                                               {"Access-Control-Request-Headers", "content-type,x-pg-api-key"}});
    CHECK(allowed.status == 204);
    CHECK(allowed.header("access-control-allow-origin") == "https://app.example");
    CHECK(allowed.header("access-control-allow-headers").find("X-PG-API-Key") != std::string::npos);
    CHECK(allowed.header("access-control-allow-methods").find("POST") != std::string::npos);

    const HttpResponse refused = http_request("OPTIONS", url, "", {{"Origin", "https://evil.example"}});
    CHECK(refused.status == 403);

    const HttpResponse post = http_post(url, batch_of({minimal_event("c1")}), {{"Origin", "https://www.example"}});
    CHECK(post.status == 202);
    CHECK(post.header("access-control-allow-origin") == "https://www.example");
}

TEST_CASE("with API keys configured a missing or wrong key gets 401 and a right one 202")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_API_KEYS", "key-one,key-two"}});
    const std::string url = daemon->base_url() + "/v1/events";
    const std::string body = batch_of({minimal_event("k1")});

    const HttpResponse missing = http_post(url, body);
    CHECK(missing.status == 401);
    CHECK(std::string(missing.json()["error"].GetString()) == "X-PG-API-Key: required");
    CHECK(http_post(url, body, {{"X-PG-API-Key", "key-three"}}).status == 401);
    CHECK(http_post(url, body, {{"X-PG-API-Key", "key-two"}}).status == 202);
    CHECK(daemon->all_logs().find("key-one") == std::string::npos);
}

TEST_CASE("hostile JSON never crashes or stalls the daemon")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const std::string url = daemon->base_url() + "/v1/events";

    CHECK(http_post(url, std::string(2'000'000, '[')).status == 400);
    const std::string deep_event =
        minimal_event("deep", R"(,"metadata":)" + std::string(5000, '[') + std::string(5000, ']'));
    const HttpResponse deep = http_post(url, batch_of({deep_event}));
    CHECK(deep.status == 202);
    CHECK(deep.json()["rejected"].GetInt() == 1);
    CHECK(http_post(url, "{\"events\":[{\"event_id\":\"\xc3\x28\"}]}").status == 400);
    CHECK(http_post(url, std::string(100000, '"')).status == 400);
    CHECK(http_post(url, batch_of({minimal_event("after")})).status == 202);
}

TEST_CASE("plugins receive each event normalised once at the edge")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("picky");
    auto daemon = start_daemon(plugins);
    REQUIRE(http_post(daemon->base_url() + "/v1/events",
                      batch_of({minimal_event("n1", R"(,"user.id":"u-9","device.id":"d-3","event.name":"Saved")")}),
                      {{"X-Forwarded-For", "203.0.113.9"}, {"User-Agent", "pg-test/1"}})
                .status == 202);
    REQUIRE(eventually([&] {
        return http_get(daemon->admin_url() + "/v1/plugins/picky/last_event").body.find("n1") != std::string::npos;
    }));
    const auto seen = http_get(daemon->admin_url() + "/v1/plugins/picky/last_event").json();
    CHECK(std::string(seen["type"].GetString()) == "custom");
    CHECK(std::string(seen["name"].GetString()) == "Saved");
    CHECK(std::string(seen["user_id"].GetString()) == "u-9");
    CHECK(std::string(seen["device_id"].GetString()) == "d-3");
    CHECK(std::string(seen["session_id"].GetString()) == "s1");
    CHECK(seen["timestamp_ms"].GetInt64() == 1705311015250);           // 10:30:15.250+01:00
    CHECK(std::string(seen["client_ip"].GetString()) == "127.0.0.1");  // no trusted proxy configured
    CHECK(std::string(seen["user_agent"].GetString()) == "pg-test/1");
}

TEST_CASE("the client IP comes from X-Forwarded-For only behind a trusted proxy")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("picky");
    auto trusted = start_daemon(plugins, {{"PRODUCTGRAPH_TRUSTED_PROXIES", "127.0.0.1"}});
    REQUIRE(http_post(trusted->base_url() + "/v1/events", batch_of({minimal_event("ip2")}),
                      {{"X-Forwarded-For", "198.51.100.1, 203.0.113.9"}})
                .status == 202);
    REQUIRE(eventually([&] {
        return http_get(trusted->admin_url() + "/v1/plugins/picky/last_event").body.find("ip2") != std::string::npos;
    }));
    CHECK(
        std::string(http_get(trusted->admin_url() + "/v1/plugins/picky/last_event").json()["client_ip"].GetString()) ==
        "203.0.113.9");
}
