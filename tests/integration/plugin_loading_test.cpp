// The plugin host at start-up: bad files are skipped with a reason, missing required
// variables stop the daemon, the enable rule and its log lines, secrets stay hidden.
#include <doctest/doctest.h>

#include <csignal>

#include "event_samples.hpp"
#include "http_client.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;

namespace {

// The /v1/plugins entry for the plugin file `file`.
rapidjson::Value::ConstObject plugin_entry(const rapidjson::Document &list, const std::string &file)
{
    for (const auto &entry : list["plugins"].GetArray()) {
        if (file == entry["file"].GetString()) return entry.GetObject();
    }
    FAIL("no entry for " << file);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("files that are not usable plugins are skipped with a reason and the rest keep working")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory")
        .add_test_plugin("no_entry")
        .add_test_plugin("wrong_major")
        .add_test_plugin("failing_create")
        .write_file("garbage.so", "this is not an ELF file\n")
        .write_file("README.txt", "ignored: not a .so");
    auto daemon = start_daemon(plugins);

    const std::string logs = daemon->all_logs();
    CHECK(logs.find(R"("msg":"plugin skipped","file":"garbage.so")") != std::string::npos);
    CHECK(logs.find(R"("file":"no_entry.so")") != std::string::npos);
    CHECK(logs.find("no pgraph_publisher_entry_v1 symbol") != std::string::npos);
    CHECK(logs.find("plugin speaks ABI major 2, this host speaks 1") != std::string::npos);
    CHECK(logs.find("simulated connection failure") != std::string::npos);
    CHECK(logs.find(R"("file":"memory.so","name":"memory","version":"1.0.0","abi":"1.2","state":"enabled")") !=
          std::string::npos);
    CHECK(logs.find("README.txt") == std::string::npos);

    const auto list = http_get(daemon->admin_url() + "/v1/plugins").json();
    REQUIRE(list["plugins"].Size() == 5);
    CHECK(std::string(plugin_entry(list, "garbage.so")["state"].GetString()) == "failed");
    CHECK(std::string(plugin_entry(list, "wrong_major.so")["reason"].GetString()).find("ABI major 2") !=
          std::string::npos);
    CHECK(std::string(plugin_entry(list, "failing_create.so")["state"].GetString()) == "failed");
    CHECK(std::string(plugin_entry(list, "memory.so")["state"].GetString()) == "enabled");

    const HttpResponse ready = http_get(daemon->base_url() + "/ready");
    CHECK(ready.status == 200);  // a broken plugin file never makes the daemon unready
    CHECK(ready.json()["failed_plugins"].Size() == 4);
    CHECK(ready.body.find("simulated connection failure") != std::string::npos);

    CHECK(http_post(daemon->base_url() + "/v1/events", batch_of({minimal_event("m1")})).status == 202);
    CHECK(eventually([&] {
        return http_get(daemon->admin_url() + "/v1/plugins/memory/events").body.find("m1") != std::string::npos;
    }));
}

TEST_CASE("an enabled plugin missing a required variable stops start-up naming the variable")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("needs_key");
    DaemonProcess daemon({{"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()}});
    const auto code = daemon.wait_for_exit(std::chrono::seconds(15));
    REQUIRE(code.has_value());
    CHECK(*code != 0);
    CHECK(daemon.all_logs().find("NEEDS_KEY_TOKEN: required by plugin needs_key") != std::string::npos);
}

TEST_CASE("a bad daemon variable stops start-up naming the variable")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    DaemonProcess daemon({{"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()}, {"PORT", "eighty"}});
    REQUIRE(daemon.wait_for_exit(std::chrono::seconds(15)) == 2);
    CHECK(daemon.all_logs().find("PORT: must be an integer") != std::string::npos);

    DaemonProcess no_dir(std::map<std::string, std::string>{{"PRODUCTGRAPH_PLUGIN_DIR", "/nonexistent/plugins"}});
    REQUIRE(no_dir.wait_for_exit(std::chrono::seconds(15)) == 2);
    CHECK(no_dir.all_logs().find("PRODUCTGRAPH_PLUGIN_DIR: /nonexistent/plugins") != std::string::npos);
}

TEST_CASE("secret variables never appear in logs or admin output")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("needs_key");
    auto daemon = start_daemon(plugins, {{"NEEDS_KEY_TOKEN", "tok-very-secret-123"}});
    CHECK(http_post(daemon->base_url() + "/v1/events", batch_of({minimal_event("s1")})).status == 202);
    const std::string admin = http_get(daemon->admin_url() + "/v1/plugins").body;
    CHECK(admin.find("needs_key") != std::string::npos);
    CHECK(admin.find("tok-very-secret-123") == std::string::npos);
    REQUIRE(daemon->stop(SIGTERM) == 0);
    CHECK(daemon->all_logs().find("tok-very-secret-123") == std::string::npos);
}

TEST_CASE("an analytics provider runs only with ANALYTICS_ENABLED and its own switch and says so")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("analytics_provider");

    auto off = start_daemon(plugins, {{"ANALYTICS_PROVIDER_ENABLED", "true"}});
    CHECK(off->all_logs().find("ANALYTICS_ENABLED is not true") != std::string::npos);
    CHECK(off->all_logs().find("provider enabled") == std::string::npos);

    auto on = start_daemon(plugins, {{"ANALYTICS_ENABLED", "true"}, {"ANALYTICS_PROVIDER_ENABLED", "true"}});
    CHECK(on->wait_for_log(R"({"level":"info","msg":"analytics_provider provider enabled"})").has_value());
    CHECK(on->wait_for_log(R"({"level":"info","msg":"analytics enabled","publishers":1})").has_value());
    CHECK(http_post(on->base_url() + "/v1/events", batch_of({minimal_event("a1")})).status == 202);
    CHECK(eventually([&] {
        return http_get(on->admin_url() + "/v1/plugins/analytics_provider/events").body.find("a1") != std::string::npos;
    }));
}

TEST_CASE("a memory plugin switched off leaves the daemon running without it")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("picky");
    auto daemon = start_daemon(plugins, {{"MEMORY_ENABLED", "false"}});
    const auto list = http_get(daemon->admin_url() + "/v1/plugins").json();
    CHECK(std::string(plugin_entry(list, "memory.so")["state"].GetString()) == "disabled");
    CHECK(std::string(plugin_entry(list, "memory.so")["reason"].GetString()) == "MEMORY_ENABLED is not true");
    CHECK(http_get(daemon->admin_url() + "/v1/plugins/memory/events").status == 404);
}
