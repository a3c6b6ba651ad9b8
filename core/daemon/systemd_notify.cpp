// The protocol is one AF_UNIX datagram per notification (systemd's sd_notify(3)
// "NOTES"); a few lines here spare a dependency on libsystemd.
#include "daemon/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>

#include "common/log.hpp"

namespace productgraph::daemon {
namespace {

std::optional<std::string> variable(const Variables &variables, const std::string &name)
{
    const auto it = variables.find(name);
    if (it == variables.end() || it->second.empty()) return std::nullopt;
    return it->second;
}

std::optional<uint64_t> parse_number(const std::string &text)
{
    uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string monotonic_usec()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return std::to_string(static_cast<uint64_t>(now.tv_sec) * 1'000'000 + static_cast<uint64_t>(now.tv_nsec) / 1000);
}

// STATUS= ends at the newline; one inside the text would start a bogus assignment.
std::string one_line(std::string_view text)
{
    std::string line(text);
    for (char &c : line) {
        if (c == '\n') c = ' ';
    }
    return line;
}

}  // namespace

SystemdNotifier::SystemdNotifier(const Variables &inherited)
{
    if (const auto usec = variable(inherited, "WATCHDOG_USEC")) {
        const auto pid = variable(inherited, "WATCHDOG_PID");
        const bool ours = !pid || parse_number(*pid) == static_cast<uint64_t>(getpid());
        if (const auto value = parse_number(*usec); value && *value > 0 && ours) {
            watchdog_interval_ = std::chrono::milliseconds(std::max<uint64_t>(*value / 2000, 1));
        }
    }
    const auto path = variable(inherited, "NOTIFY_SOCKET");
    if (!path) return;
    if (path->front() != '/' && path->front() != '@') {
        common::log_warn("NOTIFY_SOCKET is neither a path nor an abstract socket (@name); systemd is not notified",
                         {{"NOTIFY_SOCKET", *path}});
        return;
    }
    if (path->size() >= sizeof(sockaddr_un::sun_path)) {
        common::log_warn("NOTIFY_SOCKET is too long; systemd is not notified", {{"NOTIFY_SOCKET", *path}});
        return;
    }
    address_ = *path;
    if (address_.front() == '@') address_.front() = '\0';
    socket_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (socket_ < 0) {
        common::log_warn("cannot create the systemd notification socket", {{"error", std::strerror(errno)}});
    }
}

SystemdNotifier::~SystemdNotifier()
{
    if (socket_ >= 0) close(socket_);
}

void SystemdNotifier::notify(std::string_view message) const
{
    if (socket_ < 0) return;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, address_.data(), address_.size());
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
    const ssize_t sent = sendto(socket_, message.data(), message.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr *>(&address), length);
    if (sent < 0 && !failure_logged_.exchange(true)) {
        common::log_warn("cannot notify systemd", {{"error", std::strerror(errno)}});
    }
}

void SystemdNotifier::ready(std::string_view status) const
{
    notify("READY=1\nSTATUS=" + one_line(status));
}

void SystemdNotifier::reloading(std::string_view status) const
{
    notify("RELOADING=1\nMONOTONIC_USEC=" + monotonic_usec() + "\nSTATUS=" + one_line(status));
}

void SystemdNotifier::stopping() const
{
    notify("STOPPING=1\nSTATUS=stopping");
}

}  // namespace productgraph::daemon
