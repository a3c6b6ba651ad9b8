// How a handler answers: once, from any thread. Answers leave in request order even
// when a later request of the same connection finishes first (pipelining).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http/http_message.hpp"
#include "http/loop_inbox.hpp"

namespace productgraph::http {

/// One request's place in its connection's answer queue. Written by the writer,
/// read by the connection's loop once `ready` is set.
struct ResponseSlot {
    std::atomic<bool> ready{false};
    std::string bytes;   // status line to the end of the body
    bool close = false;  // the connection closes after these bytes

    uint64_t connection_id = 0;
    std::shared_ptr<LoopInbox> inbox;

    // What the request was, for the answer's framing and the access log.
    bool head_request = false;
    bool keep_alive = true;
    std::string_view listener;
    std::string method;
    std::string path;
    std::string ip;
    std::string_view route = "unmatched";
    std::chrono::steady_clock::time_point started;
    // Filled when the answer is sent.
    int status = 0;
    size_t body_bytes = 0;
    std::string reason;
    std::chrono::microseconds duration{0};
};

class ResponseWriter {
public:
    explicit ResponseWriter(std::shared_ptr<ResponseSlot> slot) : slot_(std::move(slot)) {}
    ResponseWriter(ResponseWriter &&other) noexcept = default;
    ResponseWriter &operator=(ResponseWriter &&other) noexcept;
    ResponseWriter(const ResponseWriter &) = delete;
    ResponseWriter &operator=(const ResponseWriter &) = delete;
    /// A writer dropped without an answer answers 500, so the connection's later
    /// answers are never stuck behind it.
    ~ResponseWriter();

    /// Adds a response header. Values holding CR or LF are dropped (header injection).
    void add_header(std::string_view name, std::string_view value);
    /// The route template counted for this request ("/v1/events"); a static string.
    void set_route(std::string_view route_template);
    /// The reason logged with a 4xx answer.
    void set_reason(std::string_view reason);
    /// Closes the connection after this answer.
    void close_connection();

    /// Sends the answer. `content_type` is left out when empty. Only the first call counts.
    void send(Status status, std::string_view body = {}, std::string_view content_type = "application/json");
    bool sent() const { return slot_ == nullptr; }

private:
    std::shared_ptr<ResponseSlot> slot_;  // null once sent or moved from
    std::string headers_;
};

}  // namespace productgraph::http
