// One client connection: frames requests from its bytes, hands each to the
// handler, writes the answers in request order, and enforces the timeouts.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/request_framer.hpp"
#include "http/response_writer.hpp"
#include "http/server_limits.hpp"

namespace productgraph::http {

using Clock = std::chrono::steady_clock;

/// Receive buffers of the usual size, reused across the connections of one loop:
/// an idle connection holds none, and a busy one does not allocate per request.
class BufferPool {
public:
    static constexpr size_t buffer_size = 16 * 1024;
    std::unique_ptr<char[]> take();
    void give_back(std::unique_ptr<char[]> buffer);

private:
    static constexpr size_t max_kept = 256;
    std::vector<std::unique_ptr<char[]>> free_;
};

/// What every connection of one loop shares.
struct ConnectionContext {
    BufferPool *buffers = nullptr;  // the loop's own
    std::string_view listener;      // "public" or "admin", for the access log
    const ServerLimits *limits = nullptr;
    RequestHandler *handler = nullptr;
    InflightBudget *budget = nullptr;
    std::shared_ptr<LoopInbox> inbox;
};

class Connection {
public:
    Connection(const ConnectionContext &context, int fd, uint64_t id, std::string peer_ip, Clock::time_point now);
    ~Connection();  // closes the socket, returns reserved body bytes
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    void on_readable(Clock::time_point now);
    void on_writable(Clock::time_point now);
    /// Answers finished on another thread are waiting.
    void on_answers_ready(Clock::time_point now);
    /// The socket reported an error or a hang-up in both directions.
    void on_hangup() { phase_ = Phase::done; }
    /// Called when the deadline may have passed.
    void on_tick(Clock::time_point now);

    bool finished() const { return phase_ == Phase::done; }
    /// EPOLLIN and/or EPOLLOUT, as the state needs.
    uint32_t wanted_events() const;
    Clock::time_point deadline() const;
    int fd() const { return fd_; }

private:
    enum class Phase {
        head,       // reading a request head (or idle between requests)
        body,       // reading a body of known length
        no_input,   // no more requests will be read; answering what came before
        lingering,  // answers written, write side shut; dropping input until EOF
        done,
    };

    void pump(Clock::time_point now);
    void frame_requests(Clock::time_point now);
    void begin_request(Clock::time_point now);
    void dispatch(Clock::time_point now);
    void refuse(Clock::time_point now, Status status, std::string_view message, bool retry_after = false);
    std::shared_ptr<ResponseSlot> new_slot(Clock::time_point now);
    bool flush_answers(Clock::time_point now);
    void write_out(Clock::time_point now);
    void start_lingering(Clock::time_point now);
    bool read_paused() const;
    size_t buffered() const { return in_end_ - in_begin_; }
    void release_buffer();
    bool make_room(size_t wanted);

    const ConnectionContext &context_;
    int fd_;
    uint64_t id_;
    std::string peer_ip_;
    Phase phase_ = Phase::head;

    // Received bytes not yet consumed: [in_begin_, in_end_) of in_.
    std::unique_ptr<char[]> in_;
    size_t in_capacity_ = 0;
    size_t in_begin_ = 0;
    size_t in_end_ = 0;

    HeadFramer framer_;
    RequestHead head_;
    std::string body_;
    size_t body_received_ = 0;
    size_t reserved_ = 0;  // from the in-flight budget
    Clock::time_point head_started_;
    bool head_started_set_ = false;
    Clock::time_point body_started_;
    Clock::time_point idle_since_;
    bool served_any_ = false;

    std::deque<std::shared_ptr<ResponseSlot>> answers_;  // in request order
    std::string out_;
    size_t out_sent_ = 0;
    Clock::time_point last_write_;
    bool close_after_output_ = false;
    Clock::time_point linger_until_;
};

}  // namespace productgraph::http
