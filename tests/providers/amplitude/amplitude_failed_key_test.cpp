// A wrong Amplitude key loses nothing: the failed plugin keeps its cursor, its backlog
// past its share moves to its dead letters, and a restart with the right key plus a
// replay delivers every accepted event exactly as it was accepted.
#include "admin_queries.hpp"
#include "event_samples.hpp"
#include "http_client.hpp"
#include "mock_amplitude.hpp"
#include "running_daemon.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace productgraph::testing;
using namespace productgraph::amplitude::testing;
using namespace std::chrono_literals;

namespace {

constexpr int total_events = 10'000;
constexpr int events_per_post = 100;

struct ScratchDir {
    std::string path;
    ScratchDir()
    {
        std::string pattern = "/tmp/pg-failed-key-XXXXXX";
        path = mkdtemp(pattern.data());
    }
    ~ScratchDir() { std::filesystem::remove_all(path); }
};

std::string padded(int i)
{
    char text[16];
    std::snprintf(text, sizeof text, "%05d", i);
    return text;
}

// Every event differs in its id, user, a number and a non-ASCII string, so that a
// payload changed on its way through the dead letters shows.
std::string numbered_event(int i)
{
    const std::string n = padded(i);
    return minimal_event("fk-" + n, R"(,"user.id":"user-)" + n + R"(","metadata":{"seq":)" + std::to_string(i) +
                                        R"(,"note":"h\u00e9llo \u2713 #)" + n + R"(","ratio":0.5})");
}

// The event JSON with everything that depends on its number replaced by a marker:
// identical for all events when each arrived exactly as accepted.
std::string normalised(std::string json, int i)
{
    const auto replace_all = [&json](const std::string &from, const std::string &to) {
        for (size_t at = json.find(from); at != std::string::npos; at = json.find(from, at + to.size())) {
            json.replace(at, from.size(), to);
        }
    };
    replace_all("\"seq\":" + std::to_string(i) + ",", "\"seq\":N,");
    for (const char *prefix : {"fk-", "user-", "#"}) replace_all(prefix + padded(i), std::string(prefix) + "N");
    return json;
}

}  // namespace

TEST_CASE("a wrong key then a fixed key and a replay delivers all 10000 accepted events exactly as accepted")
{
    MockAmplitude mock;
    ScratchDir scratch;
    const std::string queue_dir = scratch.path + "/queue";
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_plugin("amplitude");
    std::map<std::string, std::string> env = {{"ANALYTICS_ENABLED", "true"},
                                              {"AMPLITUDE_ENABLED", "true"},
                                              {"AMPLITUDE_API_KEY", "AMP_WRONG_KEY_000000000000000000"},
                                              {"AMPLITUDE_ENDPOINT", mock.url()},
                                              {"PRODUCTGRAPH_QUEUE_DIR", queue_dir},
                                              {"PRODUCTGRAPH_QUEUE_MAX_BYTES", std::to_string(1 << 20)},
                                              {"PRODUCTGRAPH_FSYNC", "never"},
                                              {"MEMORY_MAX_EVENTS", "100"}};
    {
        auto daemon = start_daemon(plugins, env);
        INFO("daemon log:\n" << daemon->all_logs());
        int refused = 0;
        const auto posting_deadline = std::chrono::steady_clock::now() + 20s;
        for (int first = 0; first < total_events;) {
            std::vector<std::string> events;
            for (int i = first; i < first + events_per_post; ++i) events.push_back(numbered_event(i));
            const HttpResponse answer = http_post(daemon->base_url() + "/v1/events", batch_of(events));
            if (answer.status == 202) {
                first += events_per_post;
                continue;
            }
            // A burst may outrun the shedding for a moment: 503 means "not accepted, try again".
            INFO("answer: " << answer.body);
            REQUIRE(answer.status == 503);
            REQUIRE(std::chrono::steady_clock::now() < posting_deadline);
            ++refused;
            std::this_thread::sleep_for(10ms);
        }
        MESSAGE("requests refused with 503 while posting: " << refused);

        const auto amplitude = plugin_status(*daemon, "amplitude");
        CHECK(std::string(amplitude["state"].GetString()) == "failed");
        CHECK(std::string(amplitude["reason"].GetString()).find("Invalid API key") != std::string::npos);
        // The backlog past its share went to its dead letters, and the segments every
        // plugin had passed were deleted.
        REQUIRE(eventually([&] { return plugin_status(*daemon, "amplitude")["failed_backlog_moved"].GetInt() > 0; }));
        CHECK(eventually([&] { return !std::filesystem::exists(queue_dir + "/00000000000000000000.seg"); }));
        const auto status = plugin_status(*daemon, "amplitude");
        CHECK(status["dead_letters"].GetInt() + status["queue_lag"].GetInt() == total_events);
        CHECK(status["queue_lag"].GetInt() > 0);  // its share stays queued for it
        CHECK(status["dead_letters_dropped"].GetInt() == 0);
        CHECK(mock.accepted_ids().empty());
        REQUIRE(daemon->stop(SIGTERM) == 0);
    }

    env["AMPLITUDE_API_KEY"] = "AMP_TEST_API_KEY_0123456789abcdef";
    auto daemon = start_daemon(plugins, env);
    INFO("daemon log:\n" << daemon->all_logs());
    // It resumes from its cursor on its own...
    REQUIRE(eventually([&] { return plugin_status(*daemon, "amplitude")["queue_lag"].GetInt() == 0; }));
    CHECK(!mock.accepted_ids().empty());
    // ...and the replay brings back the rest.
    const HttpResponse replay = http_post(daemon->admin_url() + "/v1/plugins/amplitude/dead-letters/replay", "");
    REQUIRE(replay.status == 202);
    CHECK(replay.json()["replaying"].GetInt() + mock.accepted_ids().size() == total_events);
    REQUIRE(eventually([&] { return mock.accepted_ids().size() >= total_events; }, 15s));
    CHECK(eventually([&] { return plugin_status(*daemon, "amplitude")["dead_letters"].GetInt() == 0; }));

    const std::vector<AcceptedEvent> accepted = mock.accepted();
    CHECK(accepted.size() == total_events);  // each exactly once
    std::set<std::string> ids;
    std::set<std::string> shapes;
    for (const AcceptedEvent &event : accepted) {
        ids.insert(event.insert_id);
        const int i = std::atoi(event.insert_id.c_str() + 3);
        shapes.insert(normalised(event.json, i));
    }
    CHECK(ids.size() == total_events);
    CHECK(*ids.begin() == "fk-00000");
    CHECK(*ids.rbegin() == "fk-09999");
    REQUIRE(shapes.size() == 1);  // all alike once their numbers are masked: nothing changed on the way
    const std::string shape = *shapes.begin();
    INFO("event as Amplitude got it: " << shape);
    CHECK(shape.find(R"("seq":N,)") != std::string::npos);
    CHECK(shape.find(R"("user_id":"user-N")") != std::string::npos);
    CHECK(shape.find(R"("ratio":0.5)") != std::string::npos);
    CHECK(shape.find("h\xC3\xA9llo \xE2\x9C\x93 #N") != std::string::npos);
    CHECK(shape.find(R"("time":1705311015250)") != std::string::npos);
}
