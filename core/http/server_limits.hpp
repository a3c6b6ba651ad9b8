// The edge's limits and timeouts, and the daemon-wide budget of body bytes held by
// unfinished requests.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

#include "http/http_message.hpp"
#include "http/request_framer.hpp"
#include "http/response_writer.hpp"

namespace productgraph::http {

struct ServerLimits {
    FramingLimits framing;
    std::chrono::milliseconds header_timeout{10'000};     // per request, from its first byte (or the accept)
    std::chrono::milliseconds body_timeout{60'000};       // from the end of the head to the end of the body
    std::chrono::milliseconds keepalive_timeout{60'000};  // idle between requests
    std::chrono::milliseconds linger_timeout{2'000};      // reading and dropping input after a closing answer
    size_t max_pipelined = 64;                            // answers waiting per connection before we stop reading
    size_t max_output_bytes = 1024 * 1024;                // unsent answer bytes before we stop reading
    std::chrono::seconds retry_after{1};
};

/// Body bytes reserved by requests whose body is still arriving or being handled,
/// across both listeners (PRODUCTGRAPH_MAX_INFLIGHT_BYTES).
class InflightBudget {
public:
    explicit InflightBudget(size_t limit) : limit_(limit) {}

    bool try_reserve(size_t bytes)
    {
        size_t used = used_.load(std::memory_order_relaxed);
        do {
            if (bytes > limit_ - std::min(used, limit_)) return false;
        } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
        return true;
    }
    void release(size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }
    size_t used() const { return used_.load(std::memory_order_relaxed); }

private:
    size_t limit_;
    std::atomic<size_t> used_{0};
};

/// What the server calls for each framed request. Runs on a loop thread; it may
/// keep the writer and answer later from any thread, but must not block.
class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual void on_request(Request &request, ResponseWriter response) = 0;
};

}  // namespace productgraph::http
