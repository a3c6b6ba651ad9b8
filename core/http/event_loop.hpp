// One server thread: accepts from the shared listening socket, reads, writes and
// times out its own connections with epoll. A connection it accepts goes to the loop
// serving the fewest (LoopBalance) and stays there, so its state needs no lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "http/connection.hpp"
#include "http/loop_balance.hpp"

namespace productgraph::http {

class EventLoop {
public:
    /// Loop number `index` of those sharing `balance`. Throws std::system_error when
    /// epoll or eventfd cannot be created.
    EventLoop(int listen_fd, const ConnectionContext &context, LoopBalance &balance, size_t index);
    ~EventLoop();
    EventLoop(const EventLoop &) = delete;
    EventLoop &operator=(const EventLoop &) = delete;

    /// Serves until stop(); then closes every connection of this loop.
    void run();
    /// From any thread.
    void stop();

private:
    void accept_ready(Clock::time_point now);
    void serve(HandedConnection accepted, Clock::time_point now);
    void shed_connection_at_fd_limit(Clock::time_point now);
    void pause_accepting(Clock::time_point now);
    void settle(uint64_t id, Connection &connection, uint32_t events_before);
    void inbox_ready(Clock::time_point now);
    void check_deadlines(Clock::time_point now);
    int wait_timeout_ms(Clock::time_point now) const;

    int listen_fd_;
    LoopBalance &balance_;
    size_t index_;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    int reserve_fd_ = -1;  // given up to accept-and-close one connection when out of fds
    BufferPool buffers_;
    ConnectionContext context_;
    std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
    std::unordered_map<uint64_t, uint32_t> registered_events_;
    uint64_t next_id_ = 2;  // 0 is the listening socket, 1 the wake-up eventfd
    Clock::time_point next_deadline_ = Clock::time_point::max();
    bool accepting_paused_ = false;
    Clock::time_point resume_accepting_at_;
    Clock::time_point last_fd_warning_;
    std::atomic<bool> stopping_{false};
};

}  // namespace productgraph::http
