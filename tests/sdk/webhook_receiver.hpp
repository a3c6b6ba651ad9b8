// A tiny webhook receiver on 127.0.0.1 for the webhook example's tests: records each
// POST (body, Authorization) and answers with scripted statuses, then 200.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Pistache::Http {
class Endpoint;
}

namespace productgraph::testing {

struct ReceivedPost {
    std::string path;
    std::string authorization;
    std::string body;
    std::chrono::steady_clock::time_point at;
    int status = 0;  // what the receiver answered
};

class WebhookReceiver {
public:
    WebhookReceiver();
    ~WebhookReceiver();
    WebhookReceiver(const WebhookReceiver &) = delete;
    WebhookReceiver &operator=(const WebhookReceiver &) = delete;

    /// http://127.0.0.1:<port>/hook
    std::string url() const;
    /// The next POST gets `status` (with Retry-After: retry_after_seconds when set).
    void answer_next(int status, std::optional<int> retry_after_seconds = std::nullopt);
    /// Every POST from now on gets `status`.
    void answer_always(int status);
    std::vector<ReceivedPost> posts() const;

    class Handler;

private:
    struct Scripted {
        int status;
        std::optional<int> retry_after_seconds;
    };
    Scripted next_answer();
    void record(ReceivedPost post);

    std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::deque<Scripted> scripts_;
    int always_ = 200;
    std::vector<ReceivedPost> posts_;
};

}  // namespace productgraph::testing
