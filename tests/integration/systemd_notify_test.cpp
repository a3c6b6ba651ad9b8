// sd_notify from the real daemon to a datagram socket this test owns, as systemd's
// NOTIFY_SOCKET would be: READY, RELOADING around every reload, STOPPING, WATCHDOG.
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "running_daemon.hpp"

using namespace productgraph::testing;
using namespace std::chrono_literals;

namespace {

// The systemd side of the protocol: an AF_UNIX datagram socket, bound to a path or
// to an abstract name.
class NotifySocket {
public:
    explicit NotifySocket(bool abstract)
    {
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        const std::string name = "pg-notify-" + std::to_string(getpid()) + "-" + std::to_string(counter_++);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::string path;
        if (abstract) {
            path = std::string(1, '\0') + name;
            address_ = "@" + name;
        } else {
            path = (std::filesystem::temp_directory_path() / name).string();
            address_ = path;
            file_ = path;
        }
        std::memcpy(address.sun_path, path.data(), path.size());
        const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
        REQUIRE(bind(fd_, reinterpret_cast<sockaddr *>(&address), length) == 0);
    }
    ~NotifySocket()
    {
        close(fd_);
        if (!file_.empty()) std::filesystem::remove(file_);
    }

    /// What NOTIFY_SOCKET must say.
    const std::string &address() const { return address_; }

    /// The next datagram, or nullopt after `timeout`.
    std::optional<std::string> next(std::chrono::milliseconds timeout = 10s)
    {
        pollfd fd{fd_, POLLIN, 0};
        if (poll(&fd, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
        char buffer[4096];
        const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
        if (n < 0) return std::nullopt;
        return std::string(buffer, static_cast<size_t>(n));
    }

    /// The next datagram that is not a watchdog ping.
    std::optional<std::string> next_state(std::chrono::milliseconds timeout = 10s)
    {
        while (auto message = next(timeout)) {
            if (*message != "WATCHDOG=1") return message;
        }
        return std::nullopt;
    }

private:
    static inline int counter_ = 0;
    int fd_ = -1;
    std::string address_;
    std::string file_;
};

}  // namespace

TEST_CASE("systemd hears READY once listening then RELOADING and READY around every reload then STOPPING")
{
    NotifySocket systemd(false);
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    const std::string env_file = plugins.path() + "/productgraphd.env";
    std::ofstream(env_file) << "MEMORY_MAX_EVENTS=10\n";
    auto daemon = start_daemon(plugins, {{"NOTIFY_SOCKET", systemd.address()}, {"PRODUCTGRAPH_ENV_FILE", env_file}});

    const auto ready = systemd.next_state();
    REQUIRE(ready);
    CHECK(ready->starts_with("READY=1\nSTATUS=listening on port " + std::to_string(daemon->port())));

    std::ofstream(env_file) << "MEMORY_MAX_EVENTS=20\n";
    daemon->send_signal(SIGHUP);
    const auto reloading = systemd.next_state();
    REQUIRE(reloading);
    CHECK(reloading->starts_with("RELOADING=1\nMONOTONIC_USEC="));
    const auto reloaded = systemd.next_state();
    REQUIRE(reloaded);
    CHECK(*reloaded == "READY=1\nSTATUS=reloaded: 0 started, 0 stopped, 1 restarted, 0 unchanged");

    std::ofstream(env_file) << "MEMORY_MAX_EVENTS=20\nbroken line\n";
    daemon->send_signal(SIGHUP);
    const auto reloading_again = systemd.next_state();
    REQUIRE(reloading_again);
    CHECK(reloading_again->starts_with("RELOADING=1\n"));
    const auto refused = systemd.next_state();
    REQUIRE(refused);
    CHECK(refused->starts_with("READY=1\nSTATUS=reload failed, nothing changed: " + env_file +
                               ":2: expected NAME=VALUE"));

    daemon->send_signal(SIGTERM);
    const auto stopping = systemd.next_state();
    REQUIRE(stopping);
    CHECK(stopping->starts_with("STOPPING=1"));
    CHECK(daemon->wait_for_exit(20s) == 0);
    CHECK_FALSE(systemd.next_state(200ms));
}

TEST_CASE("an abstract NOTIFY_SOCKET gets the notifications too")
{
    NotifySocket systemd(true);
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins, {{"NOTIFY_SOCKET", systemd.address()}});
    const auto ready = systemd.next_state();
    REQUIRE(ready);
    CHECK(ready->starts_with("READY=1\n"));
    CHECK(daemon->stop(SIGTERM) == 0);
    const auto stopping = systemd.next_state();
    REQUIRE(stopping);
    CHECK(stopping->starts_with("STOPPING=1"));
}

TEST_CASE("with WATCHDOG_USEC set the daemon pings the watchdog at half the interval")
{
    NotifySocket systemd(false);
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins, {{"NOTIFY_SOCKET", systemd.address()}, {"WATCHDOG_USEC", "200000"}});
    const auto started = std::chrono::steady_clock::now();
    int pings = 0;
    while (pings < 4) {
        const auto message = systemd.next(2s);
        REQUIRE(message);
        pings += *message == "WATCHDOG=1" ? 1 : 0;
    }
    // Four pings at 100 ms: well under the 2 s a missing watchdog would take.
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK(daemon->stop(SIGTERM) == 0);
}

TEST_CASE("the watchdog stays quiet when WATCHDOG_PID names another process")
{
    NotifySocket systemd(false);
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins, {{"NOTIFY_SOCKET", systemd.address()},
                                         {"WATCHDOG_USEC", "100000"},
                                         {"WATCHDOG_PID", std::to_string(getpid())}});
    const auto ready = systemd.next(5s);
    REQUIRE(ready);
    CHECK(ready->starts_with("READY=1"));
    CHECK_FALSE(systemd.next(400ms));  // four intervals, and no ping
    CHECK(daemon->stop(SIGTERM) == 0);
}
