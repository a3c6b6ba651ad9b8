// The public/admin split, admin keys, bind addresses and the drain after SIGTERM
// (issue 10 item 1; issue 8 "Draining").
#include <doctest/doctest.h>

#include <csignal>

#include "edge_daemon.hpp"
#include "event_samples.hpp"

using namespace productgraph::testing;
using namespace std::chrono_literals;

namespace {

std::optional<RawResponse> ask(int port, const std::string &request)
{
    RawConnection client(port);
    client.send(request);
    return client.read_response();
}

int status_of(int port, const std::string &request)
{
    const auto answer = ask(port, request);
    return answer ? answer->status : 0;
}

}  // namespace

TEST_CASE("admin paths do not exist on the public port whatever key is sent")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_ADMIN_KEYS", "admin-secret"}, {"PRODUCTGRAPH_API_KEYS", "api-secret"}});
    REQUIRE(daemon.port() != daemon.admin_port());
    for (const std::string path :
         {"/v1/plugins", "/v1/plugins/memory/events", "/v1/plugins/memory/dead-letters", "/metrics"}) {
        for (const std::string &headers : {std::string(), std::string("Authorization: Bearer admin-secret\r\n"),
                                           std::string("X-PG-API-Key: api-secret\r\n")}) {
            CAPTURE(path);
            CAPTURE(headers);
            const auto answer = ask(daemon.port(), raw_request("GET", path, headers));
            REQUIRE(answer.has_value());
            CHECK(answer->status == 404);
            CHECK(is_json_error(*answer));
        }
    }
    CHECK(status_of(daemon.port(), raw_request("POST", "/v1/plugins/memory/dead-letters/replay",
                                               "Authorization: Bearer admin-secret\r\n")) == 404);
    CHECK(status_of(daemon.port(), raw_request("GET", "/health")) == 200);
    CHECK(status_of(daemon.port(), raw_request("GET", "/ready")) == 200);
}

TEST_CASE("with admin keys every admin request but health and readiness needs a Bearer admin key")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_ADMIN_KEYS", "admin-one,admin-two"}, {"PRODUCTGRAPH_API_KEYS", "api-secret"}});
    const int admin = daemon.admin_port();
    const auto missing = ask(admin, raw_request("GET", "/v1/plugins"));
    REQUIRE(missing.has_value());
    CHECK(missing->status == 401);
    CHECK(missing->header("www-authenticate") == "Bearer");
    CHECK(is_json_error(*missing));
    CHECK(status_of(admin, raw_request("GET", "/v1/plugins", "Authorization: Bearer admin-on\r\n")) == 401);
    CHECK(status_of(admin, raw_request("GET", "/v1/plugins", "Authorization: Basic admin-one\r\n")) == 401);
    // The keys of one listener never open the other.
    CHECK(status_of(admin, raw_request("GET", "/v1/plugins", "Authorization: Bearer api-secret\r\n")) == 401);
    CHECK(status_of(admin, raw_request("GET", "/v1/plugins", "X-PG-API-Key: api-secret\r\n")) == 401);
    CHECK(status_of(daemon.port(), raw_request("POST", "/v1/events", "X-PG-API-Key: admin-one\r\n",
                                               batch_of({minimal_event("k-1")}))) == 401);

    CHECK(status_of(admin, raw_request("GET", "/v1/plugins", "Authorization: Bearer admin-one\r\n")) == 200);
    CHECK(status_of(admin, raw_request("GET", "/v1/plugins/memory/events", "Authorization: Bearer admin-two\r\n")) ==
          200);
    CHECK(status_of(admin, raw_request("GET", "/metrics", "Authorization: Bearer admin-two\r\n")) != 401);
    CHECK(status_of(admin, raw_request("GET", "/health")) == 200);
    CHECK(status_of(admin, raw_request("GET", "/ready")) == 200);
    // Events are not taken on the admin listener.
    CHECK(status_of(admin, raw_request("POST", "/v1/events", "Authorization: Bearer admin-one\r\n",
                                       batch_of({minimal_event("k-2")}))) == 404);
}

TEST_CASE("the admin listener binds an IPv6 address")
{
    EdgeDaemon daemon({{"PRODUCTGRAPH_ADMIN_ADDRESS", "[::1]:0"}, {"PRODUCTGRAPH_LISTEN_ADDRESS", "[::]"}});
    RawConnection admin(daemon.admin_port(), "::1");
    admin.send(raw_request("GET", "/v1/plugins"));
    const auto answer = admin.read_response();
    REQUIRE(answer.has_value());
    CHECK(answer->status == 200);
    // [::] takes IPv4 clients too.
    CHECK(status_of(daemon.port(), raw_request("GET", "/health")) == 200);
}

TEST_CASE("a bad listen address stops the daemon at start-up naming the variable")
{
    for (const auto &[name, value] : std::map<std::string, std::string>{{"PRODUCTGRAPH_ADMIN_ADDRESS", "localhost"},
                                                                        {"PRODUCTGRAPH_ADMIN_ADDRESS", "::1:8081"},
                                                                        {"PRODUCTGRAPH_LISTEN_ADDRESS", "not-an-ip"},
                                                                        {"PRODUCTGRAPH_MAX_INFLIGHT_BYTES", "12"}}) {
        CAPTURE(value);
        PluginDirectory plugins;
        DaemonProcess daemon({{"PRODUCTGRAPH_PLUGIN_DIR", plugins.path()}, {name, value}});
        CHECK(daemon.wait_for_exit(10s) == 2);
        CHECK(daemon.all_logs().find(name + ": ") != std::string::npos);
    }
}

TEST_CASE("during the drain after SIGTERM the listeners stay open and answer 503")
{
    PluginDirectory plugins;
    plugins.add_test_plugin("flaky");
    // A plugin that keeps asking for retries holds the drain open for the shutdown timeout.
    auto daemon = start_daemon(plugins, {{"FLAKY_ENABLED", "true"},
                                         {"FLAKY_FAILURES", "1000000"},
                                         {"PRODUCTGRAPH_SHUTDOWN_TIMEOUT", "5"},
                                         {"PRODUCTGRAPH_RETRY_INITIAL_MS", "50"}});
    REQUIRE(status_of(daemon->port(), raw_request("POST", "/v1/events", "", batch_of({minimal_event("d-1")}))) == 202);
    RawConnection kept_alive(daemon->port());  // opened before the signal, used during the drain
    kept_alive.send(raw_request("GET", "/health"));
    REQUIRE(kept_alive.read_response().has_value());

    daemon->send_signal(SIGTERM);
    REQUIRE(daemon->wait_for_log("shutting down").has_value());
    for (const int port : {daemon->port(), daemon->admin_port()}) {
        const auto ready = ask(port, raw_request("GET", "/ready"));
        REQUIRE(ready.has_value());
        CHECK(ready->status == 503);
        CHECK(ready->body.find("shutting down") != std::string::npos);
    }
    const auto refused = ask(daemon->port(), raw_request("POST", "/v1/events", "", batch_of({minimal_event("d-2")})));
    REQUIRE(refused.has_value());
    CHECK(refused->status == 503);
    CHECK(refused->header("retry-after") == "1");
    kept_alive.send(raw_request("GET", "/health"));
    const auto health = kept_alive.read_response();
    REQUIRE(health.has_value());
    CHECK(health->status == 200);

    CHECK(daemon->wait_for_exit(20s) == 0);
    CHECK_THROWS(RawConnection(daemon->port()));
}
