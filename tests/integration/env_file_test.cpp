// PRODUCTGRAPH_ENV_FILE: read at start and on every SIGHUP, over the inherited
// environment; bad lines are errors naming file and line.
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

#include "command_run.hpp"
#include "http_client.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;

namespace {

uint64_t memory_max_events(const DaemonProcess &daemon)
{
    const auto stats = http_get(daemon.admin_url() + "/v1/plugins/memory/stats").json();
    REQUIRE(stats.IsObject());
    return stats["max_events"].GetUint64();
}

size_t count_lines_with(const DaemonProcess &daemon, const std::string &text)
{
    size_t count = 0;
    for (const std::string &line : daemon.log_lines()) count += line.find(text) != std::string::npos ? 1 : 0;
    return count;
}

}  // namespace

TEST_CASE("a variable in the env file overrides the inherited one and falls back to it once removed")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    const std::string env_file = plugins.path() + "/productgraphd.env";
    std::ofstream(env_file) << "# set by the operator\n\nMEMORY_MAX_EVENTS = \"9\"\n";
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_ENV_FILE", env_file}, {"MEMORY_MAX_EVENTS", "7"}});
    CHECK(daemon->wait_for_log(R"("msg":"env file read","file":")" + env_file + R"(","variables":1)"));
    CHECK(memory_max_events(*daemon) == 9);

    std::ofstream(env_file) << "# MEMORY_MAX_EVENTS removed\n";
    daemon->send_signal(SIGHUP);
    REQUIRE(daemon->wait_for_log(R"("msg":"reload done")"));
    CHECK(memory_max_events(*daemon) == 7);

    std::ofstream(env_file) << "MEMORY_MAX_EVENTS='11'\n";
    daemon->send_signal(SIGHUP);
    REQUIRE(eventually([&] { return count_lines_with(*daemon, R"("msg":"reload done")") == 2; }));
    CHECK(memory_max_events(*daemon) == 11);
    CHECK(daemon->stop(SIGTERM) == 0);
}

TEST_CASE("a bad env file line stops start-up and --check naming the file and the line")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    const std::string env_file = plugins.path() + "/bad.env";
    std::ofstream(env_file) << "PORT=0\nthis line has no equals sign\n";
    const std::map<std::string, std::string> env{{"PRODUCTGRAPH_ENV_FILE", env_file},
                                                 {"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()}};
    DaemonProcess daemon(env);
    CHECK(daemon.wait_for_exit(std::chrono::seconds(15)) == 2);
    CHECK(daemon.all_logs().find(env_file + ":2: expected NAME=VALUE") != std::string::npos);

    const CommandResult check = run_productgraphd({"--check"}, env);
    CHECK(check.exit_code == 1);
    CHECK(check.out.find("error: " + env_file + ":2: expected NAME=VALUE") != std::string::npos);
}

TEST_CASE("a missing env file stops start-up naming PRODUCTGRAPH_ENV_FILE")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    DaemonProcess daemon(
        {{"PRODUCTGRAPH_ENV_FILE", plugins.path() + "/absent.env"}, {"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()}});
    CHECK(daemon.wait_for_exit(std::chrono::seconds(15)) == 2);
    CHECK(daemon.all_logs().find("PRODUCTGRAPH_ENV_FILE: cannot read " + plugins.path() + "/absent.env") !=
          std::string::npos);
}
