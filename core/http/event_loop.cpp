// epoll, level-triggered. Out of file descriptors, the loop closes its reserve fd,
// accepts one connection and closes it at once, then reopens the reserve: the
// listening socket stops being readable, so the loop never spins (issue 9: Pistache's
// acceptor spun at 100% on EMFILE). If even that fails it stops accepting for 100 ms.
#include "http/event_loop.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "common/log.hpp"

namespace productgraph::http {
namespace {

constexpr uint64_t listen_tag = 0;
constexpr uint64_t wake_tag = 1;
constexpr int max_events = 256;
constexpr int max_accepts_per_wakeup = 64;
constexpr auto accept_pause = std::chrono::milliseconds(100);
constexpr auto fd_warning_interval = std::chrono::seconds(10);

std::string peer_text(const sockaddr_storage &address)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        const auto &v4 = reinterpret_cast<const sockaddr_in &>(address);
        inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    } else if (address.ss_family == AF_INET6) {
        const auto &v6 = reinterpret_cast<const sockaddr_in6 &>(address);
        // An IPv4 client on a dual-stack socket is shown as plain IPv4.
        if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
            inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], text, sizeof text);
        } else {
            inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
        }
    }
    return text;
}

void add_fd(int epoll_fd, int fd, uint32_t events, uint64_t tag)
{
    epoll_event event{};
    event.events = events;
    event.data.u64 = tag;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    }
}

}  // namespace

EventLoop::EventLoop(int listen_fd, const ConnectionContext &context, LoopBalance &balance, size_t index)
    : listen_fd_(listen_fd), balance_(balance), index_(index), context_(context)
{
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) {
        const int error = errno;
        if (epoll_fd_ >= 0) ::close(epoll_fd_);
        if (wake_fd_ >= 0) ::close(wake_fd_);
        if (reserve_fd_ >= 0) ::close(reserve_fd_);
        throw std::system_error(error, std::generic_category(), "epoll/eventfd");
    }
    context_.inbox = std::make_shared<LoopInbox>(wake_fd_);
    balance_.attach(index_, context_.inbox);
    context_.buffers = &buffers_;
    add_fd(epoll_fd_, listen_fd_, EPOLLIN | EPOLLEXCLUSIVE, listen_tag);
    add_fd(epoll_fd_, wake_fd_, EPOLLIN, wake_tag);
}

EventLoop::~EventLoop()
{
    context_.inbox->close();
    connections_.clear();
    ::close(epoll_fd_);
    ::close(wake_fd_);
    if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

void EventLoop::stop()
{
    stopping_.store(true);
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::run()
{
    context_.inbox->set_owner(std::this_thread::get_id());
    epoll_event events[max_events];
    while (!stopping_.load()) {
        const int ready = epoll_wait(epoll_fd_, events, max_events, wait_timeout_ms(Clock::now()));
        const Clock::time_point now = Clock::now();
        for (int i = 0; i < std::max(ready, 0); ++i) {
            const uint64_t tag = events[i].data.u64;
            if (tag == listen_tag) {
                accept_ready(now);
                continue;
            }
            if (tag == wake_tag) {
                uint64_t count = 0;
                [[maybe_unused]] const ssize_t n = ::read(wake_fd_, &count, sizeof count);
                inbox_ready(now);
                continue;
            }
            const auto found = connections_.find(tag);
            if (found == connections_.end()) continue;  // closed earlier in this batch
            Connection &connection = *found->second;
            const uint32_t before = registered_events_[tag];
            const uint32_t flags = events[i].events;
            if ((flags & (EPOLLHUP | EPOLLERR)) != 0) {
                connection.on_hangup();  // reset, or both sides shut: nothing more can pass
            } else {
                if ((flags & EPOLLIN) != 0) connection.on_readable(now);
                if ((flags & EPOLLOUT) != 0 && !connection.finished()) connection.on_writable(now);
            }
            settle(tag, connection, before);
        }
        check_deadlines(now);
        if (accepting_paused_ && now >= resume_accepting_at_) {
            accepting_paused_ = false;
            add_fd(epoll_fd_, listen_fd_, EPOLLIN | EPOLLEXCLUSIVE, listen_tag);
        }
    }
}

int EventLoop::wait_timeout_ms(Clock::time_point now) const
{
    Clock::time_point wake = std::min(next_deadline_, now + std::chrono::seconds(1));
    if (accepting_paused_) wake = std::min(wake, resume_accepting_at_);
    if (wake <= now) return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wake - now).count());
}

void EventLoop::accept_ready(Clock::time_point now)
{
    for (int i = 0; i < max_accepts_per_wakeup && !accepting_paused_; ++i) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        const int fd =
            accept4(listen_fd_, reinterpret_cast<sockaddr *>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
            if (errno == EMFILE || errno == ENFILE) {
                shed_connection_at_fd_limit(now);
                return;
            }
            pause_accepting(now);  // ENOBUFS, ENOMEM: let the system breathe
            return;
        }
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        HandedConnection accepted{fd, peer_text(address)};
        const size_t serving = balance_.assign(index_);
        if (serving == index_) {
            serve(std::move(accepted), now);
        } else {
            balance_.inbox(serving).hand_over(std::move(accepted));
        }
    }
}

void EventLoop::serve(HandedConnection accepted, Clock::time_point now)
{
    const uint64_t id = next_id_++;
    auto connection = std::make_unique<Connection>(context_, accepted.fd, id, std::move(accepted.peer), now);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = id;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, accepted.fd, &event) != 0) {
        balance_.closed(index_);
        return;  // the connection's destructor closes the socket
    }
    registered_events_[id] = EPOLLIN;
    next_deadline_ = std::min(next_deadline_, connection->deadline());
    connections_.emplace(id, std::move(connection));
}

void EventLoop::shed_connection_at_fd_limit(Clock::time_point now)
{
    if (now - last_fd_warning_ >= fd_warning_interval) {
        last_fd_warning_ = now;
        common::log_warn("out of file descriptors: closing new connections at once",
                         {{"listener", context_.listener}, {"connections", connections_.size()}});
    }
    if (reserve_fd_ >= 0) {
        ::close(reserve_fd_);
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) ::close(fd);
        reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && reserve_fd_ >= 0) return;
    } else {
        reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    pause_accepting(now);
}

void EventLoop::pause_accepting(Clock::time_point now)
{
    if (accepting_paused_) return;
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    accepting_paused_ = true;
    resume_accepting_at_ = now + accept_pause;
}

void EventLoop::settle(uint64_t id, Connection &connection, uint32_t events_before)
{
    if (connection.finished()) {
        registered_events_.erase(id);
        connections_.erase(id);  // closing the fd also removes it from epoll
        balance_.closed(index_);
        return;
    }
    const uint32_t wanted = connection.wanted_events();
    if (wanted != events_before) {
        epoll_event event{};
        event.events = wanted;
        event.data.u64 = id;
        epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection.fd(), &event);
        registered_events_[id] = wanted;
    }
    next_deadline_ = std::min(next_deadline_, connection.deadline());
}

void EventLoop::inbox_ready(Clock::time_point now)
{
    InboxContents delivered = context_.inbox->take();
    for (HandedConnection &accepted : delivered.connections) serve(std::move(accepted), now);
    for (const uint64_t id : delivered.answers) {
        const auto found = connections_.find(id);
        if (found == connections_.end()) continue;  // the client left before its answer
        const uint32_t before = registered_events_[id];
        found->second->on_answers_ready(now);
        settle(id, *found->second, before);
    }
}

void EventLoop::check_deadlines(Clock::time_point now)
{
    if (now < next_deadline_) return;
    next_deadline_ = Clock::time_point::max();
    for (auto it = connections_.begin(); it != connections_.end();) {
        const uint64_t id = it->first;
        Connection &connection = *it->second;
        ++it;  // settle() may erase this entry
        const uint32_t before = registered_events_[id];
        connection.on_tick(now);
        settle(id, connection, before);
    }
}

}  // namespace productgraph::http
