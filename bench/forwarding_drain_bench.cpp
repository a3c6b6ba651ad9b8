// Forwarding throughput without ingest: fills the durable queue while the Amplitude
// plugin is disabled, then starts the daemon with it enabled and times the drain of that
// backlog into the mock Amplitude server. Prints one JSON line.
//
// Usage: pg_bench_forwarding_drain [requests=100] (of 1,000 events each)
//
// Two daemon runs share one queue directory: (1) Amplitude enabled but pointed at a
// closed port, so its cursor stays at the start (a disabled plugin's cursor would not
// hold the segments) while the backlog is POSTed; (2) Amplitude pointed at the mock:
// its cursor resumes where (1) left it and the worker drains the backlog. The clock runs from the first delivery the
// bench sees to the last (the events of that first poll are not counted), so daemon start-up and plugin loading stay
// out of the figure. Daemon CPU time over the same window gives events per CPU-second, the "per core" figure.
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "amplitude/mock_amplitude.hpp"
#include "daemon_process.hpp"
#include "event_samples.hpp"
#include "http_client.hpp"
#include "plugin_directory.hpp"

using namespace productgraph::testing;
using productgraph::amplitude::testing::MockAmplitude;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int events_per_request = 1000;

std::string event(int request, int i)
{
    return minimal_event(
        "d" + std::to_string(request) + "-" + std::to_string(i),
        R"(,"user.id":"user-)" + std::to_string(i % 97) +
            R"(","event.name":"signup_button_clicked","page.path":"/signup","ui.component.name":"SignupButton","ui.action":"click","metadata":{"plan":"pro"})");
}

uint64_t delivered_by(DaemonProcess &daemon, const std::string &plugin)
{
    const auto response = http_get(daemon.admin_url() + "/v1/plugins");
    if (response.status != 200) return 0;
    const auto list = response.json();
    for (const auto &entry : list["plugins"].GetArray()) {
        if (plugin == entry["name"].GetString() && entry.HasMember("delivered")) return entry["delivered"].GetUint64();
    }
    return 0;
}

// utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat).
double cpu_seconds(pid_t pid)
{
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) return 0;
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14 || i == 15) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::unique_ptr<DaemonProcess> start(std::map<std::string, std::string> env)
{
    auto daemon = std::make_unique<DaemonProcess>(std::move(env));
    if (!daemon->wait_until_listening()) {
        std::fprintf(stderr, "daemon did not start:\n%s\n", daemon->all_logs().c_str());
        std::exit(1);
    }
    return daemon;
}

}  // namespace

int main(int argc, char **argv)
{
    const int requests = argc > 1 ? std::atoi(argv[1]) : 100;
    const uint64_t total = static_cast<uint64_t>(requests) * events_per_request;

    std::string pattern = (std::filesystem::temp_directory_path() / "pg-drain-bench.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    const std::filesystem::path queue_dir = pattern;

    MockAmplitude mock;
    PluginDirectory plugins;
    plugins.add_plugin("amplitude");
    const std::map<std::string, std::string> base = {{"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()},
                                                     {"PRODUCTGRAPH_QUEUE_DIR", queue_dir.string()},
                                                     {"AMPLITUDE_API_KEY", MockAmplitude::Options{}.api_key},
                                                     {"AMPLITUDE_ENDPOINT", mock.url()}};
    auto with = [&](std::map<std::string, std::string> extra) {
        extra.insert(base.begin(), base.end());
        return extra;
    };
    const std::map<std::string, std::string> enabled = {{"ANALYTICS_ENABLED", "true"}, {"AMPLITUDE_ENABLED", "true"}};

    {  // (1) the backlog, with nothing forwarding it: every publish fails to connect
        auto unreachable = with(enabled);
        unreachable["AMPLITUDE_ENDPOINT"] = "http://127.0.0.1:1/2/httpapi";
        unreachable["PRODUCTGRAPH_SHUTDOWN_TIMEOUT"] = "1";
        auto daemon = start(unreachable);
        for (int r = 0; r < requests; ++r) {
            std::vector<std::string> events;
            for (int i = 0; i < events_per_request; ++i) events.push_back(event(r, i));
            if (http_post(daemon->base_url() + "/v1/events", batch_of(events)).status != 202) {
                std::fprintf(stderr, "a POST was not accepted; results are meaningless\n");
                return 1;
            }
        }
        daemon->stop(SIGTERM);
    }

    auto daemon = start(with(enabled));  // (2) the drain
    Clock::time_point first_seen;
    uint64_t first_count = 0;
    double first_cpu = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    uint64_t delivered = 0;
    while (Clock::now() < deadline) {
        delivered = delivered_by(*daemon, "amplitude");
        if (delivered > 0 && first_count == 0) {
            first_seen = Clock::now();
            first_count = delivered;
            first_cpu = cpu_seconds(daemon->pid());
        }
        if (delivered >= total) break;
        // Each poll costs the daemon's admin loop CPU that counts against the drain: at
        // every 2 ms it was about 15% of the figure (perf, pg-admin-0 beside pg-out-amplitude).
        // 20 ms over a drain of several seconds moves the clock by well under 1%.
        usleep(20000);
    }
    const Clock::time_point last_seen = Clock::now();
    const double cpu = cpu_seconds(daemon->pid()) - first_cpu;
    daemon->stop(SIGTERM);
    const size_t received = mock.accepted_ids().size();
    std::filesystem::remove_all(queue_dir);
    if (delivered < total || received < total) {
        std::fprintf(stderr, "drain incomplete: delivered %llu, mock received %zu of %llu\n",
                     static_cast<unsigned long long>(delivered), received, static_cast<unsigned long long>(total));
        return 1;
    }
    const double seconds = std::chrono::duration<double>(last_seen - first_seen).count();
    const double counted = static_cast<double>(total - first_count);
    std::printf("{\"events\":%llu,\"counted_events\":%.0f,\"seconds\":%.3f,\"events_per_s\":%.0f,"
                "\"daemon_cpu_s\":%.3f,\"events_per_cpu_s\":%.0f}\n",
                static_cast<unsigned long long>(total), counted, seconds, counted / seconds, cpu,
                cpu > 0 ? counted / cpu : 0.0);
    return 0;
}
