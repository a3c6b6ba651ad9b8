// An in-process stand-in for Mixpanel's ingestion API on 127.0.0.1 (port 0): it checks
// each request the way providers.md §2 documents the real API, answers with the
// documented bodies (or a scripted status), and records what it ingested.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Pistache::Http {
class Endpoint;
}

namespace productgraph::testing {

/// An event the mock ingested.
struct MixpanelEvent {
    std::string endpoint;  ///< "/import" or "/track"
    std::string name;      ///< its "event"
    std::string distinct_id;
    std::string insert_id;
    std::int64_t time = 0;
    std::string properties;  ///< the "properties" object as compact JSON
};

/// What the mock saw of one request, and what it answered.
struct MixpanelRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> query;
    std::string authorization;  ///< "user:password" decoded from Basic auth, empty without
    std::string content_type;
    bool gzipped = false;
    std::size_t body_bytes = 0;           ///< uncompressed
    std::size_t events = 0;               ///< elements of the JSON array, 0 when it was not one
    std::vector<std::string> insert_ids;  ///< of the events in the body, in order
    std::string peer;                     ///< client address:port, to see connection reuse
    int status = 0;                       ///< what the mock answered
};

/// A scripted answer, used instead of the natural one for the next request(s).
struct MixpanelReply {
    int status = 200;  ///< 200, 400, 401, 403, 413, 429, 500, 502, 503, ...
    /// With 400 on /import: these indexes come back in failed_records (on top of any
    /// event that really fails validation) and every other event is ingested.
    std::vector<std::size_t> failing_indexes{};
    bool plain_insert_id_key = false;  ///< failed_records say "insert_id" (OpenAPI) instead of "$insert_id" (prose)
    bool omit_index = false;           ///< failed_records carry no "index"
    std::optional<int> retry_after_seconds{};  ///< adds a Retry-After header
    /// Holds the answer back this long, or until the mock stops: a slow server.
    std::chrono::milliseconds stall{0};
    bool track_status_zero = false;  ///< /track answers 200 {"status":0,...} and keeps nothing
};

/// The mock server. Every member is thread-safe.
class MockMixpanel {
public:
    struct Options {
        std::string token = "mp-test-token-0123456789abcdef";
        std::string service_account_username{};  ///< empty: Basic auth must be token + empty password
        std::string service_account_secret{};
        std::string project_id{};  ///< required in the query with a service account
        std::size_t max_request_bytes = 2'097'152;
        std::size_t max_request_events = 2000;
    };

    MockMixpanel();
    explicit MockMixpanel(Options options);
    ~MockMixpanel();
    MockMixpanel(const MockMixpanel &) = delete;
    MockMixpanel &operator=(const MockMixpanel &) = delete;

    /// http://127.0.0.1:<port>
    std::string base_url() const;
    int port() const { return port_; }

    /// Answers the next `times` requests that carry events with `reply` (queued after
    /// earlier scripts). An empty request, the plugin's credential check, skips them.
    void reply_next(const MixpanelReply &reply, int times = 1);
    /// Answers every authenticated request that no queued script claims with `reply`,
    /// empty ones included.
    void reply_always(const MixpanelReply &reply);

    std::vector<MixpanelEvent> events() const;
    std::vector<MixpanelRequest> requests() const;
    /// How many ingested events carry this $insert_id.
    std::size_t count_insert_id(const std::string &insert_id) const;
    /// Requests (or events in them) that break the documented API, described; a
    /// correct client leaves this empty.
    std::vector<std::string> problems() const;

    /// Waits until at least `count` events were ingested; false at the deadline.
    bool wait_for_events(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    /// Waits until at least `count` requests were answered; false at the deadline.
    bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    /// Stops serving (also done by the destructor); stalled answers are released.
    void stop();

    class Handler;  // the Pistache handler, in the .cpp

private:
    friend class Handler;
    struct Answer {
        int status = 200;
        std::string body;
        std::optional<int> retry_after_seconds;
    };
    Answer handle(MixpanelRequest &request, const std::string &raw_body, const std::string &content_encoding);
    std::optional<MixpanelReply> next_script();
    std::optional<MixpanelReply> always_reply();
    void stall(std::chrono::milliseconds how_long);

    Options options_;
    std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
    int port_ = 0;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    bool stopping_ = false;
    std::deque<MixpanelReply> scripts_;
    std::optional<MixpanelReply> always_;
    std::vector<MixpanelEvent> events_;
    std::vector<MixpanelRequest> requests_;
    std::vector<std::string> problems_;
};

}  // namespace productgraph::testing
