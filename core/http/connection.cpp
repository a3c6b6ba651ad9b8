// The per-connection state machine. Every path that gives up on the byte stream
// (framing error, timeout, refused body) answers, stops reading requests, writes
// what is owed, shuts the write side and drops input for a short while, so the
// client reads the answer instead of a reset.
#include "http/connection.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.hpp"
#include "http/body_decoding.hpp"
#include "http/json_response.hpp"
#include "http/request_completion.hpp"

namespace productgraph::http {
namespace {

constexpr size_t min_read = 4 * 1024;
constexpr size_t max_read_per_wakeup = 1024 * 1024;  // fairness between connections of one loop
constexpr size_t body_read_size = 256 * 1024;
constexpr size_t keep_output_below = 256 * 1024;
constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

bool would_block(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK;
}

std::string milliseconds_text(std::chrono::milliseconds duration)
{
    return std::to_string(duration.count()) + " ms";
}

}  // namespace

Connection::Connection(const ConnectionContext &context, int fd, uint64_t id, std::string peer_ip,
                       Clock::time_point now)
    : context_(context), fd_(fd), id_(id), peer_ip_(std::move(peer_ip)), framer_(context.limits->framing),
      idle_since_(now), last_write_(now)
{}

std::unique_ptr<char[]> BufferPool::take()
{
    if (free_.empty()) return std::unique_ptr<char[]>(new char[buffer_size]);
    std::unique_ptr<char[]> buffer = std::move(free_.back());
    free_.pop_back();
    return buffer;
}

void BufferPool::give_back(std::unique_ptr<char[]> buffer)
{
    if (free_.size() < max_kept) free_.push_back(std::move(buffer));
}

void Connection::release_buffer()
{
    if (in_ != nullptr && in_capacity_ == BufferPool::buffer_size) context_.buffers->give_back(std::move(in_));
    in_.reset();
    in_capacity_ = 0;
}

Connection::~Connection()
{
    release_buffer();
    if (reserved_ > 0) context_.budget->release(reserved_);
    if (fd_ >= 0) ::close(fd_);
}

bool Connection::read_paused() const
{
    return answers_.size() >= context_.limits->max_pipelined ||
           out_.size() - out_sent_ >= context_.limits->max_output_bytes;
}

bool Connection::make_room(size_t wanted)
{
    if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
    if (in_capacity_ - in_end_ >= wanted) return true;
    // Only head bytes are buffered here (bodies go to their own buffer), and the
    // framer counts from in_begin_, so moving them to the front is safe.
    if (in_begin_ > 0) {
        std::memmove(in_.get(), in_.get() + in_begin_, buffered());
        in_end_ -= in_begin_;
        in_begin_ = 0;
        if (in_capacity_ - in_end_ >= wanted) return true;
    }
    const size_t capacity = std::max({BufferPool::buffer_size, in_capacity_ * 2, in_end_ + wanted});
    // Not make_unique: that would zero bytes recv() is about to overwrite.
    std::unique_ptr<char[]> grown =
        capacity == BufferPool::buffer_size ? context_.buffers->take() : std::unique_ptr<char[]>(new char[capacity]);
    if (in_end_ > 0) std::memcpy(grown.get(), in_.get(), in_end_);
    release_buffer();
    in_ = std::move(grown);
    in_capacity_ = capacity;
    return true;
}

void Connection::on_readable(Clock::time_point now)
{
    if (phase_ == Phase::lingering) {
        char sink[16 * 1024];
        for (size_t dropped = 0; dropped < max_read_per_wakeup;) {
            const ssize_t n = ::recv(fd_, sink, sizeof sink, 0);
            if (n > 0) {
                dropped += static_cast<size_t>(n);
                continue;
            }
            if (n < 0 && (would_block(errno) || errno == EINTR)) return;
            phase_ = Phase::done;  // EOF or error: the client has what we sent
            return;
        }
        return;
    }
    size_t total = 0;
    while (total < max_read_per_wakeup && (phase_ == Phase::body || (phase_ == Phase::head && !read_paused()))) {
        ssize_t n;
        if (phase_ == Phase::body) {
            // Exactly the rest of this body: the next request's bytes stay in the socket.
            // The buffer grows as bytes arrive (its capacity is reserved), so a stalled
            // upload holds only what it sent.
            const size_t wanted = std::min(head_.content_length - body_received_, body_read_size);
            body_.resize(body_received_ + wanted);
            n = ::recv(fd_, body_.data() + body_received_, wanted, 0);
            if (n > 0) body_received_ += static_cast<size_t>(n);
            body_.resize(body_received_);
        } else {
            make_room(min_read);
            n = ::recv(fd_, in_.get() + in_end_, in_capacity_ - in_end_, 0);
            if (n > 0) {
                in_end_ += static_cast<size_t>(n);
                if (!head_started_set_) {
                    head_started_ = now;
                    head_started_set_ = true;
                }
            }
        }
        if (n > 0) {
            total += static_cast<size_t>(n);
            frame_requests(now);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && would_block(errno)) break;
        if (n < 0 || phase_ == Phase::body || buffered() > 0 || (answers_.empty() && out_sent_ == out_.size())) {
            phase_ = Phase::done;  // reset, a request cut short, or nothing owed
            return;
        }
        // The client half-closed after its requests: answer them, then close.
        phase_ = Phase::no_input;
        close_after_output_ = true;
        break;
    }
    pump(now);
}

void Connection::on_writable(Clock::time_point now)
{
    pump(now);
}

void Connection::on_answers_ready(Clock::time_point now)
{
    pump(now);
}

void Connection::pump(Clock::time_point now)
{
    while (phase_ != Phase::done) {
        frame_requests(now);
        const bool moved = flush_answers(now);
        write_out(now);
        if (!moved || phase_ == Phase::lingering || phase_ == Phase::no_input) break;
    }
}

void Connection::frame_requests(Clock::time_point now)
{
    while (phase_ == Phase::head || phase_ == Phase::body) {
        if (phase_ == Phase::body) {
            if (body_received_ < head_.content_length) return;
            dispatch(now);
            continue;
        }
        if (read_paused() || buffered() == 0) return;
        FramingError error;
        const HeadState state = framer_.feed(std::string_view(in_.get() + in_begin_, buffered()), head_, error);
        if (state == HeadState::incomplete) return;
        if (state == HeadState::failed) {
            refuse(now, error.status, error.message);
            return;
        }
        begin_request(now);
    }
}

void Connection::begin_request(Clock::time_point now)
{
    const size_t length = head_.content_length;
    if (length > 0 && !context_.budget->try_reserve(length)) {
        refuse(now, Status::service_unavailable, "busy: too many request bodies in flight; send again later", true);
        return;
    }
    reserved_ = length;
    body_.clear();
    body_.reserve(length + Request::body_padding);
    const size_t available = buffered() - head_.head_bytes;
    body_received_ = std::min(length, available);
    body_.assign(in_.get() + in_begin_ + head_.head_bytes, body_received_);
    phase_ = Phase::body;
    body_started_ = now;
    // curl waits a second for this before sending a large body (toolchain.md §3.4).
    if (head_.expect_continue && body_received_ < length && answers_.empty() && out_.empty()) {
        out_.append(continue_line);
        last_write_ = now;
    }
}

std::shared_ptr<ResponseSlot> Connection::new_slot(Clock::time_point now)
{
    auto slot = std::make_shared<ResponseSlot>();
    slot->connection_id = id_;
    slot->inbox = context_.inbox;
    slot->listener = context_.listener;
    slot->ip = peer_ip_;
    slot->started = head_started_set_ ? head_started_ : now;
    answers_.push_back(slot);
    return slot;
}

void Connection::dispatch(Clock::time_point now)
{
    std::shared_ptr<ResponseSlot> slot = new_slot(now);
    slot->head_request = head_.method == Method::head;
    slot->keep_alive = head_.keep_alive;
    slot->method.assign(head_.method_text);
    slot->path.assign(head_.path);

    Request request;
    request.method = head_.method;
    request.method_text = head_.method_text;
    request.target = head_.target;
    request.path = head_.path;
    request.query = head_.query;
    request.http10 = head_.http10;
    request.headers = head_.headers;
    request.body = std::move(body_);
    request.peer_ip = peer_ip_;

    ResponseWriter writer(slot);
    if (auto failed =
            decode_body(request.body, request.header("Content-Encoding"), context_.limits->framing.max_body_bytes)) {
        send_error(writer, failed->status, failed->message);
    } else {
        try {
            context_.handler->on_request(request, std::move(writer));
        } catch (const std::exception &e) {
            // The writer, destroyed on the way out, has answered 500 without this text.
            common::log_error("request handler failed", {{"path", head_.path}, {"error", e.what()}});
        } catch (...) {
            common::log_error("request handler failed", {{"path", head_.path}});
        }
    }
    context_.budget->release(reserved_);
    reserved_ = 0;
    body_ = std::string();
    // The body bytes that came with the head are consumed too; the rest went
    // straight into the body's own buffer.
    in_begin_ += std::min(buffered(), head_.head_bytes + head_.content_length);
    if (in_begin_ == in_end_) {
        // Idle keep-alive connections hold no buffer.
        in_begin_ = in_end_ = 0;
        release_buffer();
    }
    framer_.reset();
    served_any_ = true;
    idle_since_ = now;
    head_started_set_ = buffered() > 0;
    head_started_ = now;
    phase_ = head_.keep_alive ? Phase::head : Phase::no_input;
}

void Connection::refuse(Clock::time_point now, Status status, std::string_view message, bool retry_after)
{
    std::shared_ptr<ResponseSlot> slot = new_slot(now);
    slot->route = "edge";
    slot->keep_alive = false;
    ResponseWriter writer(slot);
    if (retry_after) writer.add_header("Retry-After", std::to_string(context_.limits->retry_after.count()));
    send_error(writer, status, message);
    if (reserved_ > 0) context_.budget->release(reserved_);
    reserved_ = 0;
    body_ = std::string();
    phase_ = Phase::no_input;
}

bool Connection::flush_answers(Clock::time_point now)
{
    bool moved = false;
    while (!answers_.empty() && answers_.front()->ready.load(std::memory_order_acquire)) {
        const std::shared_ptr<ResponseSlot> slot = std::move(answers_.front());
        answers_.pop_front();
        if (out_sent_ == out_.size()) last_write_ = now;
        out_.append(slot->bytes);
        moved = true;
        request_completed(CompletedRequest{slot->listener, slot->method, slot->path, slot->route, slot->ip,
                                           slot->status, slot->body_bytes, slot->duration, slot->reason});
        if (slot->close) {
            // Nothing after a closing answer is answered; their writers answer into the void.
            answers_.clear();
            close_after_output_ = true;
            if (reserved_ > 0) context_.budget->release(reserved_);
            reserved_ = 0;
            if (phase_ == Phase::head || phase_ == Phase::body) phase_ = Phase::no_input;
            break;
        }
    }
    return moved;
}

void Connection::write_out(Clock::time_point now)
{
    while (out_sent_ < out_.size()) {
        const ssize_t n = ::send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
        if (n > 0) {
            out_sent_ += static_cast<size_t>(n);
            last_write_ = now;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && would_block(errno)) return;
        phase_ = Phase::done;  // the client is gone
        return;
    }
    if (out_.capacity() > keep_output_below) {
        out_ = std::string();
    } else {
        out_.clear();
    }
    out_sent_ = 0;
    if (close_after_output_ && answers_.empty() && (phase_ == Phase::no_input || phase_ == Phase::head)) {
        start_lingering(now);
    }
}

void Connection::start_lingering(Clock::time_point now)
{
    // Closing with unread input would make the kernel send a reset, which can
    // destroy our answer before the client reads it; shut our side and drain.
    ::shutdown(fd_, SHUT_WR);
    phase_ = Phase::lingering;
    linger_until_ = now + context_.limits->linger_timeout;
}

uint32_t Connection::wanted_events() const
{
    uint32_t events = 0;
    switch (phase_) {
    case Phase::head: events = read_paused() ? 0u : static_cast<uint32_t>(EPOLLIN); break;
    case Phase::body:
    case Phase::lingering: events = static_cast<uint32_t>(EPOLLIN); break;
    case Phase::no_input:
    case Phase::done: break;
    }
    if (out_sent_ < out_.size()) events |= static_cast<uint32_t>(EPOLLOUT);
    return events;
}

Clock::time_point Connection::deadline() const
{
    const ServerLimits &limits = *context_.limits;
    switch (phase_) {
    case Phase::done: return Clock::time_point::max();
    case Phase::lingering: return linger_until_;
    default: break;
    }
    if (out_sent_ < out_.size()) return last_write_ + limits.body_timeout;  // the client stopped reading
    if (phase_ == Phase::body) return body_started_ + limits.body_timeout;
    if (phase_ == Phase::no_input || read_paused()) return Clock::time_point::max();  // waiting for our answers
    if (head_started_set_) return head_started_ + limits.header_timeout;
    if (!answers_.empty()) return Clock::time_point::max();
    return idle_since_ + (served_any_ ? limits.keepalive_timeout : limits.header_timeout);
}

void Connection::on_tick(Clock::time_point now)
{
    if (now < deadline()) return;
    const ServerLimits &limits = *context_.limits;
    if (phase_ == Phase::lingering || out_sent_ < out_.size()) {
        phase_ = Phase::done;
        return;
    }
    if (phase_ == Phase::body) {
        refuse(now, Status::request_timeout, "body: not complete within " + milliseconds_text(limits.body_timeout));
    } else if (head_started_set_) {
        refuse(now, Status::request_timeout,
               "request head: not complete within " + milliseconds_text(limits.header_timeout));
    } else {
        phase_ = Phase::done;  // idle keep-alive connection
        return;
    }
    pump(now);
}

}  // namespace productgraph::http
