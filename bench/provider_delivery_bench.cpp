// Delivery throughput, POST to receipt: the real daemon forwards full batches to the
// local mock Amplitude and Mixpanel servers; the memory plugin, measured in the same
// run, is the baseline. Prints events/s per target (median of rounds) and the ratios.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "amplitude/mock_amplitude.hpp"
#include "daemon_process.hpp"
#include "event_samples.hpp"
#include "http_client.hpp"
#include "mixpanel/mock_mixpanel.hpp"
#include "plugin_directory.hpp"

using namespace productgraph::testing;
using productgraph::amplitude::testing::MockAmplitude;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int events_per_request = 1000;  // the intake limit; plugins get up to 2,000 per publish

// A realistic event: the product-spec example with a user and a page.
std::string event(int request, int i)
{
    return minimal_event(
        "b" + std::to_string(request) + "-" + std::to_string(i),
        R"(,"user.id":"user-)" + std::to_string(i % 97) +
            R"(","event.name":"signup_button_clicked","page.path":"/signup","ui.component.name":"SignupButton","ui.action":"click","metadata":{"plan":"pro"})");
}

// Posts `requests` batches and returns events/s until `received()` reaches them all.
double run_round(DaemonProcess &daemon, int requests, const std::function<size_t()> &received, size_t before)
{
    std::vector<std::string> bodies;
    for (int r = 0; r < requests; ++r) {
        std::vector<std::string> events;
        for (int i = 0; i < events_per_request; ++i) events.push_back(event(r, i));
        bodies.push_back(batch_of(events));
    }
    const size_t expected = before + static_cast<size_t>(requests) * events_per_request;
    const auto start = Clock::now();
    for (const std::string &body : bodies) {
        if (http_post(daemon.base_url() + "/v1/events", body).status != 202) {
            std::fprintf(stderr, "a POST was not accepted; results are meaningless\n");
        }
    }
    if (!eventually([&] { return received() >= expected; }, std::chrono::seconds(120))) {
        std::fprintf(stderr, "not everything arrived within 120 s\n");
        return 0;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return static_cast<double>(expected - before) / seconds;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

size_t delivered_by(DaemonProcess &daemon, const std::string &plugin)
{
    const auto list = http_get(daemon.admin_url() + "/v1/plugins").json();
    for (const auto &entry : list["plugins"].GetArray()) {
        if (plugin == entry["name"].GetString() && entry.HasMember("delivered")) return entry["delivered"].GetUint64();
    }
    return 0;
}

std::unique_ptr<DaemonProcess> start(const std::string &plugin, std::map<std::string, std::string> env,
                                     PluginDirectory &plugins)
{
    plugins.add_plugin(plugin);
    env["PRODUCTGRAPH_PLUGIN_DIR"] = plugins.path();
    auto daemon = std::make_unique<DaemonProcess>(env);
    if (!daemon->wait_until_listening()) {
        std::fprintf(stderr, "daemon did not start:\n%s\n", daemon->all_logs().c_str());
        std::exit(1);
    }
    return daemon;
}

}  // namespace

int main(int argc, char **argv)
{
    const int requests = argc > 1 ? std::atoi(argv[1]) : 50;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
    std::printf("%d requests of %d events per round, %d rounds, durable queue (fsync always)\n", requests,
                events_per_request, rounds);

    std::map<std::string, double> results;
    {
        PluginDirectory plugins;
        auto daemon = start("memory", {}, plugins);
        std::vector<double> rates;
        for (int r = 0; r < rounds; ++r) {
            const size_t before = delivered_by(*daemon, "memory");
            rates.push_back(run_round(
                *daemon, requests, [&] { return delivered_by(*daemon, "memory"); }, before));
        }
        results["memory"] = median(rates);
    }
    {
        MockAmplitude mock;
        PluginDirectory plugins;
        auto daemon = start("amplitude",
                            {{"ANALYTICS_ENABLED", "true"},
                             {"AMPLITUDE_ENABLED", "true"},
                             {"AMPLITUDE_API_KEY", MockAmplitude::Options{}.api_key},
                             {"AMPLITUDE_ENDPOINT", mock.url()}},
                            plugins);
        std::vector<double> rates;
        for (int r = 0; r < rounds; ++r) {
            const size_t before = mock.accepted_ids().size();
            rates.push_back(run_round(
                *daemon, requests, [&] { return mock.accepted_ids().size(); }, before));
        }
        results["amplitude"] = median(rates);
    }
    {
        MockMixpanel mock;
        PluginDirectory plugins;
        auto daemon = start("mixpanel",
                            {{"ANALYTICS_ENABLED", "true"},
                             {"MIXPANEL_ENABLED", "true"},
                             {"MIXPANEL_TOKEN", MockMixpanel::Options{}.token},
                             {"MIXPANEL_API_HOST", mock.base_url()}},
                            plugins);
        std::vector<double> rates;
        for (int r = 0; r < rounds; ++r) {
            const size_t before = mock.events().size();
            rates.push_back(run_round(
                *daemon, requests, [&] { return mock.events().size(); }, before));
        }
        results["mixpanel"] = median(rates);
    }
    for (const auto &[target, rate] : results) {
        std::printf("%-10s %10.0f events/s POST->receipt (median)   ratio to memory %.2f\n", target.c_str(), rate,
                    rate / results["memory"]);
    }
    return 0;
}
