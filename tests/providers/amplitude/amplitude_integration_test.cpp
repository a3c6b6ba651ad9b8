// The real productgraphd with memory.so and amplitude.so against the mock Amplitude server:
// what an operator sees, and what Amplitude receives.
#include "admin_queries.hpp"
#include "command_run.hpp"
#include "event_samples.hpp"
#include "http_client.hpp"
#include "mock_amplitude.hpp"
#include "running_daemon.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <string>
#include <vector>

using namespace productgraph::testing;
using namespace productgraph::amplitude::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char *key = "AMP_TEST_API_KEY_0123456789abcdef";

std::map<std::string, std::string> amplitude_env(const MockAmplitude &mock,
                                                 std::map<std::string, std::string> extra = {})
{
    std::map<std::string, std::string> env = {{"ANALYTICS_ENABLED", "true"},
                                              {"AMPLITUDE_ENABLED", "true"},
                                              {"AMPLITUDE_API_KEY", key},
                                              {"AMPLITUDE_ENDPOINT", mock.url()},
                                              {"PRODUCTGRAPH_RETRY_INITIAL_MS", "20"},
                                              {"PRODUCTGRAPH_RETRY_MAX_MS", "200"}};
    for (auto &[name, value] : extra) env[name] = value;
    return env;
}

// What the mock received apart from the plugin's start-up key check (a request without events).
std::vector<ReceivedRequest> event_requests(const MockAmplitude &mock)
{
    std::vector<ReceivedRequest> requests = mock.requests();
    std::erase_if(requests, [](const ReceivedRequest &request) { return request.event_count() == 0; });
    return requests;
}

// A daemon running memory.so and amplitude.so from its own plugin directory.
struct Daemon {
    PluginDirectory plugins;
    std::unique_ptr<DaemonProcess> process;

    DaemonProcess *operator->() const { return process.get(); }
    DaemonProcess &operator*() const { return *process; }
};

std::unique_ptr<Daemon> start_with(const MockAmplitude &mock, std::map<std::string, std::string> extra = {})
{
    auto daemon = std::make_unique<Daemon>();
    daemon->plugins.add_plugin("memory").add_plugin("amplitude");
    daemon->process = start_daemon(daemon->plugins, amplitude_env(mock, std::move(extra)));
    return daemon;
}

HttpResponse post_events(const DaemonProcess &daemon, const std::vector<std::string> &events)
{
    return http_post(daemon.base_url() + "/v1/events", batch_of(events),
                     {{"User-Agent", "amplitude-integration-test/1.0"}});
}

// The GET /v1/plugins entry of `name`.
bool accepted_all(const MockAmplitude &mock, const std::vector<std::string> &ids)
{
    const std::vector<std::string> accepted = mock.accepted_ids();
    return std::all_of(ids.begin(), ids.end(), [&](const std::string &id) {
        return std::find(accepted.begin(), accepted.end(), id) != accepted.end();
    });
}

std::string user_event(const std::string &event_id, const std::string &user)
{
    return minimal_event(event_id, R"(,"user.id":")" + user + R"(")");
}

}  // namespace

TEST_CASE("the daemon logs amplitude provider enabled and accepted events reach Amplitude with their fields")
{
    MockAmplitude mock;
    const auto daemon_holder = start_with(mock);
    const Daemon &daemon = *daemon_holder;
    INFO("daemon log:\n" << daemon->all_logs());  // read when a check fails
    CHECK(daemon->all_logs().find(R"({"level":"info","msg":"amplitude provider enabled"})") != std::string::npos);
    CHECK(std::string(plugin_status(*daemon, "amplitude")["state"].GetString()) == "enabled");

    REQUIRE(post_events(*daemon, {spec_event("it_1"), spec_event("it_2"), minimal_event("it_anon")}).status == 202);
    REQUIRE(eventually([&] { return accepted_all(mock, {"it_1", "it_2", "it_anon"}); }));

    const auto event = mock.find("it_1");
    REQUIRE(event.has_value());
    const rapidjson::Document sent = [&] {
        rapidjson::Document d;
        d.Parse(event->json.c_str());
        return d;
    }();
    CHECK(std::string(sent["event_type"].GetString()) == "signup_button_clicked");
    CHECK(std::string(sent["user_id"].GetString()) == "user-123");
    CHECK(sent["time"].GetInt64() == 1705314615000);
    CHECK(std::string(sent["ip"].GetString()) == "127.0.0.1");
    CHECK(std::string(sent["user_agent"].GetString()) == "amplitude-integration-test/1.0");
    CHECK(sent["session_id"].GetInt64() == 2435253262168548);  // the hash of "sess_abc123"
    CHECK(std::string(sent["event_properties"]["component_name"].GetString()) == "SignupButton");

    const auto anonymous = mock.find("it_anon");
    REQUIRE(anonymous.has_value());
    CHECK(anonymous->json.find(R"("device_id":"s1")") != std::string::npos);
    CHECK(anonymous->json.find("user_id") == std::string::npos);
    CHECK(anonymous->json.find(R"("time":1705311015250)") != std::string::npos);  // 10:30:15.250+01:00
    CHECK(eventually([&] { return memory_has(*daemon, "it_anon"); }));
    CHECK(eventually([&] { return plugin_status(*daemon, "amplitude")["delivered"].GetInt() == 3; }));
}

TEST_CASE("amplitude stays off unless ANALYTICS_ENABLED is true")
{
    MockAmplitude mock;
    const auto daemon_holder = start_with(mock, {{"ANALYTICS_ENABLED", "false"}});
    const Daemon &daemon = *daemon_holder;
    INFO("daemon log:\n" << daemon->all_logs());  // read when a check fails
    CHECK(daemon->all_logs().find("amplitude provider enabled") == std::string::npos);
    CHECK(std::string(plugin_status(*daemon, "amplitude")["state"].GetString()) == "disabled");
    REQUIRE(post_events(*daemon, {minimal_event("off_1")}).status == 202);
    REQUIRE(eventually([&] { return memory_has(*daemon, "off_1"); }));
    CHECK(mock.requests().empty());
}

TEST_CASE("events Amplitude rejects never arrive while the rest of their batch does")
{
    MockAmplitude mock;
    mock.then(replies::invalid_fields("time", {1}));
    const auto daemon_holder = start_with(mock);
    const Daemon &daemon = *daemon_holder;
    INFO("daemon log:\n" << daemon->all_logs());  // read when a check fails
    REQUIRE(
        post_events(*daemon, {user_event("rj_0", "user-a"), user_event("rj_1", "user-b"), user_event("rj_2", "user-c")})
            .status == 202);
    REQUIRE(eventually([&] { return accepted_all(mock, {"rj_0", "rj_2"}); }));
    REQUIRE(eventually([&] { return plugin_status(*daemon, "amplitude")["rejected"].GetInt() == 1; }));
    const auto line = daemon->wait_for_log("plugin rejected an event");
    REQUIRE(line.has_value());
    CHECK(line->find(R"("event_id":"rj_1")") != std::string::npos);
    CHECK(line->find("Amplitude 400: invalid time") != std::string::npos);
    const auto accepted = mock.accepted_ids();
    CHECK(std::find(accepted.begin(), accepted.end(), "rj_1") == accepted.end());
    // The mock records a request before the plugin's answer reaches the host's counters.
    CHECK(eventually([&] { return plugin_status(*daemon, "amplitude")["delivered"].GetInt() == 2; }));
}

TEST_CASE("throttled events arrive after the throttle delay while the others do not wait")
{
    MockAmplitude mock;
    mock.then(replies::throttled({0}, {2}));
    const auto daemon_holder = start_with(mock, {{"AMPLITUDE_THROTTLE_RETRY_MS", "1500"}});
    const Daemon &daemon = *daemon_holder;
    INFO("daemon log:\n" << daemon->all_logs());  // read when a check fails
    REQUIRE(post_events(*daemon, {user_event("th_0", "user-slow"), user_event("th_1", "user-ok"),
                                  minimal_event("th_2", R"(,"device.id":"device-over-quota")")})
                .status == 202);
    REQUIRE(eventually([&] { return accepted_all(mock, {"th_0", "th_1"}); }, 15s));

    const auto requests = event_requests(mock);
    REQUIRE(requests.size() >= 3);
    CHECK(requests[0].status == 429);
    CHECK(requests[0].insert_ids == std::vector<std::string>{"th_0", "th_1", "th_2"});
    // The event that was not throttled went again at once, in the same publish.
    CHECK(requests[1].insert_ids == std::vector<std::string>{"th_1"});
    CHECK(requests[1].at - requests[0].at < 1000ms);
    // The throttled one waited at least the throttle delay.
    CHECK(requests[2].insert_ids == std::vector<std::string>{"th_0"});
    CHECK(requests[2].at - requests[0].at >= 1500ms);
    // The device over its daily quota is dropped, never sent again.
    const auto accepted = mock.accepted_ids();
    CHECK(std::find(accepted.begin(), accepted.end(), "th_2") == accepted.end());
    CHECK(eventually([&] { return plugin_status(*daemon, "amplitude")["rejected"].GetInt() == 1; }));
}

TEST_CASE("a 413 from Amplitude is split into halves that both arrive")
{
    MockAmplitude mock;
    mock.then(replies::payload_too_large());
    const auto daemon_holder = start_with(mock);
    const Daemon &daemon = *daemon_holder;
    INFO("daemon log:\n" << daemon->all_logs());  // read when a check fails
    REQUIRE(post_events(*daemon,
                        {minimal_event("sp_0"), minimal_event("sp_1"), minimal_event("sp_2"), minimal_event("sp_3")})
                .status == 202);
    REQUIRE(eventually([&] { return accepted_all(mock, {"sp_0", "sp_1", "sp_2", "sp_3"}); }));
    const auto requests = event_requests(mock);
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].status == 413);
    CHECK(requests[0].event_count() == 4);
    CHECK(requests[1].insert_ids == std::vector<std::string>{"sp_0", "sp_1"});
    CHECK(requests[2].insert_ids == std::vector<std::string>{"sp_2", "sp_3"});
}

TEST_CASE("a 500 from Amplitude is retried with the same insert ids until it is accepted")
{
    MockAmplitude mock;
    mock.then(replies::server_error(500));
    mock.then(replies::server_error(503));
    const auto daemon_holder = start_with(mock);
    const Daemon &daemon = *daemon_holder;
    INFO("daemon log:\n" << daemon->all_logs());  // read when a check fails
    REQUIRE(post_events(*daemon, {minimal_event("se_0"), minimal_event("se_1")}).status == 202);
    REQUIRE(eventually([&] { return accepted_all(mock, {"se_0", "se_1"}); }));
    const auto requests = event_requests(mock);
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].status == 500);
    CHECK(requests[1].status == 503);
    CHECK(requests[2].status == 200);
    for (const auto &request : requests) CHECK(request.insert_ids == std::vector<std::string>{"se_0", "se_1"});
    CHECK(mock.accepted_ids() == std::vector<std::string>{"se_0", "se_1"});
    CHECK(eventually([&] { return plugin_status(*daemon, "amplitude")["delivered"].GetInt() == 2; }));
    CHECK(plugin_status(*daemon, "amplitude")["retried"].GetInt() == 4);
}

TEST_CASE("an AMPLITUDE_REGION outside us|eu fails the plugin at start-up naming the variable and the rule")
{
    MockAmplitude mock;
    const auto daemon_holder = start_with(mock, {{"AMPLITUDE_REGION", "mars"}});
    const Daemon &daemon = *daemon_holder;
    const std::string rule = R"(AMPLITUDE_REGION: must be one of us|eu, got \"mars\")";  // as JSON escapes it
    CHECK(daemon->all_logs().find(rule) != std::string::npos);
    const auto status = plugin_status(*daemon, "amplitude");
    CHECK(std::string(status["state"].GetString()) == "failed");
    CHECK(std::string(status["reason"].GetString()) == R"(AMPLITUDE_REGION: must be one of us|eu, got "mars")");
    REQUIRE(post_events(*daemon, {minimal_event("mars_0")}).status == 202);
    CHECK(eventually([&] { return memory_has(*daemon, "mars_0"); }));
    CHECK(mock.requests().empty());
}

TEST_CASE("a wrong API key fails the amplitude plugin at start-up before any event is sent")
{
    MockAmplitude::Options options;
    options.api_key = "THE_RIGHT_KEY_fedcba9876543210";
    MockAmplitude mock(options);
    const auto daemon_holder = start_with(mock, {{"DEBUG", "true"}});
    const Daemon &daemon = *daemon_holder;
    INFO("daemon log:\n" << daemon->all_logs());  // read when a check fails
    const auto status = plugin_status(*daemon, "amplitude");
    REQUIRE(std::string(status["state"].GetString()) == "failed");
    CHECK(std::string(status["reason"].GetString()) ==
          "credentials refused: Amplitude refused AMPLITUDE_API_KEY: Invalid API key");
    REQUIRE(mock.requests().size() == 1);  // the check: the key and no events
    CHECK(mock.requests().front().body.find(R"("events":[])") != std::string::npos);
    CHECK(std::string(plugin_status(*daemon, "memory")["state"].GetString()) == "enabled");
    CHECK(http_get(daemon->base_url() + "/ready").status == 200);

    REQUIRE(post_events(*daemon, {minimal_event("bk_1")}).status == 202);
    CHECK(eventually([&] { return memory_has(*daemon, "bk_1"); }));
    CHECK(mock.requests().size() == 1);  // never fed
    CHECK(mock.accepted().empty());
    CHECK(http_get(daemon->admin_url() + "/v1/plugins").body.find(key) == std::string::npos);
    CHECK(daemon->all_logs().find(key) == std::string::npos);
}

TEST_CASE("--check fails on a bad AMPLITUDE_REGION and on a key Amplitude refuses and names each")
{
    MockAmplitude::Options options;
    options.api_key = "THE_RIGHT_KEY_fedcba9876543210";
    MockAmplitude mock(options);
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_plugin("amplitude");
    auto env = amplitude_env(mock, {{"AMPLITUDE_REGION", "mars"}});
    env["PRODUCTGRAPH_PLUGIN_DIR"] = plugins.path();
    const CommandResult bad_region = run_productgraphd({"--check"}, env);
    CHECK(bad_region.exit_code == 1);
    CHECK(bad_region.out.find(R"(AMPLITUDE_REGION: must be one of us|eu, got "mars")") != std::string::npos);

    env.erase("AMPLITUDE_REGION");
    const CommandResult refused = run_productgraphd({"--check"}, env);
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.find("credentials refused: Amplitude refused AMPLITUDE_API_KEY") != std::string::npos);
    CHECK(refused.out.find(key) == std::string::npos);
    CHECK(mock.requests().size() == 1);  // only the key check: nothing else is sent
}

TEST_CASE("an amplitude endpoint answering the key check with 503 or 404 or nothing only warns")
{
    MockAmplitude::Options unavailable;
    unavailable.outage = CannedReply{503, R"({"code":503,"error":"Service Unavailable"})", {}};
    MockAmplitude::Options not_amplitude;
    not_amplitude.outage = CannedReply{404, "<html>not found</html>", {}};
    MockAmplitude down(unavailable), elsewhere(not_amplitude);
    const std::vector<std::pair<std::string, std::string>> endpoints = {
        {"503", down.url()}, {"404", elsewhere.url()}, {"no answer", "http://127.0.0.1:1/2/httpapi"}};
    for (const auto &[name, endpoint] : endpoints) {
        CAPTURE(name);
        PluginDirectory plugins;
        plugins.add_plugin("memory").add_plugin("amplitude");
        auto env = amplitude_env(down, {{"AMPLITUDE_ENDPOINT", endpoint}});
        auto daemon = start_daemon(plugins, env);
        const std::string logs = daemon->all_logs();
        CHECK(logs.find("credential check inconclusive") != std::string::npos);
        CHECK(std::string(plugin_status(*daemon, "amplitude")["state"].GetString()) == "enabled");
    }
    CHECK(down.requests().size() == 1);
    CHECK(elsewhere.requests().size() == 1);
}

TEST_CASE("the API key never appears in the daemon logs even at debug level")
{
    MockAmplitude::Options options;
    options.api_key = "THE_RIGHT_KEY_fedcba9876543210";
    MockAmplitude wrong_key(options);
    const auto failing_holder = start_with(wrong_key, {{"DEBUG", "true"}});
    const Daemon &failing = *failing_holder;
    INFO("daemon log:\n" << failing->all_logs());  // read when a check fails
    REQUIRE(post_events(*failing, {minimal_event("lk_0")}).status == 202);
    REQUIRE(eventually([&] { return !wrong_key.requests().empty(); }));
    REQUIRE(failing->wait_for_log("credentials refused").has_value());
    CHECK(failing->stop(SIGTERM) == 0);
    const std::string failing_logs = failing->all_logs();
    CHECK(failing_logs.find("Invalid API key") != std::string::npos);
    CHECK(failing_logs.find(key) == std::string::npos);

    MockAmplitude mock;
    const auto daemon_holder = start_with(mock, {{"DEBUG", "true"}});
    const Daemon &daemon = *daemon_holder;
    INFO("daemon log:\n" << daemon->all_logs());  // read when a check fails
    REQUIRE(post_events(*daemon, {spec_event("lk_1")}).status == 202);
    REQUIRE(eventually([&] { return accepted_all(mock, {"lk_1"}); }));
    REQUIRE(daemon->wait_for_log("status 200").has_value());
    CHECK(daemon->stop(SIGTERM) == 0);
    const std::string logs = daemon->all_logs();
    CHECK(logs.find(R"("msg":"amplitude: 1 events, )") != std::string::npos);
    CHECK(logs.find(key) == std::string::npos);
}
