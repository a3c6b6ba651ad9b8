// Start-up validation of the daemon's own variables, on the real binary: a value
// that can never work exits 2 with one error line naming the variable and the
// rule, before anything is loaded or listened on. Also how the configured queue
// capacity is reported.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "event_samples.hpp"
#include "http_client.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;
using namespace std::chrono_literals;

namespace {

struct BadValue {
    std::map<std::string, std::string> env;
    std::string expected;  // part of the error line (JSON-escaped, so no quotes here)
};

// Starts the daemon with `bad` and returns its error lines; checks exit code 2.
std::vector<std::string> refused_start(const BadValue &bad)
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto env = bad.env;
    env["PRODUCTGRAPH_PLUGIN_DIR"] =
        env.count("PRODUCTGRAPH_PLUGIN_DIR") ? env["PRODUCTGRAPH_PLUGIN_DIR"] : plugins.path();
    DaemonProcess daemon(env);
    const auto code = daemon.wait_for_exit(15s);
    INFO("daemon log:\n" << daemon.all_logs());
    CHECK(code == 2);
    std::vector<std::string> errors;
    for (const std::string &line : daemon.log_lines()) {
        if (line.find(R"("level":"error")") != std::string::npos) errors.push_back(line);
    }
    CHECK(errors.size() == 1);
    CHECK(daemon.all_logs().find(R"("msg":"listening")") == std::string::npos);
    return errors;
}

void check_refused(const BadValue &bad)
{
    CAPTURE(bad.expected);
    const auto errors = refused_start(bad);
    REQUIRE_FALSE(errors.empty());
    CHECK(errors[0].find(bad.expected) != std::string::npos);
}

}  // namespace

TEST_CASE("PRODUCTGRAPH_TRUSTED_PROXIES that is not addresses or CIDR blocks exits 2 naming the variable")
{
    const std::string rule = R"(is not an IPv4 or IPv6 address or CIDR block)";
    check_refused({{{"PRODUCTGRAPH_TRUSTED_PROXIES", "notanip,1.2.3.4/33"}},
                   R"(PRODUCTGRAPH_TRUSTED_PROXIES: \"notanip\" )" + rule});
    check_refused({{{"PRODUCTGRAPH_TRUSTED_PROXIES", "10.0.0.1, 1.2.3.4/33"}},
                   R"(PRODUCTGRAPH_TRUSTED_PROXIES: \"1.2.3.4/33\" )" + rule});
    check_refused({{{"PRODUCTGRAPH_TRUSTED_PROXIES", "2001:db8::/129"}}, "PRODUCTGRAPH_TRUSTED_PROXIES: "});
    check_refused({{{"PRODUCTGRAPH_TRUSTED_PROXIES", ""}}, "PRODUCTGRAPH_TRUSTED_PROXIES: empty"});
}

TEST_CASE("PRODUCTGRAPH_RETRY_INITIAL_MS above PRODUCTGRAPH_RETRY_MAX_MS exits 2 naming both")
{
    check_refused({{{"PRODUCTGRAPH_RETRY_INITIAL_MS", "70000"}, {"PRODUCTGRAPH_RETRY_MAX_MS", "100"}},
                   "PRODUCTGRAPH_RETRY_INITIAL_MS: must not exceed PRODUCTGRAPH_RETRY_MAX_MS (100), got 70000"});
}

TEST_CASE("lowering only PRODUCTGRAPH_RETRY_MAX_MS below the default first delay lowers the first delay with it")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_RETRY_MAX_MS", "100"}});
    CHECK(http_get(daemon->base_url() + "/health").status == 200);
}

TEST_CASE("empty or blank-padded or malformed or overflowing daemon variables exit 2 naming the variable")
{
    const std::vector<BadValue> cases = {
        {{{"PRODUCTGRAPH_API_KEYS", ""}}, "PRODUCTGRAPH_API_KEYS: set but lists nothing"},
        {{{"PRODUCTGRAPH_API_KEYS", " , "}}, "PRODUCTGRAPH_API_KEYS: set but lists nothing"},
        {{{"PRODUCTGRAPH_API_KEYS", "good-key,bad key\x01"}}, "PRODUCTGRAPH_API_KEYS: each key must be visible ASCII"},
        {{{"PRODUCTGRAPH_ADMIN_KEYS", ","}}, "PRODUCTGRAPH_ADMIN_KEYS: set but lists nothing"},
        {{{"PRODUCTGRAPH_ADMIN_ADDRESS", ""}}, "PRODUCTGRAPH_ADMIN_ADDRESS: set but empty"},
        {{{"PRODUCTGRAPH_LISTEN_ADDRESS", "0.0.0.0 "}},
         "PRODUCTGRAPH_LISTEN_ADDRESS: must not begin or end with blanks"},
        {{{"PRODUCTGRAPH_HEADER_TIMEOUT_MS", "10s"}}, "PRODUCTGRAPH_HEADER_TIMEOUT_MS: must be a whole number of ms"},
        {{{"PRODUCTGRAPH_MAX_INFLIGHT_BYTES", "256MiB"}},
         "PRODUCTGRAPH_MAX_INFLIGHT_BYTES: must be a whole number of bytes"},
        {{{"PRODUCTGRAPH_CORS_ORIGINS", ""}}, "PRODUCTGRAPH_CORS_ORIGINS: set but lists nothing"},
        {{{"PRODUCTGRAPH_CORS_ORIGINS", "https://app.example.com/"}}, "must not have a path or a trailing /"},
        {{{"PRODUCTGRAPH_CORS_ORIGINS", "app.example.com"}},
         "PRODUCTGRAPH_CORS_ORIGINS: \\\"app.example.com\\\" must be *"},
        {{{"PRODUCTGRAPH_CORS_ORIGINS", "https://App.example.com"}}, "must be lower case"},
        {{{"PRODUCTGRAPH_PLUGIN_DIR", ""}}, "PRODUCTGRAPH_PLUGIN_DIR: set but empty"},
        {{{"PRODUCTGRAPH_QUEUE_DIR", ""}}, "PRODUCTGRAPH_QUEUE_DIR: set but empty"},
        {{{"PRODUCTGRAPH_QUEUE_DIR", "/tmp/queue "}}, "PRODUCTGRAPH_QUEUE_DIR: must not begin or end with blanks"},
        {{{"PRODUCTGRAPH_QUEUE", " disk"}}, "PRODUCTGRAPH_QUEUE: must not begin or end with blanks"},
        {{{"PRODUCTGRAPH_QUEUE", "Disk"}}, "PRODUCTGRAPH_QUEUE: must be disk or memory"},
        {{{"PRODUCTGRAPH_FSYNC", ""}}, "PRODUCTGRAPH_FSYNC: set but empty"},
        {{{"PRODUCTGRAPH_FSYNC", "interval:0"}}, "PRODUCTGRAPH_FSYNC: must be always"},
        {{{"PRODUCTGRAPH_DEFAULT_PROJECT_ID", ""}}, "PRODUCTGRAPH_DEFAULT_PROJECT_ID: set but empty"},
        {{{"PRODUCTGRAPH_DEFAULT_PROJECT_ID", std::string(300, 'p')}},
         "PRODUCTGRAPH_DEFAULT_PROJECT_ID: must be 1 to 256"},
        {{{"PRODUCTGRAPH_DEFAULT_PROJECT_ID", "a\tb"}}, "PRODUCTGRAPH_DEFAULT_PROJECT_ID: must be 1 to 256"},
        {{{"PRODUCTGRAPH_RETRY_AFTER", "5s"}},
         "PRODUCTGRAPH_RETRY_AFTER: must be a whole number of seconds from 1 to 3600"},
        {{{"PRODUCTGRAPH_SHUTDOWN_TIMEOUT", "10000ms"}},
         "PRODUCTGRAPH_SHUTDOWN_TIMEOUT: must be a whole number of seconds"},
        {{{"PRODUCTGRAPH_QUEUE_MAX_BYTES", "99999999999999999999"}},
         "PRODUCTGRAPH_QUEUE_MAX_BYTES: must be a whole number of bytes"},
        {{{"PRODUCTGRAPH_PUBLISH_TIMEOUT_MS", "-5"}}, "PRODUCTGRAPH_PUBLISH_TIMEOUT_MS: must be a whole number of ms"},
        {{{"PRODUCTGRAPH_RETRY_MAX_AGE", " 60"}}, "PRODUCTGRAPH_RETRY_MAX_AGE: must be a whole number of seconds"},
        {{{"PORT", "70000"}}, "PORT: must be an integer from 0 to 65535"},
        {{{"PORT", ""}}, "PORT: must be an integer"},
        {{{"PRODUCTGRAPH_HTTP_THREADS", "0"}}, "PRODUCTGRAPH_HTTP_THREADS: must be an integer from 1 to 64"},
        {{{"DEBUG", ""}}, "DEBUG: must be true or false"},
        {{{"ANALYTICS_ENABLED", "enabled"}}, "ANALYTICS_ENABLED: must be true or false"},
    };
    for (const BadValue &bad : cases) check_refused(bad);
}

TEST_CASE("trusted proxies given as a CIDR block have their X-Forwarded-For believed")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("picky");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.0/8, ::1"}});
    REQUIRE(http_post(daemon->base_url() + "/v1/events", batch_of({minimal_event("cidr1")}),
                      {{"X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.1.2.3"}})
                .status == 202);
    REQUIRE(eventually([&] {
        return http_get(daemon->admin_url() + "/v1/plugins/picky/last_event").body.find("cidr1") != std::string::npos;
    }));
    CHECK(std::string(http_get(daemon->admin_url() + "/v1/plugins/picky/last_event").json()["client_ip"].GetString()) ==
          "203.0.113.9");
}

TEST_CASE("the disk queue reports capacity_events as null and the memory queue its configured limit")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto disk = start_daemon(plugins, {{"PRODUCTGRAPH_QUEUE_MAX_BYTES", "4194304"}});
    const auto disk_queue = http_get(disk->admin_url() + "/v1/plugins").json();
    CHECK(disk_queue["queue"]["capacity_events"].IsNull());
    CHECK(disk_queue["queue"]["capacity_bytes"].GetUint64() == 4194304);

    auto memory = start_daemon(plugins, {{"PRODUCTGRAPH_QUEUE", "memory"}, {"PRODUCTGRAPH_QUEUE_MAX_EVENTS", "1234"}});
    const auto memory_queue = http_get(memory->admin_url() + "/v1/plugins").json();
    CHECK(memory_queue["queue"]["capacity_events"].GetUint64() == 1234);
}
