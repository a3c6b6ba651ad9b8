// productgraphd's command line: --version, --help, --check and --list-plugins on good
// and broken setups, and the exit codes a service manager relies on.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include <productgraph/publisher.h>

#include "command_run.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;

namespace {

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

// A fresh folder that must not be created by commands that promise to touch no queue.
std::string untouched_queue_dir(const PluginDirectory &plugins)
{
    return plugins.path() + "-queue-never-created";
}

std::map<std::string, std::string> env_for(const PluginDirectory &plugins)
{
    return {{"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()}, {"PRODUCTGRAPH_QUEUE_DIR", untouched_queue_dir(plugins)}};
}

// A TCP port some other process (this test) is listening on.
class BusyPort {
public:
    BusyPort()
    {
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        REQUIRE(listen(fd_, 1) == 0);
        socklen_t length = sizeof address;
        getsockname(fd_, reinterpret_cast<sockaddr *>(&address), &length);
        port_ = ntohs(address.sin_port);
    }
    ~BusyPort() { close(fd_); }
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace

TEST_CASE("--version prints the version the git commit and the plugin ABI and exits 0")
{
    const CommandResult result = run_productgraphd({"--version"}, {});
    CHECK(result.exit_code == 0);
    CHECK(result.out.starts_with("productgraphd "));
    CHECK(contains(result.out, "\ncommit "));
    CHECK(contains(result.out,
                   "plugin ABI " + std::to_string(PGRAPH_ABI_MAJOR) + "." + std::to_string(PGRAPH_ABI_MINOR)));
    CHECK(result.err.empty());
}

TEST_CASE("--help describes the commands every daemon variable the env file and the signals")
{
    const CommandResult result = run_productgraphd({"--help"}, {});
    CHECK(result.exit_code == 0);
    for (const char *part : {"--check", "--list-plugins", "PORT", "ANALYTICS_ENABLED", "PRODUCTGRAPH_ENV_FILE",
                             "PRODUCTGRAPH_QUEUE_DIR", "PRODUCTGRAPH_SHUTDOWN_TIMEOUT", "SIGHUP", "NAME=VALUE"}) {
        CHECK_MESSAGE(contains(result.out, part), part);
    }
    CHECK(run_productgraphd({"-h"}, {}).out == result.out);
}

TEST_CASE("an unknown argument exits 2 with the usage and starts nothing")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    for (const std::vector<std::string> &arguments :
         std::vector<std::vector<std::string>>{{"--bogus"}, {"serve"}, {"--check", "--version"}}) {
        const CommandResult result = run_productgraphd(arguments, env_for(plugins));
        CHECK(result.exit_code == 2);
        CHECK(contains(result.err, "usage: productgraphd"));
        CHECK_FALSE(contains(result.err, "listening"));
    }
    CHECK_FALSE(std::filesystem::exists(untouched_queue_dir(plugins)));
}

TEST_CASE("the first log line of a running daemon carries its version and commit")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const std::string first = daemon->log_lines().front();
    CHECK(contains(first, R"("msg":"starting productgraphd","version":")"));
    CHECK(contains(first, R"("commit":")"));
    CHECK(daemon->stop(SIGTERM) == 0);
}

TEST_CASE("--check passes a good setup without binding its port or opening its queue")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("file_sink");
    const BusyPort busy;  // a real start would fail to listen here
    auto env = env_for(plugins);
    env["PORT"] = std::to_string(busy.port());
    env["FILE_SINK_PATH"] = plugins.path() + "/sink.txt";
    const CommandResult result = run_productgraphd({"--check"}, env);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "memory.so: memory 1.0.0"));
    CHECK(contains(result.out, "file_sink.so: file_sink 0.0.1 (ABI 1.2): enabled"));
    CHECK(contains(result.out, "check passed"));
    CHECK_FALSE(std::filesystem::exists(untouched_queue_dir(plugins)));
    CHECK_FALSE(std::filesystem::exists(plugins.path() + "/sink.txt"));  // no event was published
}

TEST_CASE("--check fails naming a daemon variable with a bad value")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto env = env_for(plugins);
    env["PRODUCTGRAPH_HTTP_THREADS"] = "lots";
    const CommandResult result = run_productgraphd({"--check"}, env);
    CHECK(result.exit_code == 1);
    CHECK(contains(result.out, "error: PRODUCTGRAPH_HTTP_THREADS: must be an integer"));
    CHECK(contains(result.out, "memory.so: memory 1.0.0"));  // it went on to check the plugins
    CHECK(contains(result.out, "check failed: 1 error"));
}

TEST_CASE("--check fails naming a required plugin variable that is missing")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("needs_key");
    const CommandResult result = run_productgraphd({"--check"}, env_for(plugins));
    CHECK(result.exit_code == 1);
    CHECK(contains(result.out, "error: needs_key.so: needs_key 0.0.1 (ABI 1.2): NEEDS_KEY_TOKEN: required"));
}

TEST_CASE("--check fails on a plugin variable its plugin refuses")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto env = env_for(plugins);
    env["MEMORY_MAX_EVENTS"] = "many";
    const CommandResult result = run_productgraphd({"--check"}, env);
    CHECK(result.exit_code == 1);
    CHECK(contains(result.out, "error: memory.so"));
    CHECK(contains(result.out, "MEMORY_MAX_EVENTS"));
}

TEST_CASE("--check fails naming a plugin file that does not load")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").write_file("garbage.so", "not an ELF file").add_test_plugin("wrong_major");
    const CommandResult result = run_productgraphd({"--check"}, env_for(plugins));
    CHECK(result.exit_code == 1);
    CHECK(contains(result.out, "error: garbage.so: not a loadable shared library"));
    CHECK(contains(result.out, "ABI major 2"));
    CHECK(contains(result.out, "check failed: 2 error"));
    // Each file is named before it is opened, for a plugin that would kill the process.
    CHECK(contains(result.err, R"("msg":"loading plugin file","file":")" + plugins.path() + "/garbage.so"));
}

TEST_CASE("an enabled provider without a plugin file is a warning for --check and at start-up")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto env = env_for(plugins);
    env["ANALYTICS_ENABLED"] = "true";
    env["MIXPANEL_ENABLED"] = "true";
    env["MIXPANEL_TOKEN"] = "tok";
    const CommandResult result = run_productgraphd({"--check"}, env);
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "warning: MIXPANEL_ENABLED=true but no plugin in " + plugins.path()));
    CHECK(contains(result.out, "mixpanel.so missing"));
    CHECK(contains(result.out, "check passed: 1 warning"));

    env.erase("PRODUCTGRAPH_QUEUE_DIR");
    auto daemon = start_daemon(plugins, env);
    CHECK(
        contains(daemon->all_logs(), R"("msg":"enabled provider has no plugin file","detail":"MIXPANEL_ENABLED=true)"));
}

TEST_CASE("--list-plugins shows each file its state and variables with secrets masked")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("needs_key").write_file("garbage.so", "not an ELF file");
    auto env = env_for(plugins);
    env["NEEDS_KEY_TOKEN"] = "s3cr3t-token-value";
    env["MEMORY_MAX_EVENTS"] = "42";
    const CommandResult result = run_productgraphd({"--list-plugins"}, env);
    INFO(result.out);
    CHECK(result.exit_code == 0);
    CHECK_FALSE(contains(result.out + result.err, "s3cr3t-token-value"));
    CHECK(contains(result.out, "NEEDS_KEY_TOKEN = ******** (set)"));
    CHECK(contains(result.out, "API token; required, never logged"));
    CHECK(contains(result.out, "MEMORY_MAX_EVENTS = \"42\""));
    CHECK(contains(result.out, "MEMORY_ENABLED = \"true\" (default)"));
    CHECK(contains(result.out, "garbage.so\n  state if started now: failed (not a loadable shared library"));
    CHECK(contains(result.out,
                   "needs_key.so: needs_key 0.0.1 (ABI 1.2)\n  test plugin\n  state if started now: enabled"));
    CHECK_FALSE(std::filesystem::exists(untouched_queue_dir(plugins)));
}
