// SIGHUP reload on the real daemon: plugins added, removed, disabled and replaced
// (with a cp over the loaded file) while a client keeps posting; what a bad reload
// leaves alone; and what needs a restart.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "event_samples.hpp"
#include "http_client.hpp"
#include "load_client.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

size_t count_lines_with(const DaemonProcess &daemon, const std::string &text)
{
    size_t count = 0;
    for (const std::string &line : daemon.log_lines()) count += contains(line, text) ? 1 : 0;
    return count;
}

// Sends SIGHUP and waits for that reload's outcome line; returns the log lines it wrote.
std::string reload(DaemonProcess &daemon)
{
    const auto outcomes = [&] {
        return count_lines_with(daemon, R"("msg":"reload done")") +
               count_lines_with(daemon, R"("msg":"reload failed; nothing was changed")");
    };
    const size_t before_lines = daemon.log_lines().size();
    const size_t before = outcomes();
    daemon.send_signal(SIGHUP);
    REQUIRE(eventually([&] { return outcomes() > before; }, 20s));
    const auto lines = daemon.log_lines();
    std::string written;
    for (size_t i = before_lines; i < lines.size(); ++i) written += lines[i] + "\n";
    return written;
}

// `cp source target`: truncates and rewrites the target's inode in place, which is
// what crashed a daemon that mapped the file itself.
void overwrite_in_place(const std::filesystem::path &source, const std::filesystem::path &target)
{
    std::ifstream in(source, std::ios::binary);
    std::ofstream out(target, std::ios::binary | std::ios::in | std::ios::out | std::ios::trunc);
    out << in.rdbuf();
}

std::set<std::string> lines_of(const std::string &file)
{
    std::set<std::string> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) lines.insert(line);
    return lines;
}

// How many of `ids` are missing from `seen`.
size_t missing(const std::vector<std::string> &ids, const std::set<std::string> &seen)
{
    size_t count = 0;
    for (const std::string &id : ids) count += seen.contains(id) ? 0 : 1;
    return count;
}

std::set<std::string> memory_event_ids(const DaemonProcess &daemon)
{
    std::set<std::string> ids;
    const auto events = http_get(daemon.admin_url() + "/v1/plugins/memory/events?limit=10000").json();
    if (!events.IsObject() || !events.HasMember("events")) return ids;
    for (const auto &event : events["events"].GetArray()) ids.insert(event["event_id"].GetString());
    return ids;
}

std::string plugin_field(const DaemonProcess &daemon, const std::string &name, const char *field)
{
    const auto list = http_get(daemon.admin_url() + "/v1/plugins").json();
    for (const auto &entry : list["plugins"].GetArray()) {
        if (name == entry["name"].GetString()) return entry[field].GetString();
    }
    return "(absent)";
}

uint64_t memory_stat(const DaemonProcess &daemon, const char *field)
{
    const auto stats = http_get(daemon.admin_url() + "/v1/plugins/memory/stats").json();
    REQUIRE(stats.IsObject());
    return stats[field].GetUint64();
}

void write_file(const std::string &path, const std::string &text)
{
    std::ofstream(path) << text;
}

const std::filesystem::path test_plugins = PG_TEST_PLUGIN_DIR;

}  // namespace

TEST_CASE("plugins added removed disabled and replaced by reloads under load lose no acknowledged event")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("file_sink");
    const std::string sink_a = plugins.path() + "/sink-a.txt";
    const std::string sink_b = plugins.path() + "/sink-b.txt";
    const std::string env_file = plugins.path() + "/productgraphd.env";
    write_file(env_file, "FILE_SINK_B_PATH=" + sink_b + "\n");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_ENV_FILE", env_file}, {"FILE_SINK_PATH", sink_a}});
    LoadClient client(daemon->base_url(), 5, 3ms);
    REQUIRE(eventually([&] { return client.acked_requests() >= 20; }));

    // Add: a file never seen starts at the queue's end.
    std::filesystem::copy_file(test_plugins / "file_sink_b.so", plugins.path() + "/file_sink_b.so");
    std::string written = reload(*daemon);
    CHECK(contains(
        written,
        R"("msg":"reload: plugin started","plugin":"file_sink_b","file":"file_sink_b.so","why":"new plugin file")"));
    CHECK(contains(written, R"("msg":"reload done","started":1,"stopped":0,"restarted":0,"unchanged":2)"));
    const uint64_t b_added = client.mark();

    // Replace: cp a new build over the loaded file; it restarts on its cursor.
    const uint64_t memory_received = memory_stat(*daemon, "received_total");
    overwrite_in_place(test_plugins / "v2" / "file_sink.so", plugins.path() + "/file_sink.so");
    REQUIRE(eventually([&] { return client.acked_requests() >= 60; }));  // the daemon runs on over the new bytes
    written = reload(*daemon);
    CHECK(contains(
        written,
        R"("msg":"reload: plugin restarted","plugin":"file_sink","file":"file_sink.so","why":"its file changed")"));
    CHECK(plugin_field(*daemon, "file_sink", "version") == "0.0.2");
    CHECK(memory_stat(*daemon, "received_total") >= memory_received);  // memory was left alone

    // Disable: the memory plugin stops; its cursor stays.
    write_file(env_file, "FILE_SINK_B_PATH=" + sink_b + "\nMEMORY_ENABLED=false\n");
    written = reload(*daemon);
    CHECK(contains(
        written,
        R"("msg":"reload: plugin stopped","plugin":"memory","file":"memory.so","why":"disabled: MEMORY_ENABLED is not true")"));
    CHECK(plugin_field(*daemon, "memory", "state") == "disabled");
    const uint64_t memory_disabled = client.mark();

    // Remove: file_sink_b stops with events it has not acknowledged yet, maybe.
    std::filesystem::remove(plugins.path() + "/file_sink_b.so");
    written = reload(*daemon);
    CHECK(contains(
        written,
        R"("msg":"reload: plugin stopped","plugin":"file_sink_b","file":"file_sink_b.so","why":"its file was removed")"));
    CHECK(plugin_field(*daemon, "file_sink_b", "state") == "(absent)");
    const uint64_t while_away = client.mark();
    REQUIRE(eventually([&] { return client.mark() >= while_away + 30; }));

    // Both come back and resume from their cursors: nothing sent meanwhile is missed.
    write_file(env_file, "FILE_SINK_B_PATH=" + sink_b + "\n");
    std::filesystem::copy_file(test_plugins / "file_sink_b.so", plugins.path() + "/file_sink_b.so");
    written = reload(*daemon);
    CHECK(contains(written, R"("msg":"reload done","started":2,"stopped":0,"restarted":0,"unchanged":1)"));
    REQUIRE(eventually([&] { return client.mark() >= while_away + 60; }));
    client.stop();

    INFO("first refused request: " << client.first_refusal());
    CHECK(client.refused_requests() == 0);
    const auto all = client.acked_ids();
    CHECK(all.size() > 400);
    CHECK(eventually([&] { return missing(all, lines_of(sink_a)) == 0; }, 20s));
    const auto since_b = client.acked_ids(b_added);
    CHECK(eventually([&] { return missing(since_b, lines_of(sink_b)) == 0; }, 20s));
    const auto since_memory_off = client.acked_ids(memory_disabled);
    REQUIRE(since_memory_off.size() < 10'000);  // all of them fit in one /events answer
    CHECK(eventually([&] { return missing(since_memory_off, memory_event_ids(*daemon)) == 0; }, 20s));
    CHECK(daemon->stop(SIGTERM) == 0);
}

TEST_CASE("a reload with any error changes nothing and the running plugins keep their state")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    const std::string env_file = plugins.path() + "/productgraphd.env";
    write_file(env_file, "MEMORY_MAX_EVENTS=50\n");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_ENV_FILE", env_file}});
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("kept-", 3)).status == 202);
    REQUIRE(eventually([&] { return memory_stat(*daemon, "stored") == 3; }));

    SUBCASE("a bad plugin variable")
    {
        write_file(env_file, "MEMORY_MAX_EVENTS=lots\n");
    }
    SUBCASE("a bad env file line")
    {
        write_file(env_file, "MEMORY_MAX_EVENTS=60\nnot an assignment\n");
    }
    SUBCASE("a bad daemon variable")
    {
        write_file(env_file, "MEMORY_MAX_EVENTS=60\nPRODUCTGRAPH_FSYNC=sometimes\n");
    }
    SUBCASE("a new plugin file that does not load")
    {
        write_file(env_file, "MEMORY_MAX_EVENTS=60\n");
        plugins.write_file("broken.so", "not an ELF file");
    }
    SUBCASE("a new plugin that lacks a required variable")
    {
        write_file(env_file, "MEMORY_MAX_EVENTS=60\n");
        plugins.add_test_plugin("needs_key");
    }
    SUBCASE("a loaded plugin file overwritten with garbage")
    {
        write_file(env_file, "MEMORY_MAX_EVENTS=60\n");
        plugins.write_file("memory.so", "garbage over the loaded memory plugin");  // in place, like cp
    }
    const std::string written = reload(*daemon);
    CHECK(contains(written, R"("msg":"reload failed; nothing was changed")"));
    CHECK_FALSE(contains(written, "reload: plugin"));
    // The same instance goes on: same settings, same stored events, still serving.
    CHECK(memory_stat(*daemon, "max_events") == 50);
    CHECK(memory_stat(*daemon, "stored") == 3);
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("after-", 2)).status == 202);
    CHECK(eventually([&] { return memory_stat(*daemon, "stored") == 5; }));
    const auto list = http_get(daemon->admin_url() + "/v1/plugins").json();
    CHECK(list["plugins"].Size() == 1);
    CHECK(daemon->stop(SIGTERM) == 0);
}

TEST_CASE("a reload leaves a plugin whose file and variables did not change untouched")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").write_file("garbage.so", "failed at start-up, unchanged since");
    std::filesystem::copy_file(PG_BUILD_PLUGIN_DIR "/memory.so", plugins.path() + "/zz_memory_again.so");
    const std::string env_file = plugins.path() + "/productgraphd.env";
    write_file(env_file, "# nothing yet\n");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_ENV_FILE", env_file}});
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("kept-", 4)).status == 202);
    REQUIRE(eventually([&] { return memory_stat(*daemon, "stored") == 4; }));

    // Unrelated changes, and the memory file rewritten with the same bytes.
    write_file(env_file, "FLAKY_FAILURES=0\nSOMETHING_ELSE=1\n");
    plugins.add_test_plugin("flaky");
    overwrite_in_place(PG_BUILD_PLUGIN_DIR "/memory.so", plugins.path() + "/memory.so");
    const std::string written = reload(*daemon);
    CHECK(contains(written, R"("msg":"reload: plugin started","plugin":"flaky")"));
    CHECK(contains(written, R"("started":1,"stopped":0,"restarted":0,"unchanged":1)"));
    CHECK_FALSE(contains(written, R"("plugin":"memory")"));
    CHECK_FALSE(contains(written, "memory.so"));   // not even loaded again
    CHECK_FALSE(contains(written, "garbage.so"));  // old failures do not block a reload
    CHECK(plugin_field(*daemon, "flaky", "state") == "enabled");
    CHECK(memory_stat(*daemon, "stored") == 4);
    CHECK(memory_stat(*daemon, "received_total") == 4);
    CHECK(daemon->stop(SIGTERM) == 0);
}

TEST_CASE("a changed daemon-level variable is logged as needing a restart and the rest still applies")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    const std::string env_file = plugins.path() + "/productgraphd.env";
    write_file(env_file, "MEMORY_MAX_EVENTS=50\n");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_ENV_FILE", env_file}});
    write_file(env_file, "MEMORY_MAX_EVENTS=70\nPRODUCTGRAPH_HTTP_THREADS=3\nPRODUCTGRAPH_RETRY_AFTER=5\n");
    const std::string written = reload(*daemon);
    CHECK(contains(
        written,
        R"("msg":"reload: variable changed; it takes effect at the next restart","variable":"PRODUCTGRAPH_HTTP_THREADS")"));
    CHECK(contains(written, R"("variable":"PRODUCTGRAPH_RETRY_AFTER")"));
    CHECK(contains(
        written,
        R"("msg":"reload: plugin restarted","plugin":"memory","file":"memory.so","why":"its variables changed")"));
    CHECK(memory_stat(*daemon, "max_events") == 70);
    CHECK(http_get(daemon->base_url() + "/health").status == 200);  // same listener as before
    CHECK(daemon->stop(SIGTERM) == 0);
}

TEST_CASE("analytics providers follow ANALYTICS_ENABLED from the env file on reload")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("analytics_provider");
    const std::string env_file = plugins.path() + "/productgraphd.env";
    write_file(env_file, "ANALYTICS_PROVIDER_ENABLED=true\n");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_ENV_FILE", env_file}});
    CHECK(plugin_field(*daemon, "analytics_provider", "state") == "disabled");

    write_file(env_file, "ANALYTICS_PROVIDER_ENABLED=true\nANALYTICS_ENABLED=true\n");
    std::string written = reload(*daemon);
    CHECK(contains(written, R"("msg":"reload: plugin started","plugin":"analytics_provider")"));
    CHECK(plugin_field(*daemon, "analytics_provider", "state") == "enabled");
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("a-", 2)).status == 202);
    CHECK(eventually(
        [&] { return contains(http_get(daemon->admin_url() + "/v1/plugins/analytics_provider/events").body, "a-1"); }));

    write_file(env_file, "ANALYTICS_PROVIDER_ENABLED=true\n");
    written = reload(*daemon);
    CHECK(contains(written, R"("why":"disabled: ANALYTICS_ENABLED is not true")"));
    CHECK(plugin_field(*daemon, "analytics_provider", "state") == "disabled");
    CHECK(daemon->stop(SIGTERM) == 0);
}
