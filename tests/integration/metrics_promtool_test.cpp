// CI's check that the scrape is valid Prometheus text: promtool (Debian's prometheus
// package) lints scrapes taken while clients post events and a plugin retries.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "event_samples.hpp"
#include "http_client.hpp"
#include "metrics_scrape.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;

namespace {

struct PromtoolResult {
    int exit_code = -1;
    std::string output;
};

PromtoolResult promtool_check(const std::string &scrape_text)
{
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("pg-scrape-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(file) << scrape_text;
    const std::string command = std::string(PG_PROMTOOL) + " check metrics < " + file.string() + " 2>&1";
    PromtoolResult result;
    FILE *pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    while (const size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) result.output.append(buffer, n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::filesystem::remove(file);
    return result;
}

}  // namespace

TEST_CASE("promtool accepts metrics scrapes taken while the daemon is under load")
{
    REQUIRE_MESSAGE(std::filesystem::exists(PG_PROMTOOL),
                    "promtool not found (" PG_PROMTOOL "): packaging/dev/install-deps.sh installs Debian's prometheus");
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("flaky").add_test_plugin("picky");
    auto daemon = start_daemon(plugins, {{"FLAKY_FAILURES", "3"}, {"PRODUCTGRAPH_RETRY_INITIAL_MS", "10"}});

    std::atomic<bool> stop{false};
    std::atomic<int> accepted_batches{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 3; ++c) {
        clients.emplace_back([&, c] {
            for (int round = 0; !stop.load(); ++round) {
                const std::string prefix =
                    (round % 5 == 0 ? "bad" : "ok") + std::to_string(c) + "_" + std::to_string(round) + "_";
                if (http_post(daemon->base_url() + "/v1/events", numbered_batch(prefix, 50)).status == 202) {
                    ++accepted_batches;
                }
                http_get(daemon->base_url() + "/nope-" + std::to_string(round % 3));
            }
        });
    }

    double first_accepted = -1;
    double last_accepted = -1;
    for (int i = 0; i < 5; ++i) {
        const int seen = accepted_batches.load();
        REQUIRE(eventually([&] { return accepted_batches.load() > seen; }));  // load is flowing
        const HttpResponse response = http_get(daemon->admin_url() + "/metrics");
        REQUIRE(response.status == 200);
        const PromtoolResult checked = promtool_check(response.body);
        INFO("promtool said:\n" << checked.output);
        CHECK(checked.exit_code == 0);
        const double accepted = parse_scrape(response.body).count("productgraphd_events_accepted_total");
        if (first_accepted < 0) first_accepted = accepted;
        last_accepted = accepted;
    }
    stop.store(true);
    for (std::thread &client : clients) client.join();
    CHECK(last_accepted > first_accepted);  // the scrapes really were taken under load
}

TEST_CASE("promtool rejects a scrape that breaks the format so the check above can fail")
{
    REQUIRE(std::filesystem::exists(PG_PROMTOOL));
    CHECK(promtool_check("# TYPE broken counter\nbroken{le=\"x\" 1\n").exit_code != 0);
    CHECK(promtool_check("# HELP requests Requests.\n# TYPE requests counter\nrequests 1\n").exit_code != 0);
}
