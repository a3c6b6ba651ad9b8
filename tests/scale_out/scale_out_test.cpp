// Scale-out: three productgraphd replicas, each with its own durable queue, behind
// Debian's nginx. One replica is SIGKILLed mid-load and restarted on the same queue;
// every event acknowledged with 202 must still reach the (mock) provider, and every
// replica must have taken load.
#include <doctest/doctest.h>

#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon_process.hpp"
#include "event_samples.hpp"
#include "http_client.hpp"
#include "mock_amplitude.hpp"
#include "nginx_balancer.hpp"
#include "plugin_directory.hpp"

using namespace productgraph::testing;
using namespace productgraph::amplitude::testing;
using namespace std::chrono_literals;

namespace {

constexpr int replica_count = 3;
constexpr int client_count = 3;
constexpr int events_per_request = 20;
constexpr int min_requests = 150;              // the load before the clients may stop
constexpr int max_requests_per_client = 2000;  // a bound, in case a step never happens
constexpr int outage_replies = 20'000;         // scripted mock answers: 503 during the outage

// One replica: a fixed port and queue folder, so a restart comes back as the same
// member of the nginx upstream with the same undelivered events.
struct Replica {
    int port = 0;
    std::filesystem::path queue_dir;
    std::unique_ptr<DaemonProcess> process;
};

std::filesystem::path make_scratch_dir()
{
    std::string pattern = "/tmp/pg-replica-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
}

void start(Replica &replica, const PluginDirectory &plugins, const MockAmplitude &mock)
{
    replica.process = std::make_unique<DaemonProcess>(std::map<std::string, std::string>{
        {"PORT", std::to_string(replica.port)},
        {"PRODUCTGRAPH_QUEUE_DIR", replica.queue_dir.string()},
        {"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()},
        {"ANALYTICS_ENABLED", "true"},
        {"AMPLITUDE_ENABLED", "true"},
        {"AMPLITUDE_API_KEY", "AMP_TEST_API_KEY_0123456789abcdef"},
        {"AMPLITUDE_ENDPOINT", mock.url()},
        {"PRODUCTGRAPH_RETRY_INITIAL_MS", "20"},
        {"PRODUCTGRAPH_RETRY_MAX_MS", "200"},
    });
    const auto port = replica.process->wait_until_listening();
    INFO("replica log:\n" << replica.process->all_logs());
    REQUIRE(port == replica.port);
}

// What the clients were told: the ids of every event acknowledged with 202.
struct Acknowledged {
    std::mutex mutex;
    std::vector<std::string> event_ids;
    std::atomic<int> requests{0};
    std::atomic<int> refused{0};  // non-202 answers, each followed by a resend
    std::atomic<bool> failed{false};
};

// Sends numbered batches through the balancer, resending one until it gets 202, as a
// real client does on 502/503 (the same event ids, so a provider de-duplicates).
void run_client(int client, const std::string &url, const std::atomic<bool> &stop, Acknowledged &acked)
{
    for (int request = 0; request < max_requests_per_client && !stop && !acked.failed; ++request) {
        const std::string prefix = "c" + std::to_string(client) + "-r" + std::to_string(request) + "-";
        const std::string body = numbered_batch(prefix, events_per_request);
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        HttpResponse response;
        while ((response = http_post(url + "/v1/events", body)).status != 202) {
            ++acked.refused;
            if (std::chrono::steady_clock::now() > deadline) {
                acked.failed = true;
                return;
            }
            std::this_thread::sleep_for(20ms);  // client back-off before resending, not synchronisation
        }
        if (response.json()["accepted"].GetInt() != events_per_request) acked.failed = true;
        const std::lock_guard lock(acked.mutex);
        for (int i = 0; i < events_per_request; ++i) acked.event_ids.push_back(prefix + std::to_string(i));
        ++acked.requests;
    }
}

// How many acknowledged events the provider has not received yet.
std::size_t undelivered(const MockAmplitude &mock, Acknowledged &acked)
{
    const auto received = mock.accepted_ids();
    const std::set<std::string> got(received.begin(), received.end());
    const std::lock_guard lock(acked.mutex);
    std::size_t count = 0;
    for (const std::string &id : acked.event_ids) count += got.contains(id) ? 0 : 1;
    return count;
}

}  // namespace

TEST_CASE("three replicas behind nginx deliver every acknowledged event when one is killed mid-load")
{
    MockAmplitude mock;
    PluginDirectory plugins;
    plugins.add_plugin("amplitude");
    std::vector<Replica> replicas(replica_count);
    std::vector<int> ports;
    for (Replica &replica : replicas) {
        replica.port = free_loopback_port();
        replica.queue_dir = make_scratch_dir();
        start(replica, plugins, mock);
        ports.push_back(replica.port);
    }
    NginxBalancer balancer(ports);

    Acknowledged acked;
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int client = 0; client < client_count; ++client) {
        clients.emplace_back(run_client, client, balancer.base_url(), std::cref(stop), std::ref(acked));
    }

    // Mid-load, during a provider outage (so every replica holds acknowledged events it
    // has not delivered): kill one replica outright, let the others carry the load,
    // restart it on the same queue, then end the outage.
    std::atomic<bool> outage{false};
    for (int i = 0; i < outage_replies; ++i) {
        mock.then([&outage](const ReceivedRequest &) {
            return outage ? CannedReply{503, R"({"code":503,"error":"Service unavailable"})", {}} : CannedReply{};
        });
    }
    Replica &victim = replicas[1];
    CHECK(eventually([&] { return acked.requests >= min_requests / 3; }, 60s));
    outage = true;
    const int acked_at_outage = acked.requests;
    CHECK(eventually([&] { return acked.requests >= acked_at_outage + 30; }, 30s));
    CHECK(undelivered(mock, acked) > 0);
    CHECK(victim.process->stop(SIGKILL) == 128 + SIGKILL);
    const int acked_at_kill = acked.requests;
    CHECK(eventually([&] { return acked.requests >= acked_at_kill + 20; }, 30s));
    start(victim, plugins, mock);
    const int victim_answers_at_restart = balancer.answered_by_upstream(202)[victim.port];
    // nginx tries the restarted replica again after fail_timeout (1 s).
    CHECK(eventually([&] { return balancer.answered_by_upstream(202)[victim.port] > victim_answers_at_restart; }, 30s));
    outage = false;
    CHECK(eventually([&] { return acked.requests >= min_requests; }, 60s));
    stop = true;
    for (std::thread &client : clients) client.join();
    REQUIRE_FALSE(acked.failed);

    // Every acknowledged event reaches the provider; duplicates are allowed (at least once).
    const bool all_delivered = eventually([&] { return undelivered(mock, acked) == 0; }, 60s);
    INFO("acknowledged " << acked.event_ids.size() << " events; missing at the provider: " << undelivered(mock, acked)
                         << "; refused answers resent: " << acked.refused.load());
    CHECK(all_delivered);

    const auto answered = balancer.answered_by_upstream(202);
    for (const Replica &replica : replicas) {
        INFO("replica on port " << replica.port << " answered " << answered.at(replica.port) << " requests with 202");
        CHECK(answered.count(replica.port) == 1);
        CHECK(answered.at(replica.port) > 0);
    }
    MESSAGE("acknowledged " << acked.event_ids.size() << " events in " << acked.requests.load()
                            << " requests; per replica " << answered.at(ports[0]) << "/" << answered.at(ports[1]) << "/"
                            << answered.at(ports[2]) << "; resent after a refusal: " << acked.refused.load());

    for (Replica &replica : replicas) {
        CHECK(replica.process->stop(SIGTERM) == 0);
        std::error_code ignored;
        std::filesystem::remove_all(replica.queue_dir, ignored);
    }
}
