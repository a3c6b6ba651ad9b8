// Dispatch as operators see it: retries, rejects, a hung plugin, a failed plugin,
// a full queue, and shutdown draining, each with ingestion and the memory plugin
// still working.
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>

#include "admin_queries.hpp"
#include "event_samples.hpp"
#include "http_client.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;
using namespace std::chrono_literals;

namespace {

rapidjson::Document plugin_view(const DaemonProcess &daemon, const std::string &plugin)
{
    return http_get(daemon.admin_url() + "/v1/plugins/" + plugin + "/events").json();
}

// The counters of `name` in GET /v1/plugins.
std::vector<std::string> delivered_ids(const DaemonProcess &daemon, const std::string &plugin)
{
    std::vector<std::string> ids;
    const auto view = plugin_view(daemon, plugin);
    for (const auto &id : view["delivered"].GetArray()) ids.emplace_back(id.GetString());
    return ids;
}

}  // namespace

TEST_CASE("a plugin answering RETRY gets the same batch again until it answers OK")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("flaky");
    auto daemon = start_daemon(
        plugins, {{"FLAKY_FAILURES", "2"}, {"FLAKY_RETRY_AFTER_MS", "150"}, {"PRODUCTGRAPH_RETRY_INITIAL_MS", "10"}});
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("r", 3)).status == 202);
    REQUIRE(eventually([&] { return delivered_ids(*daemon, "flaky").size() == 3; }));
    // Two retries, each waiting at least the plugin's retry_after_ms.
    CHECK(std::chrono::steady_clock::now() - started >= 300ms);

    const auto view = plugin_view(*daemon, "flaky");
    CHECK(view["publish_calls"].GetInt() == 3);
    REQUIRE(view["attempts"].Size() == 3);
    CHECK(view["attempts"][2].GetInt() == 3);
    CHECK(delivered_ids(*daemon, "flaky") == std::vector<std::string>{"r0", "r1", "r2"});
    const auto status = plugin_status(*daemon, "flaky");
    CHECK(status["retried"].GetInt() == 6);
    CHECK(status["delivered"].GetInt() == 3);
    // The cursor and the memory plugin move just after the delivery is recorded.
    CHECK(eventually([&] { return plugin_status(*daemon, "flaky")["queue_lag"].GetInt() == 0; }));
    CHECK(eventually([&] { return memory_has(*daemon, "r2"); }));
    CHECK(daemon->all_logs().find("simulated provider outage") != std::string::npos);
}

TEST_CASE("events waiting for a retry never hold up newer events")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("flaky");
    auto daemon = start_daemon(plugins, {{"FLAKY_FAILURES", "1"}, {"FLAKY_RETRY_AFTER_MS", "1500"}});
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("old", 2)).status == 202);
    REQUIRE(eventually([&] { return plugin_view(*daemon, "flaky")["publish_calls"].GetInt() == 1; }));
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("new", 2)).status == 202);

    // The newer batch goes out while the older one waits out its 1.5 s retry delay.
    REQUIRE(eventually([&] { return delivered_ids(*daemon, "flaky").size() >= 2; }));
    CHECK(delivered_ids(*daemon, "flaky") == std::vector<std::string>{"new0", "new1"});
    CHECK(plugin_status(*daemon, "flaky")["queue_lag"].GetInt() == 4);  // the cursor waits for old0

    REQUIRE(eventually([&] { return delivered_ids(*daemon, "flaky").size() == 4; }));
    CHECK(delivered_ids(*daemon, "flaky") == std::vector<std::string>{"new0", "new1", "old0", "old1"});
    CHECK(eventually([&] { return plugin_status(*daemon, "flaky")["queue_lag"].GetInt() == 0; }));
}

TEST_CASE("a retry delay a plugin sets for one event does not hold up the others")
{
    PluginDirectory plugins;
    plugins.add_test_plugin("picky");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_RETRY_INITIAL_MS", "20"}});
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(http_post(daemon->base_url() + "/v1/events",
                      batch_of({minimal_event("slow0"), minimal_event("again0"), minimal_event("now0")}))
                .status == 202);
    // "again0" waits the host's 20 ms backoff; "slow0" its own 1 s.
    REQUIRE(eventually([&] { return delivered_ids(*daemon, "picky").size() >= 2; }));
    CHECK(delivered_ids(*daemon, "picky") == std::vector<std::string>{"now0", "again0"});
    CHECK(std::chrono::steady_clock::now() - started < 900ms);
    REQUIRE(eventually([&] { return delivered_ids(*daemon, "picky").size() == 3; }));
    CHECK(std::chrono::steady_clock::now() - started >= 1000ms);
    CHECK(delivered_ids(*daemon, "picky").back() == "slow0");
}

TEST_CASE("events a plugin rejects are dropped with a log line and counted while the rest are delivered")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("picky");
    auto daemon = start_daemon(plugins);
    REQUIRE(http_post(daemon->base_url() + "/v1/events",
                      batch_of({minimal_event("good1"), minimal_event("bad1"), minimal_event("good2")}))
                .status == 202);
    REQUIRE(eventually([&] { return plugin_status(*daemon, "picky")["rejected"].GetInt() == 1; }));
    CHECK(delivered_ids(*daemon, "picky") == std::vector<std::string>{"good1", "good2"});
    CHECK(plugin_status(*daemon, "picky")["delivered"].GetInt() == 2);
    const auto line = daemon->wait_for_log("plugin rejected an event");
    REQUIRE(line.has_value());
    CHECK(line->find(R"("event_id":"bad1")") != std::string::npos);
    CHECK(line->find("event_id starts with bad") != std::string::npos);
    CHECK(eventually([&] { return memory_has(*daemon, "bad1"); }));  // the memory plugin has its own opinion

    // The counter moves as the answer is read; the dead letter is filed just after.
    const std::string dead_letters = daemon->admin_url() + "/v1/plugins/picky/dead-letters";
    REQUIRE(eventually([&] { return http_get(dead_letters).json()["count"].GetInt() == 1; }));
    const auto dead = http_get(dead_letters).json();
    CHECK(std::string(dead["dead_letters"][0]["event_id"].GetString()) == "bad1");
    CHECK(std::string(dead["dead_letters"][0]["reason"].GetString()) == "rejected: event_id starts with bad");
    CHECK(std::string(dead["dead_letters"][0]["event"]["session.id"].GetString()) == "s1");
    CHECK(http_get(daemon->admin_url() + "/v1/plugins/memory/dead-letters").json()["count"].GetInt() == 0);
}

TEST_CASE("dead letters past PRODUCTGRAPH_DEAD_LETTER_MAX_BYTES are dropped and counted and logged and shown")
{
    // 30 rejected events of about 60 KB each: 1.8 MB of dead letters against a 1 MiB store.
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("picky");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_DEAD_LETTER_MAX_BYTES", "1048576"}});
    const std::string padding = R"(,"error.stack":")" + std::string(60000, 'x') + '"';
    constexpr int rejected = 30;
    for (int i = 0; i < rejected; ++i) {
        REQUIRE(
            http_post(daemon->base_url() + "/v1/events", batch_of({minimal_event("bad" + std::to_string(i), padding)}))
                .status == 202);
    }
    REQUIRE(eventually([&] {
        const auto status = plugin_status(*daemon, "picky");
        return status["dead_letters"].GetInt() + status["dead_letters_dropped"].GetInt() == rejected;
    }));
    const auto status = plugin_status(*daemon, "picky");
    const int kept = status["dead_letters"].GetInt();
    const int dropped = status["dead_letters_dropped"].GetInt();
    CHECK(kept >= 15);  // the oldest are kept while they fit
    CHECK(dropped >= 10);
    CHECK(status["dead_letter_bytes"].GetInt64() <= 1048576);
    CHECK(status["dead_letter_bytes"].GetInt64() > 1048576 - 70000);  // full: the next one did not fit

    const auto dead = http_get(daemon->admin_url() + "/v1/plugins/picky/dead-letters?limit=100").json();
    std::set<std::string> kept_ids;  // the list is newest first
    for (const auto &letter : dead["dead_letters"].GetArray()) kept_ids.insert(letter["event_id"].GetString());
    std::set<std::string> oldest_ids;
    for (int i = 0; i < kept; ++i) oldest_ids.insert("bad" + std::to_string(i));
    CHECK(kept_ids == oldest_ids);

    const auto line = daemon->wait_for_log("dead letters full");
    REQUIRE(line.has_value());
    CHECK(line->find(R"("level":"error")") != std::string::npos);
    CHECK(line->find(R"("plugin":"picky")") != std::string::npos);
    CHECK(line->find(R"("first_event_id":"bad)" + std::to_string(kept) + '"') != std::string::npos);

    const std::string metrics = http_get(daemon->admin_url() + "/metrics").body;
    CHECK(metrics.find(R"(productgraphd_plugin_dead_letters_dropped_events_total{plugin="picky"} )" +
                       std::to_string(dropped) + "\n") != std::string::npos);
    CHECK(metrics.find(R"(productgraphd_plugin_dead_letters_dropped_events_total{plugin="memory"} 0)") !=
          std::string::npos);
}

TEST_CASE("events past the retry budget become dead letters and a replay delivers them")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("flaky");
    auto daemon = start_daemon(
        plugins, {{"FLAKY_FAILURES", "2"}, {"FLAKY_RETRY_AFTER_MS", "1200"}, {"PRODUCTGRAPH_RETRY_MAX_AGE", "1"}});
    const std::string dead_letters = daemon->admin_url() + "/v1/plugins/flaky/dead-letters";
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("late", 2)).status == 202);
    REQUIRE(eventually([&] { return http_get(dead_letters).json()["count"].GetInt() == 2; }));
    const auto dead = http_get(dead_letters).json();
    CHECK(std::string(dead["dead_letters"][0]["reason"].GetString()).find("retry budget of 1 s exhausted") !=
          std::string::npos);
    CHECK(plugin_status(*daemon, "flaky")["expired"].GetInt() == 2);
    // Dead letters do not hold the queue.
    CHECK(eventually([&] { return plugin_status(*daemon, "flaky")["queue_lag"].GetInt() == 0; }));
    CHECK(delivered_ids(*daemon, "flaky").empty());

    CHECK(http_get(dead_letters + "/replay").status == 405);
    const HttpResponse replay = http_post(dead_letters + "/replay", "");
    CHECK(replay.status == 202);
    CHECK(replay.body == R"({"replaying":2})");
    REQUIRE(eventually([&] { return delivered_ids(*daemon, "flaky").size() == 2; }));
    CHECK(eventually([&] {
        const auto after = http_get(dead_letters).json();
        return after["count"].GetInt() == 0 && !after["replay_in_progress"].GetBool();
    }));
    CHECK(http_post(daemon->admin_url() + "/v1/plugins/nosuch/dead-letters/replay", "").status == 404);
}

TEST_CASE("a plugin hung inside publish is marked failed while ingestion and other plugins go on")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("hang");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_PUBLISH_TIMEOUT_MS", "200"},
                                         {"PRODUCTGRAPH_PUBLISH_HANG_MS", "300"},
                                         {"PRODUCTGRAPH_SHUTDOWN_TIMEOUT", "1"}});
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("h", 2)).status == 202);
    REQUIRE(eventually([&] { return plugin_status(*daemon, "hang")["state"] == "failed"; }));
    CHECK(std::string(plugin_status(*daemon, "hang")["reason"].GetString()).find("hung") != std::string::npos);

    // Ingestion and the memory plugin were never held up.
    for (int i = 0; i < 5; ++i) {
        CHECK(http_post(daemon->base_url() + "/v1/events", numbered_batch("after" + std::to_string(i) + "-", 10))
                  .status == 202);
    }
    CHECK(eventually([&] { return memory_has(*daemon, "after4-9"); }));
    const HttpResponse ready = http_get(daemon->base_url() + "/ready");
    CHECK(ready.status == 200);
    CHECK(ready.body.find(R"("name":"hang")") != std::string::npos);
    CHECK(daemon->stop(SIGTERM) == 0);
}

TEST_CASE("FATAL marks only that plugin failed with its reason and /ready stays 200")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("fatal");
    auto daemon = start_daemon(plugins);
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("f", 4)).status == 202);
    REQUIRE(eventually([&] { return plugin_status(*daemon, "fatal")["state"] == "failed"; }));
    const auto status = plugin_status(*daemon, "fatal");
    CHECK(std::string(status["reason"].GetString()) == "invalid api key");
    CHECK(status["queue_lag"].GetInt() == 4);  // kept for the restart that fixes it
    CHECK(plugin_status(*daemon, "memory")["state"] == "enabled");

    const HttpResponse ready = http_get(daemon->base_url() + "/ready");
    CHECK(ready.status == 200);
    const auto ready_body = ready.json();
    REQUIRE(ready_body["failed_plugins"].Size() == 1);
    CHECK(std::string(ready_body["failed_plugins"][0]["reason"].GetString()) == "invalid api key");

    CHECK(http_post(daemon->base_url() + "/v1/events", numbered_batch("g", 2)).status == 202);
    CHECK(eventually([&] { return memory_has(*daemon, "g1"); }));
    CHECK(plugin_view(*daemon, "fatal")["publish_calls"].GetInt() == 1);  // never fed again
    CHECK(plugin_status(*daemon, "fatal")["queue_lag"].GetInt() == 6);
}

TEST_CASE("a full queue answers 503 with Retry-After and accepts again once there is room")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("flaky");
    // flaky keeps failing, so its cursor holds everything: the queue fills up.
    auto daemon = start_daemon(plugins, {{"FLAKY_FAILURES", "1000000"},
                                         {"PRODUCTGRAPH_QUEUE", "memory"},
                                         {"PRODUCTGRAPH_QUEUE_MAX_EVENTS", "10"},
                                         {"PRODUCTGRAPH_RETRY_INITIAL_MS", "50"},
                                         {"PRODUCTGRAPH_RETRY_MAX_MS", "50"},
                                         {"PRODUCTGRAPH_SHUTDOWN_TIMEOUT", "1"}});
    CHECK(http_post(daemon->base_url() + "/v1/events", numbered_batch("q", 8)).status == 202);
    const HttpResponse full = http_post(daemon->base_url() + "/v1/events", numbered_batch("x", 3));
    CHECK(full.status == 503);
    CHECK(full.header("retry-after") == "1");
    CHECK(std::string(full.json()["error"].GetString()).find("queue is full") != std::string::npos);
    // Unready while it refuses, so a balancer sheds load; a batch that fits still goes in.
    CHECK(http_get(daemon->base_url() + "/ready").status == 503);
    CHECK(http_post(daemon->base_url() + "/v1/events", numbered_batch("y", 2)).status == 202);
    CHECK(http_get(daemon->base_url() + "/ready").status == 503);  // now full to the last slot
    CHECK(daemon->wait_for_log("queue full").has_value());
    const auto plugin_list = http_get(daemon->admin_url() + "/v1/plugins").json();
    CHECK(plugin_list["queue"]["refused_full_total"].GetInt() == 3);
    CHECK_FALSE(memory_has(*daemon, "x0"));  // refused means not accepted, so not stored anywhere

    // Shutdown gives up after PRODUCTGRAPH_SHUTDOWN_TIMEOUT and says what was left.
    CHECK(daemon->stop(SIGTERM) == 0);
    const std::string logs = daemon->all_logs();
    CHECK(logs.find(R"("msg":"shutdown: events not delivered to plugin","plugin":"flaky","events":10)") !=
          std::string::npos);
}

TEST_CASE("SIGTERM drains accepted events to the plugins before exiting 0")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("flaky");
    auto daemon = start_daemon(
        plugins, {{"FLAKY_FAILURES", "1"}, {"FLAKY_RETRY_AFTER_MS", "500"}, {"PRODUCTGRAPH_SHUTDOWN_TIMEOUT", "10"}});
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("d", 5)).status == 202);
    REQUIRE(eventually([&] { return plugin_view(*daemon, "flaky")["publish_calls"].GetInt() == 1; }));
    REQUIRE(daemon->stop(SIGTERM) == 0);
    const std::string logs = daemon->all_logs();
    CHECK(logs.find("shutdown: events not delivered") == std::string::npos);
    CHECK(logs.find("shutdown timeout") == std::string::npos);
    CHECK(logs.find(R"("msg":"stopped")") != std::string::npos);
}

TEST_CASE("DEBUG=true logs event dispatch")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins, {{"DEBUG", "true"}});
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("dbg", 2)).status == 202);
    const auto line = daemon->wait_for_log(R"("msg":"dispatch","plugin":"memory","events":2)");
    CHECK(line.has_value());
}

TEST_CASE("bad values of the failed-backlog and dead-letter limits stop start-up naming the variable")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    const std::pair<const char *, const char *> bad_values[] = {
        {"PRODUCTGRAPH_FAILED_BACKLOG_BYTES", "lots"},
        {"PRODUCTGRAPH_FAILED_BACKLOG_BYTES", "2000000"},  // over half of the 2 MB queue below
        {"PRODUCTGRAPH_DEAD_LETTER_MAX_BYTES", "-1"},
        {"PRODUCTGRAPH_DEAD_LETTER_MAX_BYTES", "1000"},  // under 1 MiB
    };
    for (const auto &[name, value] : bad_values) {
        DaemonProcess daemon(
            {{"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()}, {"PRODUCTGRAPH_QUEUE_MAX_BYTES", "2000000"}, {name, value}});
        INFO(name << "=" << value << "\n" << daemon.all_logs());
        REQUIRE(daemon.wait_for_exit(15s) == 2);
        CHECK(daemon.all_logs().find(std::string(name) + ": must be a whole number of bytes from ") !=
              std::string::npos);
        CHECK(daemon.all_logs().find(std::string(R"(got \")") + value + R"(\")") != std::string::npos);  // JSON-escaped
    }
}

TEST_CASE("each daemon thread is named for its job so top -H and perf can tell them apart")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const auto thread_names = [&] {
        std::set<std::string> names;
        for (const auto &task :
             std::filesystem::directory_iterator("/proc/" + std::to_string(daemon->pid()) + "/task")) {
            std::ifstream comm(task.path() / "comm");
            std::string name;
            std::getline(comm, name);
            names.insert(name);
        }
        return names;
    };
    const std::set<std::string> expected = {"pg-public-0", "pg-public-1", "pg-admin-0", "pg-out-memory", "pg-watchdog"};
    // Each thread names itself as it starts, which may be just after "listening".
    CHECK(eventually([&] {
        const auto names = thread_names();
        return std::includes(names.begin(), names.end(), expected.begin(), expected.end());
    }));
}
