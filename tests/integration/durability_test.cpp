// The durable queue seen from outside: every event that got a 202 reaches the
// provider even when the daemon is killed with SIGKILL mid-load, and a provider
// outage never stops ingestion.
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <set>
#include <thread>

#include "event_samples.hpp"
#include "http_client.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;
using namespace std::chrono_literals;

namespace {

struct ScratchDir {
    std::string path;
    ScratchDir()
    {
        std::string pattern = "/tmp/pg-durable-XXXXXX";
        path = mkdtemp(pattern.data());
    }
    ~ScratchDir() { std::filesystem::remove_all(path); }
};

// Posts batches of `batch_size` events with unique ids until told to stop, keeping
// the ids of every batch that was answered 202.
class LoadGenerator {
public:
    LoadGenerator(std::string url, std::string prefix, int batch_size)
        : url_(std::move(url)), prefix_(std::move(prefix)), batch_size_(batch_size), thread_([this] { run(); })
    {}
    ~LoadGenerator() { stop(); }
    void stop()
    {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
    }
    const std::vector<std::string> &acknowledged() const { return acknowledged_; }
    int batches_acknowledged() const { return batches_acknowledged_.load(); }

private:
    void run()
    {
        // Bounded: at most 2,000 batches however long the test waits.
        for (int batch = 0; !stopping_ && batch < 2000; ++batch) {
            std::vector<std::string> ids;
            std::vector<std::string> events;
            for (int i = 0; i < batch_size_; ++i) {
                ids.push_back(prefix_ + std::to_string(batch) + "-" + std::to_string(i));
                events.push_back(minimal_event(ids.back()));
            }
            if (http_post(url_, batch_of(events)).status == 202) {
                acknowledged_.insert(acknowledged_.end(), ids.begin(), ids.end());
                ++batches_acknowledged_;
            }
        }
    }

    std::string url_;
    std::string prefix_;
    int batch_size_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> batches_acknowledged_{0};
    std::vector<std::string> acknowledged_;
    std::thread thread_;
};

std::multiset<std::string> lines_of(const std::string &path)
{
    std::multiset<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.insert(line);
    return lines;
}

}  // namespace

TEST_CASE("every event answered 202 arrives although the daemon is killed with SIGKILL under load")
{
    PluginDirectory plugins;
    plugins.add_test_plugin("file_sink");
    ScratchDir scratch;
    const std::string sink = scratch.path + "/received.txt";
    const std::map<std::string, std::string> env{{"PRODUCTGRAPH_QUEUE_DIR", scratch.path + "/queue"},
                                                 {"FILE_SINK_PATH", sink},
                                                 {"PRODUCTGRAPH_FSYNC", "always"}};
    std::vector<std::string> acknowledged;
    for (int round = 0; round < 4; ++round) {
        auto daemon = start_daemon(plugins, env);
        LoadGenerator load(daemon->base_url() + "/v1/events", "r" + std::to_string(round) + "-", 20);
        REQUIRE(eventually([&] { return load.batches_acknowledged() >= 5; }));
        std::this_thread::sleep_for(std::chrono::milliseconds(50 * (round + 1)));  // kill at varied points
        REQUIRE(daemon->stop(SIGKILL) == 128 + SIGKILL);
        load.stop();
        acknowledged.insert(acknowledged.end(), load.acknowledged().begin(), load.acknowledged().end());
    }

    // A last, clean run delivers whatever the killed ones left in the queue.
    auto daemon = start_daemon(plugins, env);
    const auto all_arrived = [&] {
        const auto received = lines_of(sink);
        for (const std::string &id : acknowledged) {
            if (received.find(id) == received.end()) return false;
        }
        return true;
    };
    CHECK(eventually(all_arrived, 30s));
    CHECK(daemon->stop(SIGTERM) == 0);

    const auto received = lines_of(sink);
    std::set<std::string> missing;
    for (const std::string &id : acknowledged) {
        if (received.find(id) == received.end()) missing.insert(id);
    }
    const std::set<std::string> distinct(received.begin(), received.end());
    MESSAGE("acknowledged " << acknowledged.size() << " events over 4 SIGKILLs, received " << received.size()
                            << " lines, duplicates " << received.size() - distinct.size() << ", missing "
                            << missing.size());
    CHECK(acknowledged.size() >= 400);
    CHECK(missing.empty());
}

TEST_CASE("a provider outage never stops ingestion and everything arrives after it")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("flaky");
    // flaky answers RETRY to its first 6 publish calls: an outage of a few seconds.
    auto daemon = start_daemon(
        plugins,
        {{"FLAKY_FAILURES", "6"}, {"PRODUCTGRAPH_RETRY_INITIAL_MS", "100"}, {"PRODUCTGRAPH_RETRY_MAX_MS", "400"}});
    for (int i = 0; i < 10; ++i) {
        CHECK(http_post(daemon->base_url() + "/v1/events", numbered_batch("o" + std::to_string(i) + "-", 10)).status ==
              202);
    }
    const auto delivered = [&] {
        return http_get(daemon->admin_url() + "/v1/plugins/flaky/events").json()["delivered"].Size();
    };
    REQUIRE(eventually([&] { return delivered() == 100; }, 30s));
    const auto list = http_get(daemon->admin_url() + "/v1/plugins").json();
    for (const auto &plugin : list["plugins"].GetArray()) {
        if (std::string(plugin["name"].GetString()) == "flaky") {
            CHECK(plugin["retried"].GetInt() > 0);
            CHECK(plugin["queue_lag"].GetInt() == 0);
            CHECK(plugin["dead_letters"].GetInt() == 0);
        }
    }
}

TEST_CASE("the durable queue resumes undelivered events after a clean restart")
{
    PluginDirectory plugins;
    plugins.add_test_plugin("flaky");
    ScratchDir scratch;
    const std::map<std::string, std::string> env{{"PRODUCTGRAPH_QUEUE_DIR", scratch.path + "/queue"},
                                                 {"FLAKY_FAILURES", "1000000"},
                                                 {"PRODUCTGRAPH_SHUTDOWN_TIMEOUT", "0"}};
    {
        auto down = start_daemon(plugins, env);
        REQUIRE(http_post(down->base_url() + "/v1/events", numbered_batch("kept", 5)).status == 202);
        REQUIRE(down->stop(SIGTERM) == 0);
    }
    auto env_up = env;
    env_up["FLAKY_FAILURES"] = "0";
    auto up = start_daemon(plugins, env_up);
    CHECK(eventually(
        [&] { return http_get(up->admin_url() + "/v1/plugins/flaky/events").json()["delivered"].Size() == 5; }));
}

TEST_CASE("a full durable queue answers 503 with Retry-After and counts what it refused")
{
    PluginDirectory plugins;
    plugins.add_test_plugin("flaky");  // never delivers, so nothing is ever reclaimed
    auto daemon = start_daemon(plugins, {{"FLAKY_FAILURES", "1000000"},
                                         {"PRODUCTGRAPH_QUEUE_MAX_BYTES", "20000"},
                                         {"PRODUCTGRAPH_SHUTDOWN_TIMEOUT", "0"}});
    HttpResponse refused;
    for (int i = 0; i < 200 && refused.status != 503; ++i) {
        const HttpResponse answer =
            http_post(daemon->base_url() + "/v1/events", numbered_batch("fill" + std::to_string(i) + "-", 10));
        if (answer.status == 503)
            refused = answer;
        else
            REQUIRE(answer.status == 202);
    }
    REQUIRE(refused.status == 503);
    CHECK(refused.header("retry-after") == "1");
    CHECK(std::string(refused.json()["error"].GetString()).find("queue is full") != std::string::npos);
    CHECK(http_get(daemon->base_url() + "/ready").status == 503);
    CHECK(http_get(daemon->admin_url() + "/v1/plugins").json()["queue"]["refused_full_total"].GetInt() >= 10);
    CHECK(daemon->wait_for_log("queue full").has_value());
}
