// A client thread posting numbered batches of events for as long as a test changes
// the daemon under it, recording which events were acknowledged (202), which
// requests were refused, and how long each request took.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace productgraph::testing {

class LoadClient {
public:
    /// Starts posting batches of `events_per_request` events to `base_url`/v1/events,
    /// pausing `pause` between requests. Event ids are "<prefix><request>-<i>".
    LoadClient(std::string base_url, int events_per_request, std::chrono::microseconds pause,
               std::string prefix = "ev");
    ~LoadClient();  // stops
    LoadClient(const LoadClient &) = delete;
    LoadClient &operator=(const LoadClient &) = delete;

    void stop();

    /// The number the next request will carry: acked_ids(mark) holds only events of
    /// requests sent after this call.
    uint64_t mark() const { return next_request_.load(); }
    /// Ids of acknowledged events of requests numbered `from` and later.
    std::vector<std::string> acked_ids(uint64_t from = 0) const;
    size_t acked_requests() const;
    /// Requests answered with anything but 202 (a failed connection counts, as 0).
    size_t refused_requests() const;
    /// "<status> <body>" of the first refused request, empty when none.
    std::string first_refusal() const;
    /// Each request's round trip, in request order.
    std::vector<std::chrono::microseconds> latencies() const;

private:
    struct Request {
        uint64_t number = 0;
        long status = 0;
        std::chrono::microseconds latency{0};
    };
    void run();

    const std::string url_;
    const int events_per_request_;
    const std::chrono::microseconds pause_;
    const std::string prefix_;
    std::atomic<uint64_t> next_request_{0};
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<Request> requests_;
    std::string first_refusal_;
    std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace productgraph::testing
