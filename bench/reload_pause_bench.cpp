// How long ingestion pauses during a reload: client threads post small batches to
// the real daemon without pause, first with no reload (baseline), then while SIGHUP
// arrives every interval, each reload restarting two plugins (memory, by a changed
// variable; file_sink, by a new build copied over its loaded file). Prints the
// request latency percentiles and the maximum of both phases, and the reload count.
//   pg_bench_reload_pause [seconds per phase = 10] [ms between reloads = 250] [clients = 4]
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon_process.hpp"
#include "load_client.hpp"
#include "plugin_directory.hpp"

using namespace productgraph::testing;
using namespace std::chrono;

namespace {

struct Phase {
    std::vector<microseconds> latencies;
    size_t refused = 0;
    size_t reloads = 0;
    std::vector<microseconds> reload_times;  // SIGHUP sent to "reload done" read from its log
};

double percentile_ms(std::vector<microseconds> sorted, double fraction)
{
    if (sorted.empty()) return 0;
    const auto at = static_cast<size_t>(fraction * static_cast<double>(sorted.size() - 1));
    return static_cast<double>(sorted[at].count()) / 1000.0;
}

void print(const char *name, Phase phase)
{
    std::sort(phase.latencies.begin(), phase.latencies.end());
    std::sort(phase.reload_times.begin(), phase.reload_times.end());
    std::printf(
        "%-12s requests %7zu  refused %zu  reloads %4zu  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  max %7.2f ms\n",
        name, phase.latencies.size(), phase.refused, phase.reloads, percentile_ms(phase.latencies, 0.5),
        percentile_ms(phase.latencies, 0.99), percentile_ms(phase.latencies, 0.999),
        percentile_ms(phase.latencies, 1.0));
    if (!phase.reload_times.empty()) {
        std::printf("%-12s one reload (SIGHUP to its \"reload done\" line, 20 ms log polling included): p50 %.1f ms, "
                    "max %.1f ms\n",
                    "", percentile_ms(phase.reload_times, 0.5), percentile_ms(phase.reload_times, 1.0));
    }
}

void overwrite_in_place(const std::filesystem::path &source, const std::filesystem::path &target)
{
    std::ifstream in(source, std::ios::binary);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << in.rdbuf();
}

size_t reloads_done(const DaemonProcess &daemon)
{
    size_t count = 0;
    for (const std::string &line : daemon.log_lines()) {
        count += line.find("\"msg\":\"reload done\"") != std::string::npos ? 1 : 0;
    }
    return count;
}

Phase run_phase(DaemonProcess &daemon, seconds duration, milliseconds reload_every, int clients,
                const std::string &env_file, const PluginDirectory &plugins)
{
    std::vector<std::unique_ptr<LoadClient>> load;
    for (int i = 0; i < clients; ++i) {
        load.push_back(
            std::make_unique<LoadClient>(daemon.base_url(), 10, microseconds(0), "c" + std::to_string(i) + "-"));
    }
    const size_t reloads_before = reloads_done(daemon);
    const auto end = steady_clock::now() + duration;
    const std::filesystem::path test_plugins = PG_TEST_PLUGIN_DIR;
    std::vector<microseconds> reload_times;
    for (int round = 0; steady_clock::now() < end; ++round) {
        if (reload_every.count() == 0) {
            std::this_thread::sleep_until(end);
            break;
        }
        std::this_thread::sleep_for(reload_every);
        std::ofstream(env_file) << "MEMORY_MAX_EVENTS=" << (1000 + round % 2) << "\n";
        overwrite_in_place(round % 2 == 0 ? test_plugins / "v2" / "file_sink.so" : test_plugins / "file_sink.so",
                           plugins.path() + "/file_sink.so");
        const size_t before = reloads_done(daemon);
        const auto sent = steady_clock::now();
        daemon.send_signal(SIGHUP);
        eventually([&] { return reloads_done(daemon) > before; }, seconds(30));
        reload_times.push_back(duration_cast<microseconds>(steady_clock::now() - sent));
    }
    Phase phase;
    phase.reload_times = std::move(reload_times);
    for (auto &client : load) {
        client->stop();
        const auto latencies = client->latencies();
        phase.latencies.insert(phase.latencies.end(), latencies.begin(), latencies.end());
        phase.refused += client->refused_requests();
    }
    phase.reloads = reloads_done(daemon) - reloads_before;
    return phase;
}

}  // namespace

int main(int argc, char **argv)
{
    const seconds duration(argc > 1 ? std::atoi(argv[1]) : 10);
    const milliseconds reload_every(argc > 2 ? std::atoi(argv[2]) : 250);
    const int clients = argc > 3 ? std::atoi(argv[3]) : 4;

    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("file_sink");
    const std::string env_file = plugins.path() + "/productgraphd.env";
    std::ofstream(env_file) << "MEMORY_MAX_EVENTS=1000\n";
    DaemonProcess daemon({{"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()},
                          {"PRODUCTGRAPH_ENV_FILE", env_file},
                          {"FILE_SINK_PATH", "/dev/null"}});
    if (!daemon.wait_until_listening()) {
        std::fprintf(stderr, "the daemon did not start:\n%s", daemon.all_logs().c_str());
        return 1;
    }
    std::printf("%d client threads, batches of 10 events, %lld s per phase, a reload every %lld ms\n", clients,
                static_cast<long long>(duration.count()), static_cast<long long>(reload_every.count()));
    print("no reload", run_phase(daemon, duration, milliseconds(0), clients, env_file, plugins));
    print("reloading", run_phase(daemon, duration, reload_every, clients, env_file, plugins));
    daemon.stop(SIGTERM);
    return 0;
}
