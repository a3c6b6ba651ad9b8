// amplitude.so through the C ABI against the mock Amplitude server: the exact outbound
// request, connection reuse, timeouts, deadlines, and a key that never leaks.
#include "amplitude_test_support.hpp"
#include "mock_amplitude.hpp"
#include "plugin_harness.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace productgraph::amplitude::testing;
using productgraph::test_plugins::FakeHost;
using productgraph::test_plugins::LoadedPlugin;
using Setting = std::pair<std::string, std::string>;
using namespace std::chrono_literals;

namespace {

constexpr const char *key = "AMP_TEST_API_KEY_0123456789abcdef";

const pgraph_publisher_descriptor &amplitude()
{
    static const LoadedPlugin plugin(PG_AMPLITUDE_PLUGIN_PATH);
    static const pgraph_publisher_descriptor *descriptor = plugin.negotiate();
    REQUIRE(descriptor != nullptr);
    return *descriptor;
}

// Element types one size larger than v1's, as a newer host would hand out.
struct GrownEvent {
    pgraph_event event;
    std::uint64_t added_later[3];
};
struct GrownResult {
    pgraph_event_result result;
    std::uint64_t added_later[2];
};

struct Outcome {
    pgraph_status status = -1;
    std::vector<pgraph_event_status> events;
    std::vector<std::string> reasons;
    std::vector<std::int64_t> event_retry_after_ms;  // per event (host ABI 1.1)
    std::int64_t retry_after_ms = 0;
    std::int32_t http_status = 0;
    std::string message;
    std::chrono::milliseconds took{0};
};

// One instance created as the host would, with its own log-collecting host table.
class Amplitude {
public:
    explicit Amplitude(std::vector<Setting> settings) : settings_(std::move(settings))
    {
        std::vector<pgraph_config_entry> config;
        for (const auto &[name, value] : settings_) {
            config.push_back(
                {sizeof(pgraph_config_entry), 0, {name.data(), name.size()}, {value.data(), value.size()}});
        }
        const pgraph_create_args args{sizeof(pgraph_create_args),  0, host_.table(), config.data(), config.size(),
                                      sizeof(pgraph_config_entry), 0};
        char error[512] = "";
        status_ = amplitude().create(&args, &instance_, error, sizeof error);
        error_ = error;
    }
    ~Amplitude()
    {
        if (status_ == PGRAPH_OK) amplitude().destroy(instance_);
    }
    Amplitude(const Amplitude &) = delete;
    Amplitude &operator=(const Amplitude &) = delete;

    pgraph_status create_status() const { return status_; }
    const std::string &create_error() const { return error_; }

    /// Publishes with the per-event results pre-filled RETRY, as the host does.
    Outcome publish(const std::vector<OwnedEvent> &events, std::chrono::milliseconds deadline_in = 10s)
    {
        std::vector<GrownEvent> batch_events(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            const OwnedEvent &e = events[i];
            pgraph_event &out = batch_events[i].event;
            out.struct_size = sizeof(pgraph_event);
            out.event_id = view(e.event_id);
            out.type = view(e.type);
            out.name = view(e.name);
            out.user_id = view(e.user_id);
            out.device_id = view(e.device_id);
            out.session_id = view(e.session_id);
            out.client_ip = view(e.client_ip);
            out.user_agent = view(e.user_agent);
            out.timestamp_ms = e.timestamp_ms;
            out.received_ms = e.timestamp_ms + 5;
            out.json = view(e.json);
        }
        std::vector<GrownResult> results(events.size());
        for (GrownResult &r : results) {
            r.result.struct_size = sizeof(pgraph_event_result);
            r.result.status = PGRAPH_EVENT_RETRY;
        }
        char message[512] = "";
        pgraph_publish_result result{};
        result.struct_size = sizeof result;
        result.event_result_size = sizeof(GrownResult);
        result.events = results.empty() ? nullptr : &results[0].result;
        result.message = message;
        result.message_capacity = sizeof message;
        pgraph_batch batch{};
        batch.struct_size = sizeof batch;
        batch.attempt = 1;
        batch.events = batch_events.empty() ? nullptr : &batch_events[0].event;
        batch.event_count = batch_events.size();
        batch.event_size = sizeof(GrownEvent);
        batch.deadline_unix_ms = host_.table()->now_unix_ms(nullptr) + deadline_in.count();

        Outcome outcome;
        const auto started = std::chrono::steady_clock::now();
        outcome.status = amplitude().publish(instance_, &batch, &result);
        outcome.took =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        for (const GrownResult &r : results) {
            outcome.events.push_back(r.result.status);
            outcome.reasons.emplace_back(r.result.reason);
            outcome.event_retry_after_ms.push_back(r.result.retry_after_ms);
        }
        outcome.retry_after_ms = result.retry_after_ms;
        outcome.http_status = result.http_status;
        outcome.message = message;
        return outcome;
    }

    std::string logs() const
    {
        std::string text;
        for (const std::string &line : host_.lines()) text += line + "\n";
        return text;
    }

private:
    static pgraph_str view(const std::string &s) { return pgraph_str{s.data(), s.size()}; }

    std::vector<Setting> settings_;
    FakeHost host_;
    void *instance_ = nullptr;
    pgraph_status status_ = -1;
    std::string error_;
};

std::vector<Setting> settings_for(const MockAmplitude &mock, std::vector<Setting> extra = {})
{
    std::vector<Setting> settings = {
        {"AMPLITUDE_ENABLED", "true"}, {"AMPLITUDE_API_KEY", key}, {"AMPLITUDE_ENDPOINT", mock.url()}};
    settings.insert(settings.end(), extra.begin(), extra.end());
    return settings;
}

}  // namespace

TEST_CASE("the plugin describes itself as the amplitude analytics provider with its variables")
{
    const pgraph_publisher_descriptor &descriptor = amplitude();
    CHECK(std::string(descriptor.name) == "amplitude");
    CHECK(descriptor.abi_major == PGRAPH_ABI_MAJOR);
    CHECK(descriptor.flags == PGRAPH_PLUGIN_ANALYTICS_PROVIDER);
    CHECK(std::string(descriptor.enable_variable) == "AMPLITUDE_ENABLED");
    CHECK(descriptor.max_batch_events == 2000);
    CHECK(descriptor.max_batch_bytes > 0);
    CHECK(descriptor.max_batch_bytes < 1'000'000);
    CHECK(descriptor.env_var_count == 9);
    CHECK(descriptor.env_var_size == sizeof(pgraph_env_var));
    CHECK((descriptor.create != nullptr));
    CHECK((descriptor.publish != nullptr));
    CHECK((descriptor.destroy != nullptr));

    std::string error;
    const LoadedPlugin plugin(PG_AMPLITUDE_PLUGIN_PATH);
    CHECK(plugin.negotiate(2, &error) == nullptr);
    CHECK(error.find("ABI major 1") != std::string::npos);
}

TEST_CASE("create fails for a bad variable with a reason naming it and never the key")
{
    Amplitude instance({{"AMPLITUDE_API_KEY", key}, {"AMPLITUDE_REGION", "mars"}});
    CHECK(instance.create_status() == PGRAPH_FATAL);
    CHECK(instance.create_error() == "AMPLITUDE_REGION must be us or eu, got \"mars\"");
    Amplitude keyless(std::vector<Setting>{{"AMPLITUDE_REGION", "eu"}});
    CHECK(keyless.create_status() == PGRAPH_FATAL);
    CHECK(keyless.create_error() == "AMPLITUDE_API_KEY is required");
}

TEST_CASE("a published event reaches Amplitude as the exact documented request")
{
    MockAmplitude mock;
    Amplitude instance(settings_for(mock));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const Outcome outcome = instance.publish({spec_example()});
    INFO(instance.logs());
    CHECK(outcome.status == PGRAPH_OK);
    CHECK(outcome.http_status == 200);

    const auto requests = mock.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].path == "/2/httpapi");
    CHECK(requests[0].content_type == "application/json");
    CHECK(requests[0].status == 200);
    const std::string event =
        R"({"event_type":"signup_button_clicked","user_id":"user-123","time":1705314615000,"insert_id":"evt_100",)"
        R"json("session_id":4356024399716990,"ip":"203.0.113.7","user_agent":"Mozilla/5.0 (X11; Linux x86_64)",)json"
        R"("event_properties":{"page_path":"/signup","component_name":"SignupButton","action":"click"}})";
    CHECK(requests[0].body ==
          std::string(R"({"api_key":")") + key + R"(","events":[)" + event + R"(],"options":{"min_id_length":1}})");
    REQUIRE(mock.accepted().size() == 1);
    CHECK(mock.accepted()[0].json == event);
}

TEST_CASE("one connection is reused across requests of an instance")
{
    MockAmplitude mock;
    Amplitude instance(settings_for(mock));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    for (int round = 0; round < 3; ++round) {
        CHECK(instance.publish(numbered_events("r" + std::to_string(round) + "-", 2)).status == PGRAPH_OK);
    }
    const auto requests = mock.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].peer_port != 0);
    CHECK(requests[1].peer_port == requests[0].peer_port);
    CHECK(requests[2].peer_port == requests[0].peer_port);
    CHECK(mock.accepted().size() == 6);
}

TEST_CASE("an invalid API key is FATAL and the key appears in no message and no log line")
{
    MockAmplitude::Options options;
    options.api_key = "THE_RIGHT_KEY_fedcba9876543210";
    MockAmplitude mock(options);
    Amplitude instance(settings_for(mock));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const Outcome outcome = instance.publish(numbered_events("k", 2));
    CHECK(outcome.status == PGRAPH_FATAL);
    CHECK(outcome.http_status == 400);
    CHECK(outcome.message == "Amplitude answered 400 Invalid API key: check AMPLITUDE_API_KEY");
    // The mock echoes the key it got, as Amplitude does; the plugin logs that body at debug level.
    REQUIRE(mock.requests().size() == 1);
    CHECK(mock.requests()[0].reply.find(key) != std::string::npos);
    const std::string logs = instance.logs();
    CHECK(logs.find("Invalid API key: [redacted]") != std::string::npos);
    CHECK(logs.find(key) == std::string::npos);
    CHECK(mock.accepted().empty());
}

TEST_CASE("the mock's validation rejects short ids and the plugin rejects exactly those events")
{
    MockAmplitude mock;
    Amplitude instance(settings_for(mock, {{"AMPLITUDE_MIN_ID_LENGTH", "5"}}));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    std::vector<OwnedEvent> events = numbered_events("s", 3);
    events[1].user_id = "ab";
    events[1].canonical();
    const Outcome outcome = instance.publish(events);
    CHECK(outcome.status == PGRAPH_PARTIAL);
    CHECK(outcome.events ==
          std::vector<pgraph_event_status>{PGRAPH_EVENT_RETRY, PGRAPH_EVENT_REJECT, PGRAPH_EVENT_RETRY});
    CHECK(outcome.reasons[1] == "Amplitude 400: shorter than min_id_length: user_id");
    CHECK(mock.requests()[0].min_id_length == 5);
    // The host would send the other two again.
    events.erase(events.begin() + 1);
    CHECK(instance.publish(events).status == PGRAPH_OK);
    CHECK(mock.accepted_ids() == std::vector<std::string>{"s0", "s2"});
}

TEST_CASE("a 429 delivers the unthrottled events in the same publish and throttles the rest")
{
    MockAmplitude mock;
    mock.then(replies::throttled({1}));
    Amplitude instance(settings_for(mock, {{"AMPLITUDE_THROTTLE_RETRY_MS", "1500"}}));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const Outcome outcome = instance.publish(numbered_events("t", 3));
    CHECK(outcome.status == PGRAPH_PARTIAL);
    CHECK(outcome.events == std::vector<pgraph_event_status>{PGRAPH_EVENT_OK, PGRAPH_EVENT_RETRY, PGRAPH_EVENT_OK});
    // A 1.1 host gets the throttle delay on the throttled event only.
    CHECK(outcome.event_retry_after_ms[1] == 1500);
    CHECK(outcome.retry_after_ms == 0);
    CHECK(mock.accepted_ids() == std::vector<std::string>{"t0", "t2"});
}

TEST_CASE("a slow Amplitude times out and the batch is left to retry")
{
    MockAmplitude mock;
    mock.then(replies::slow_success(3s));
    Amplitude instance(settings_for(mock, {{"AMPLITUDE_TIMEOUT_MS", "200"}}));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const Outcome outcome = instance.publish(numbered_events("slow", 2));
    CHECK(outcome.status == PGRAPH_RETRY);
    CHECK(outcome.http_status == 0);
    CHECK(outcome.message.find("no answer from Amplitude") != std::string::npos);
    CHECK(outcome.took < 2s);
    // The next attempt goes through, with the same insert ids.
    CHECK(instance.publish(numbered_events("slow", 2)).status == PGRAPH_OK);
    CHECK(mock.accepted_ids() == std::vector<std::string>{"slow0", "slow1"});
}

TEST_CASE("a publish returns by its deadline even when Amplitude is slower")
{
    MockAmplitude mock;
    mock.then(replies::slow_success(5s));
    Amplitude instance(settings_for(mock));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const Outcome outcome = instance.publish(numbered_events("d", 1), 400ms);
    CHECK(outcome.status == PGRAPH_RETRY);
    CHECK(outcome.took < 2s);
}

TEST_CASE("connection refused leaves the batch to retry")
{
    std::string url;
    {
        MockAmplitude closed;
        url = closed.url();
    }
    Amplitude instance({{"AMPLITUDE_API_KEY", key}, {"AMPLITUDE_ENDPOINT", url}});
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const Outcome outcome = instance.publish(numbered_events("c", 2));
    CHECK(outcome.status == PGRAPH_RETRY);
    CHECK(outcome.http_status == 0);
    CHECK(outcome.message.find("no answer from Amplitude") != std::string::npos);
}

TEST_CASE("a 413 from Amplitude is split and both halves are accepted")
{
    MockAmplitude mock;
    mock.then(replies::payload_too_large());
    Amplitude instance(settings_for(mock));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    CHECK(instance.publish(numbered_events("h", 4)).status == PGRAPH_OK);
    const auto requests = mock.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].status == 413);
    CHECK(requests[1].insert_ids == std::vector<std::string>{"h0", "h1"});
    CHECK(requests[2].insert_ids == std::vector<std::string>{"h2", "h3"});
    CHECK(mock.accepted_ids() == std::vector<std::string>{"h0", "h1", "h2", "h3"});
}

TEST_CASE("the batch API endpoint is posted to with the same body")
{
    MockAmplitude::Options options;
    options.path = "/batch";
    options.max_body_bytes = 20'000'000;
    MockAmplitude mock(options);
    Amplitude instance(settings_for(mock, {{"AMPLITUDE_API", "batch"}}));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    CHECK(instance.publish(numbered_events("b", 2)).status == PGRAPH_OK);
    REQUIRE(mock.requests().size() == 1);
    CHECK(mock.requests()[0].path == "/batch");
}

TEST_CASE("a 401 from a proxy in front of Amplitude is FATAL")
{
    MockAmplitude mock;
    mock.then(replies::status(401, R"({"error":"proxy authentication required"})"));
    Amplitude instance(settings_for(mock));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const Outcome outcome = instance.publish(numbered_events("p", 1));
    CHECK(outcome.status == PGRAPH_FATAL);
    CHECK(outcome.http_status == 401);
    CHECK(outcome.message == "Amplitude answered 401 Unauthorized: check AMPLITUDE_API_KEY");
}

TEST_CASE("a 403 from Amplitude's firewall rejects the batch and logs the body")
{
    MockAmplitude mock;
    mock.then(replies::forbidden());
    Amplitude instance(settings_for(mock));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    const Outcome outcome = instance.publish(numbered_events("f", 2));
    CHECK(outcome.status == PGRAPH_REJECT);
    CHECK(outcome.http_status == 403);
    CHECK(outcome.message == R"(Amplitude answered 403: {"code":403,"error":"Forbidden"})");
    CHECK(instance.logs().find(R"(2 events rejected: Amplitude answered 403: {"code":403,"error":"Forbidden"})") !=
          std::string::npos);
    CHECK(mock.accepted().empty());
}

TEST_CASE("silenced devices are rejected and the other events are left to retry")
{
    MockAmplitude mock;
    mock.then(replies::silenced({0}));
    Amplitude instance(settings_for(mock));
    REQUIRE(instance.create_status() == PGRAPH_OK);
    std::vector<OwnedEvent> events = numbered_events("q", 2);
    events[0].device_id = "device-noisy";
    events[0].canonical();
    const Outcome outcome = instance.publish(events);
    CHECK(outcome.status == PGRAPH_PARTIAL);
    CHECK(outcome.events == std::vector<pgraph_event_status>{PGRAPH_EVENT_REJECT, PGRAPH_EVENT_RETRY});
    CHECK(outcome.reasons[0] == "Amplitude 400: device silenced");
}
