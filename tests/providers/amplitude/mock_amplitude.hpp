// An in-process stand-in for Amplitude's HTTP V2 / Batch API on 127.0.0.1, for tests.
//
// It checks each request as the real API would (providers.md §1.2-§1.5) and answers
// with the documented status and body: POST to the configured path, Content-Type
// application/json, a JSON object body with the expected api_key, an events array of
// at most max_events events, a body under max_body_bytes, and per event event_type,
// a user_id or device_id at least options.min_id_length characters long and not a
// placeholder, integer time and session_id, string insert_id, an object
// event_properties. It is stricter than Amplitude in one way: a string over 1,024
// characters is an invalid field (Amplitude would cut it), so the tests see whether
// the plugin cut it first.
//
// A valid request is answered by the next scripted reply when there is one (nothing
// is ingested unless the reply is a 2xx), otherwise with 200 and its events recorded
// as accepted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace productgraph::amplitude::testing {

/// One request as the mock saw it.
struct ReceivedRequest {
    std::string method;
    std::string path;
    std::string content_type;
    std::string body;
    std::uint16_t peer_port = 0;  // the client's port: equal ports mean a reused connection
    std::chrono::steady_clock::time_point at;
    // Parsed from a valid body, in request order:
    std::vector<std::string> insert_ids;
    std::vector<std::string> user_ids;    // "" when the event has none
    std::vector<std::string> device_ids;  // "" when the event has none
    std::int64_t min_id_length = 5;       // Amplitude's default when options lacks it
    // What the mock answered:
    int status = 0;
    std::string reply;

    std::size_t event_count() const { return insert_ids.size(); }
};

/// An event the mock ingested (it answered 2xx to its request).
struct AcceptedEvent {
    std::string insert_id;
    std::string json;  // the event object exactly as it was sent
    std::chrono::steady_clock::time_point at;
};

/// A canned answer: status and body, sent after `delay` (a slow server).
struct CannedReply {
    int status = 200;
    std::string body;
    std::chrono::milliseconds delay{0};
};

/// Builds the next answer from the valid request it answers.
using Script = std::function<CannedReply(const ReceivedRequest &)>;

/// The documented answers, for scripts.
namespace replies {
/// Any status and body.
Script status(int code, std::string body);
/// 500 (or another 5xx) with a JSON body.
Script server_error(int code = 500);
/// 413 {"code":413,"error":"Payload too large"}.
Script payload_too_large();
/// 403 {"code":403,"error":"Forbidden"}.
Script forbidden();
/// 400 "Request missing required field" naming `field`.
Script missing_field(std::string field);
/// 400 "Invalid field values on some events" listing `indexes` under `field`.
Script invalid_fields(std::string field, std::vector<std::size_t> indexes);
/// 400 "Events silenced for device_id" listing `indexes` as silenced_events.
Script silenced(std::vector<std::size_t> indexes);
/// 429 with throttled_events = `throttled` (and their users/devices in
/// throttled_users/devices) and the devices of `quota_devices` and users of
/// `quota_users` (request indexes) over their daily quota.
Script throttled(std::vector<std::size_t> throttled, std::vector<std::size_t> quota_devices = {},
                 std::vector<std::size_t> quota_users = {});
/// 429 with a body that is not JSON, as a proxy might send.
Script throttled_without_body();
/// The normal answer (ingest, 200), sent only after `delay`.
Script slow_success(std::chrono::milliseconds delay);
}  // namespace replies

/// The mock server. Thread-safe: the server threads record while tests read.
class MockAmplitude {
public:
    struct Options {
        std::string api_key = "AMP_TEST_API_KEY_0123456789abcdef";
        std::string path = "/2/httpapi";
        std::size_t max_events = 2000;
        std::size_t max_body_bytes = 1'000'000;  // a body of this size or more gets 413
        /// Every request, valid or not, gets this answer and nothing is ingested: an
        /// overridden endpoint that is down (503) or is not Amplitude at all (404).
        std::optional<CannedReply> outage{};
    };

    MockAmplitude();
    explicit MockAmplitude(Options options);
    ~MockAmplitude();
    MockAmplitude(const MockAmplitude &) = delete;
    MockAmplitude &operator=(const MockAmplitude &) = delete;

    std::uint16_t port() const;
    /// http://127.0.0.1:<port><path>
    std::string url() const;

    /// Queues the answer to the next valid request that no earlier script answers.
    void then(Script reply);
    /// How many scripted answers are still waiting.
    std::size_t scripts_left() const;

    std::vector<ReceivedRequest> requests() const;
    std::vector<AcceptedEvent> accepted() const;
    /// The insert_ids of accepted events, in arrival order, duplicates included.
    std::vector<std::string> accepted_ids() const;
    /// The accepted event with this insert_id, the first if several.
    std::optional<AcceptedEvent> find(const std::string &insert_id) const;

    struct State;

private:
    std::shared_ptr<State> state_;
    struct Server;
    std::unique_ptr<Server> server_;
};

}  // namespace productgraph::amplitude::testing
