// sd_notify's datagram protocol, without libsystemd: READY=1, RELOADING=1, STOPPING=1,
// STATUS= and WATCHDOG=1 sent to $NOTIFY_SOCKET when systemd (Type=notify) set it.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/daemon_environment.hpp"

namespace productgraph::daemon {

class SystemdNotifier {
public:
    /// Reads NOTIFY_SOCKET (a path, or "@name" for an abstract socket), WATCHDOG_USEC
    /// and WATCHDOG_PID from `inherited`. Without NOTIFY_SOCKET every call is a no-op.
    explicit SystemdNotifier(const Variables &inherited);
    ~SystemdNotifier();
    SystemdNotifier(const SystemdNotifier &) = delete;
    SystemdNotifier &operator=(const SystemdNotifier &) = delete;

    bool active() const { return socket_ >= 0; }

    /// Sends one datagram of newline-separated assignments. Best effort: a failure is
    /// logged once and never stops the daemon. Thread-safe.
    void notify(std::string_view message) const;

    void ready(std::string_view status) const;
    /// RELOADING=1 with MONOTONIC_USEC, as systemd 253+ asks of Type=notify-reload.
    void reloading(std::string_view status) const;
    void stopping() const;
    void watchdog() const { notify("WATCHDOG=1"); }

    /// How often to send WATCHDOG=1 (half of WATCHDOG_USEC) when systemd's watchdog
    /// is on for this process; nullopt otherwise.
    std::optional<std::chrono::milliseconds> watchdog_interval() const { return watchdog_interval_; }

private:
    int socket_ = -1;
    std::string address_;  // sun_path bytes; a leading '\0' for an abstract socket
    std::optional<std::chrono::milliseconds> watchdog_interval_;
    mutable std::atomic<bool> failure_logged_{false};
};

}  // namespace productgraph::daemon
