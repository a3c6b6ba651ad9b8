// One request at a time, so "sent after mark()" is exact and each latency is a
// client's real wait.
#include "load_client.hpp"

#include "event_samples.hpp"
#include "http_client.hpp"

namespace productgraph::testing {

LoadClient::LoadClient(std::string base_url, int events_per_request, std::chrono::microseconds pause,
                       std::string prefix)
    : url_(std::move(base_url) + "/v1/events"), events_per_request_(events_per_request), pause_(pause),
      prefix_(std::move(prefix)), thread_([this] { run(); })
{}

LoadClient::~LoadClient()
{
    stop();
}

void LoadClient::stop()
{
    stopping_.store(true);
    if (thread_.joinable()) thread_.join();
}

void LoadClient::run()
{
    using clock = std::chrono::steady_clock;
    while (!stopping_.load()) {
        const uint64_t number = next_request_.fetch_add(1);
        const std::string body = numbered_batch(prefix_ + std::to_string(number) + "-", events_per_request_);
        const auto sent = clock::now();
        const HttpResponse response = http_post(url_, body);
        const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - sent);
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(Request{number, response.status, latency});
            if (response.status != 202 && first_refusal_.empty()) {
                first_refusal_ = std::to_string(response.status) + " " + response.body;
            }
        }
        if (pause_.count() > 0) std::this_thread::sleep_for(pause_);  // pacing, not synchronisation
    }
}

std::vector<std::string> LoadClient::acked_ids(uint64_t from) const
{
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const Request &request : requests_) {
        if (request.number < from || request.status != 202) continue;
        for (int i = 0; i < events_per_request_; ++i) {
            ids.push_back(prefix_ + std::to_string(request.number) + "-" + std::to_string(i));
        }
    }
    return ids;
}

size_t LoadClient::acked_requests() const
{
    std::lock_guard lock(mutex_);
    size_t count = 0;
    for (const Request &request : requests_) count += request.status == 202 ? 1 : 0;
    return count;
}

size_t LoadClient::refused_requests() const
{
    std::lock_guard lock(mutex_);
    size_t count = 0;
    for (const Request &request : requests_) count += request.status != 202 ? 1 : 0;
    return count;
}

std::string LoadClient::first_refusal() const
{
    std::lock_guard lock(mutex_);
    return first_refusal_;
}

std::vector<std::chrono::microseconds> LoadClient::latencies() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::chrono::microseconds> all;
    all.reserve(requests_.size());
    for (const Request &request : requests_) all.push_back(request.latency);
    return all;
}

}  // namespace productgraph::testing
