// mixpanel.so driven through the C ABI as the host drives it, against the mock
// Mixpanel: what goes on the wire, and what publish reports for each answer.
#include <doctest/doctest.h>

#include "host_events.hpp"
#include "mixpanel_format.hpp"
#include "mock_mixpanel.hpp"
#include "plugin_harness.hpp"

#include <rapidjson/document.h>

#include <chrono>
#include <string>
#include <vector>

using namespace productgraph::testing;
using productgraph::test_plugins::FakeHost;
using productgraph::test_plugins::GrownConfigEntry;
using productgraph::test_plugins::GrownEvent;
using productgraph::test_plugins::GrownEventResult;
using productgraph::test_plugins::LoadedPlugin;
using productgraph::test_plugins::PublishOutcome;
using productgraph::test_plugins::Setting;
using namespace std::chrono_literals;

namespace {

const std::string token = "mp-test-token-0123456789abcdef";
const std::string sa_secret = "sa-very-secret-value-42";

const pgraph_publisher_descriptor &mixpanel()
{
    static const LoadedPlugin library(PG_MIXPANEL_PLUGIN_PATH);
    static const pgraph_publisher_descriptor *descriptor = library.negotiate();
    REQUIRE(descriptor != nullptr);
    return *descriptor;
}

// One plugin instance with a recording host; destroyed with the object.
class Instance {
public:
    explicit Instance(std::vector<Setting> settings) : settings_(std::move(settings))
    {
        std::vector<GrownConfigEntry> config;
        for (const auto &[name, value] : settings_) {
            GrownConfigEntry grown{};
            grown.entry = {sizeof(pgraph_config_entry), 0, {name.data(), name.size()}, {value.data(), value.size()}};
            config.push_back(grown);
        }
        const pgraph_create_args args{
            sizeof(pgraph_create_args), 0, host_.table(), config.empty() ? nullptr : &config[0].entry, config.size(),
            sizeof(GrownConfigEntry),   0};
        char error[512] = "";
        status_ = mixpanel().create(&args, &instance_, error, sizeof error);
        error_ = error;
    }
    ~Instance()
    {
        if (status_ == PGRAPH_OK) mixpanel().destroy(instance_);
    }
    Instance(const Instance &) = delete;
    Instance &operator=(const Instance &) = delete;

    pgraph_status create_status() const { return status_; }
    const std::string &create_error() const { return error_; }
    std::vector<std::string> log_lines() const { return host_.lines(); }

    /// Publishes like the host: strides one size larger than v1's, results pre-filled with RETRY.
    PublishOutcome publish(const std::vector<HostEvent> &events, std::uint32_t attempt = 1,
                           std::chrono::milliseconds time_left = 10s)
    {
        REQUIRE(status_ == PGRAPH_OK);
        std::vector<GrownEvent> batch_events(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) batch_events[i].event = events[i].view();
        std::vector<GrownEventResult> results(events.size());
        for (GrownEventResult &r : results) {
            r.result.struct_size = sizeof(pgraph_event_result);
            r.result.status = PGRAPH_EVENT_RETRY;
        }
        char message[512] = "";
        pgraph_publish_result result{};
        result.struct_size = sizeof result;
        result.event_result_size = sizeof(GrownEventResult);
        result.events = results.empty() ? nullptr : &results[0].result;
        result.message = message;
        result.message_capacity = sizeof message;

        pgraph_batch batch{};
        batch.struct_size = sizeof batch;
        batch.attempt = attempt;
        batch.events = batch_events.empty() ? nullptr : &batch_events[0].event;
        batch.event_count = batch_events.size();
        batch.event_size = sizeof(GrownEvent);
        batch.deadline_unix_ms = now_ms() + time_left.count();

        PublishOutcome outcome;
        outcome.status = mixpanel().publish(instance_, &batch, &result);
        for (const GrownEventResult &r : results) {
            outcome.event_statuses.push_back(r.result.status);
            outcome.reasons.emplace_back(r.result.reason);
        }
        outcome.retry_after_ms = result.retry_after_ms;
        outcome.http_status = result.http_status;
        outcome.message = message;
        return outcome;
    }

private:
    std::vector<Setting> settings_;
    FakeHost host_;
    void *instance_ = nullptr;
    pgraph_status status_ = -1;
    std::string error_;
};

std::vector<Setting> settings_for(const MockMixpanel &mock, std::vector<Setting> extra = {})
{
    std::vector<Setting> settings = {{"MIXPANEL_TOKEN", token}, {"MIXPANEL_API_HOST", mock.base_url()}};
    settings.insert(settings.end(), extra.begin(), extra.end());
    return settings;
}

std::vector<HostEvent> numbered_events(const std::string &prefix, int count, std::int64_t timestamp_ms = 1705314615000)
{
    std::vector<HostEvent> events;
    for (int i = 0; i < count; ++i) {
        events.push_back(
            simple_event(prefix + std::to_string(i), R"(,"user.id":"user-)" + std::to_string(i) + "\"", timestamp_ms));
    }
    return events;
}

std::vector<std::string> insert_ids(const std::vector<MixpanelEvent> &events)
{
    std::vector<std::string> ids;
    for (const MixpanelEvent &event : events) ids.push_back(event.insert_id);
    return ids;
}

std::vector<std::size_t> request_sizes(const MockMixpanel &mock)
{
    std::vector<std::size_t> sizes;
    for (const MixpanelRequest &request : mock.requests()) sizes.push_back(request.events);
    return sizes;
}

bool any_line_contains(const std::vector<std::string> &lines, const std::string &text)
{
    for (const std::string &line : lines) {
        if (line.find(text) != std::string::npos) return true;
    }
    return false;
}

const pgraph_env_var *declared(const std::string &name)
{
    const pgraph_publisher_descriptor &d = mixpanel();
    for (std::uint32_t i = 0; i < d.env_var_count; ++i) {
        const auto *variable = reinterpret_cast<const pgraph_env_var *>(reinterpret_cast<const char *>(d.env_vars) +
                                                                        static_cast<std::size_t>(i) * d.env_var_size);
        if (name == variable->name) return variable;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("the descriptor declares an analytics provider named mixpanel with its variables")
{
    const pgraph_publisher_descriptor &d = mixpanel();
    CHECK(std::string(d.name) == "mixpanel");
    CHECK(d.flags == PGRAPH_PLUGIN_ANALYTICS_PROVIDER);
    CHECK(std::string(d.enable_variable) == "MIXPANEL_ENABLED");
    CHECK(d.max_batch_events == 2000);
    CHECK(d.max_batch_bytes > 0);
    CHECK(d.max_batch_bytes < productgraph::mixpanel::max_request_bytes);
    CHECK(d.env_var_size == sizeof(pgraph_env_var));

    const std::vector<std::pair<std::string, const char *>> defaults = {
        {"MIXPANEL_ENABLED", "false"},
        {"MIXPANEL_TOKEN", nullptr},
        {"MIXPANEL_REGION", "us"},
        {"MIXPANEL_API_HOST", nullptr},
        {"MIXPANEL_API", "import"},
        {"MIXPANEL_SERVICE_ACCOUNT_USERNAME", nullptr},
        {"MIXPANEL_SERVICE_ACCOUNT_SECRET", nullptr},
        {"MIXPANEL_PROJECT_ID", nullptr},
        {"MIXPANEL_TIMEOUT_MS", "10000"},
        {"MIXPANEL_CONNECT_TIMEOUT_MS", "3000"},
        {"MIXPANEL_RETRY_INITIAL_MS", "2000"},
    };
    CHECK(d.env_var_count == defaults.size());
    for (const auto &[name, value] : defaults) {
        CAPTURE(name);
        const pgraph_env_var *variable = declared(name);
        REQUIRE(variable != nullptr);
        CHECK(variable->struct_size == sizeof(pgraph_env_var));
        CHECK(std::string(variable->description).size() > 10);
        if (value == nullptr) {
            CHECK(variable->default_value == nullptr);
        } else {
            REQUIRE(variable->default_value != nullptr);
            CHECK(std::string(variable->default_value) == value);
        }
        const std::uint32_t expected_flags = name == "MIXPANEL_TOKEN" ? (PGRAPH_ENV_SECRET | PGRAPH_ENV_REQUIRED)
                                             : name == "MIXPANEL_SERVICE_ACCOUNT_SECRET" ? PGRAPH_ENV_SECRET
                                                                                         : 0u;
        CHECK(variable->flags == expected_flags);
    }
}

TEST_CASE("the entry point refuses another ABI major with a reason")
{
    static const LoadedPlugin library(PG_MIXPANEL_PLUGIN_PATH);
    std::string error;
    CHECK(library.negotiate(2, &error) == nullptr);
    CHECK(error.find("mixpanel") != std::string::npos);
}

TEST_CASE("create fails with a reason that names the variable and never a secret")
{
    Instance region({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_REGION", "mars"}});
    CHECK(region.create_status() == PGRAPH_FATAL);
    CHECK(region.create_error().find("MIXPANEL_REGION") != std::string::npos);

    Instance spaced(std::vector<Setting>{{"MIXPANEL_TOKEN", "tok with space"}});
    CHECK(spaced.create_status() == PGRAPH_FATAL);
    CHECK(spaced.create_error().find("MIXPANEL_TOKEN") != std::string::npos);
    CHECK(spaced.create_error().find("tok with space") == std::string::npos);

    Instance no_project({{"MIXPANEL_TOKEN", token},
                         {"MIXPANEL_SERVICE_ACCOUNT_USERNAME", "sa.user"},
                         {"MIXPANEL_SERVICE_ACCOUNT_SECRET", sa_secret}});
    CHECK(no_project.create_status() == PGRAPH_FATAL);
    CHECK(no_project.create_error().find("MIXPANEL_PROJECT_ID") != std::string::npos);
    CHECK(no_project.create_error().find(sa_secret) == std::string::npos);
    CHECK(no_project.create_error().find(token) == std::string::npos);
}

TEST_CASE("a batch goes to import as gzipped json with the token as the basic auth user")
{
    MockMixpanel mock;
    Instance plugin(settings_for(mock));
    const PublishOutcome outcome = plugin.publish(numbered_events("ins-", 3));
    CHECK(outcome.status == PGRAPH_OK);
    CHECK(outcome.http_status == 200);
    CHECK(mock.problems().empty());

    const auto requests = mock.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].path == "/import");
    CHECK(requests[0].query == std::map<std::string, std::string>{{"strict", "1"}});
    CHECK(requests[0].authorization == token + ":");
    CHECK(requests[0].gzipped);
    CHECK(requests[0].content_type.starts_with("application/json"));
    CHECK(insert_ids(mock.events()) == std::vector<std::string>{"ins-0", "ins-1", "ins-2"});
    const auto events = mock.events();
    CHECK(events[1].distinct_id == "user-1");
    CHECK(events[1].time == 1705314615000);
    CHECK(events[1].name == "Track");
}

TEST_CASE("a service account authenticates with its secret and sends the project id")
{
    MockMixpanel::Options options;
    options.service_account_username = "sa-user.12345.mp-service-account";
    options.service_account_secret = sa_secret;
    options.project_id = "1234567";
    MockMixpanel mock(options);
    Instance plugin(settings_for(mock, {{"MIXPANEL_SERVICE_ACCOUNT_USERNAME", options.service_account_username},
                                        {"MIXPANEL_SERVICE_ACCOUNT_SECRET", sa_secret},
                                        {"MIXPANEL_PROJECT_ID", "1234567"}}));
    CHECK(plugin.publish(numbered_events("sa-", 2)).status == PGRAPH_OK);
    const auto requests = mock.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].authorization == options.service_account_username + ":" + sa_secret);
    CHECK(requests[0].query.at("project_id") == "1234567");
    CHECK(requests[0].query.at("strict") == "1");
    CHECK(mock.events().size() == 2);
}

TEST_CASE("events listed in failed_records are rejected and every other event is marked delivered")
{
    MockMixpanel mock;
    MixpanelReply reply;
    reply.status = 400;
    reply.failing_indexes = {1};
    mock.reply_next(reply);
    Instance plugin(settings_for(mock));
    const PublishOutcome outcome = plugin.publish(numbered_events("f-", 3));
    CHECK(outcome.status == PGRAPH_PARTIAL);
    CHECK(outcome.http_status == 400);
    CHECK(outcome.event_statuses ==
          std::vector<pgraph_event_status>{PGRAPH_EVENT_OK, PGRAPH_EVENT_REJECT, PGRAPH_EVENT_OK});
    CHECK(outcome.reasons[1].find("properties.time") != std::string::npos);
    CHECK(insert_ids(mock.events()) == std::vector<std::string>{"f-0", "f-2"});
    CHECK(mock.requests().size() == 1);  // nothing is sent again
}

TEST_CASE("failed records without an index are matched by their plain insert_id key")
{
    MockMixpanel mock;
    MixpanelReply reply;
    reply.status = 400;
    reply.failing_indexes = {2};
    reply.plain_insert_id_key = true;
    reply.omit_index = true;
    mock.reply_next(reply);
    Instance plugin(settings_for(mock));
    const PublishOutcome outcome = plugin.publish(numbered_events("g-", 4));
    CHECK(outcome.status == PGRAPH_PARTIAL);
    CHECK(outcome.event_statuses ==
          std::vector<pgraph_event_status>{PGRAPH_EVENT_OK, PGRAPH_EVENT_OK, PGRAPH_EVENT_REJECT, PGRAPH_EVENT_OK});
}

TEST_CASE("a 413 halves the request and both halves are delivered")
{
    MockMixpanel mock;
    mock.reply_next(MixpanelReply{.status = 413});
    Instance plugin(settings_for(mock));
    const PublishOutcome outcome = plugin.publish(numbered_events("h-", 4));
    CHECK(outcome.status == PGRAPH_OK);
    CHECK(request_sizes(mock) == std::vector<std::size_t>{4, 2, 2});
    CHECK(insert_ids(mock.events()) == std::vector<std::string>{"h-0", "h-1", "h-2", "h-3"});
}

TEST_CASE("requests keep halving until Mixpanel accepts their size")
{
    MockMixpanel::Options options;
    options.max_request_bytes = 1000;
    MockMixpanel mock(options);
    Instance plugin(settings_for(mock));
    const PublishOutcome outcome = plugin.publish(numbered_events("k-", 9));
    CHECK(outcome.status == PGRAPH_OK);
    CHECK(mock.events().size() == 9);
    for (const MixpanelRequest &request : mock.requests()) {
        if (request.status == 200) CHECK(request.body_bytes <= 1000);
    }
    CHECK(mock.requests().size() <= 2 * 9);
}

TEST_CASE("an event Mixpanel refuses as too large even alone is rejected with a log line")
{
    MockMixpanel::Options options;
    options.max_request_bytes = 100;
    MockMixpanel mock(options);
    Instance plugin(settings_for(mock));
    const PublishOutcome outcome = plugin.publish(numbered_events("big-", 2));
    CHECK(outcome.status == PGRAPH_REJECT);
    CHECK(outcome.message.find("413") != std::string::npos);
    CHECK(request_sizes(mock) == std::vector<std::size_t>{2, 1, 1});
    CHECK(any_line_contains(plugin.log_lines(), "big-0 dropped"));
    CHECK(any_line_contains(plugin.log_lines(), "big-1 dropped"));
}

TEST_CASE("a rate limited batch asks for the documented backoff for its attempt")
{
    MockMixpanel mock;
    mock.reply_always(MixpanelReply{.status = 429});
    Instance plugin(settings_for(mock));
    const auto events = numbered_events("r-", 2);

    const PublishOutcome first = plugin.publish(events, 1);
    CHECK(first.status == PGRAPH_RETRY);
    CHECK(first.http_status == 429);
    CHECK(first.message.find("429") != std::string::npos);
    CHECK(first.retry_after_ms >= 2000 + 1000);
    CHECK(first.retry_after_ms <= 2000 + 5000);

    const PublishOutcome third = plugin.publish(events, 3);
    CHECK(third.retry_after_ms >= 8000 + 1000);
    CHECK(third.retry_after_ms <= 8000 + 5000);

    const PublishOutcome late = plugin.publish(events, 20);
    CHECK(late.retry_after_ms >= 60000 + 1000);
    CHECK(late.retry_after_ms <= 60000 + 5000);
    CHECK(mock.events().empty());
}

TEST_CASE("a Retry-After longer than the backoff is honoured")
{
    MockMixpanel mock;
    mock.reply_next(MixpanelReply{.status = 429, .retry_after_seconds = 120});
    Instance plugin(settings_for(mock));
    const PublishOutcome outcome = plugin.publish(numbered_events("ra-", 1));
    CHECK(outcome.status == PGRAPH_RETRY);
    CHECK(outcome.retry_after_ms >= 120000);
}

TEST_CASE("server errors are retried and nothing is marked delivered")
{
    for (const int status : {500, 502, 503, 504}) {
        CAPTURE(status);
        MockMixpanel mock;
        mock.reply_next(MixpanelReply{.status = status});
        Instance plugin(settings_for(mock, {{"MIXPANEL_RETRY_INITIAL_MS", "50"}}));
        const PublishOutcome outcome = plugin.publish(numbered_events("s-", 2));
        CHECK(outcome.status == PGRAPH_RETRY);
        CHECK(outcome.http_status == status);
        CHECK(outcome.retry_after_ms >= 75);
        CHECK(outcome.retry_after_ms <= 175);
        CHECK(plugin.publish(numbered_events("s-", 2), 2).status == PGRAPH_OK);
        CHECK(mock.events().size() == 2);
    }
}

TEST_CASE("a retryable answer stops the call and leaves later requests for the retry")
{
    MockMixpanel mock;
    mock.reply_next(MixpanelReply{.status = 200});
    mock.reply_next(MixpanelReply{.status = 503});
    Instance plugin(settings_for(mock));
    const PublishOutcome outcome = plugin.publish(numbered_events("p-", 4500));
    CHECK(outcome.status == PGRAPH_PARTIAL);
    CHECK(request_sizes(mock) == std::vector<std::size_t>{2000, 2000});
    std::size_t delivered = 0, left = 0;
    for (const pgraph_event_status status : outcome.event_statuses) {
        if (status == PGRAPH_EVENT_OK) ++delivered;
        if (status == PGRAPH_EVENT_RETRY) ++left;
    }
    CHECK(delivered == 2000);
    CHECK(left == 2500);
    CHECK(outcome.retry_after_ms >= 3000);
}

TEST_CASE("a refused connection is retried")
{
    int unused_port = 0;
    {
        MockMixpanel gone;
        unused_port = gone.port();
    }
    Instance plugin(
        {{"MIXPANEL_TOKEN", token}, {"MIXPANEL_API_HOST", "http://127.0.0.1:" + std::to_string(unused_port)}});
    const PublishOutcome outcome = plugin.publish(numbered_events("c-", 1));
    CHECK(outcome.status == PGRAPH_RETRY);
    CHECK(outcome.http_status == 0);
    CHECK(outcome.message.find("no answer") != std::string::npos);
}

TEST_CASE("a slow Mixpanel is given up on by the request timeout")
{
    MockMixpanel mock;
    mock.reply_next(MixpanelReply{.status = 200, .stall = 5000ms});
    Instance plugin(settings_for(mock, {{"MIXPANEL_TIMEOUT_MS", "200"}}));
    const auto started = std::chrono::steady_clock::now();
    const PublishOutcome outcome = plugin.publish(numbered_events("t-", 1));
    CHECK(outcome.status == PGRAPH_RETRY);
    CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("publish returns by the batch deadline even when the request timeout is longer")
{
    MockMixpanel mock;
    mock.reply_next(MixpanelReply{.status = 200, .stall = 5000ms});
    Instance plugin(settings_for(mock));
    const auto started = std::chrono::steady_clock::now();
    const PublishOutcome outcome = plugin.publish(numbered_events("d-", 1), 1, 300ms);
    CHECK(outcome.status == PGRAPH_RETRY);
    CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("a batch whose deadline has passed sends nothing and asks for a retry")
{
    MockMixpanel mock;
    Instance plugin(settings_for(mock));
    const PublishOutcome outcome = plugin.publish(numbered_events("late-", 2), 1, -1ms);
    CHECK(outcome.status == PGRAPH_RETRY);
    CHECK(mock.requests().empty());
}

TEST_CASE("401 and 403 are fatal with a message that names the variable and not the secret")
{
    for (const int status : {401, 403}) {
        CAPTURE(status);
        MockMixpanel mock;
        mock.reply_always(MixpanelReply{.status = status});
        Instance plugin(settings_for(mock));
        const PublishOutcome outcome = plugin.publish(numbered_events("x-", 2));
        CHECK(outcome.status == PGRAPH_FATAL);
        CHECK(outcome.http_status == status);
        CHECK(outcome.message.find("MIXPANEL_TOKEN") != std::string::npos);
        CHECK(outcome.message.find(token) == std::string::npos);
    }
}

TEST_CASE("a wrong token meets the real 401 of the mock and is fatal")
{
    MockMixpanel mock;
    Instance plugin({{"MIXPANEL_TOKEN", "not-the-project-token"}, {"MIXPANEL_API_HOST", mock.base_url()}});
    const PublishOutcome outcome = plugin.publish(numbered_events("w-", 1));
    CHECK(outcome.status == PGRAPH_FATAL);
    CHECK(outcome.message.find("Invalid credentials") != std::string::npos);
}

TEST_CASE("track mode posts json to track with the token in every event and no auth header")
{
    MockMixpanel mock;
    Instance plugin(settings_for(mock, {{"MIXPANEL_API", "track"}}));
    const PublishOutcome outcome = plugin.publish(numbered_events("tr-", 3, now_ms() - 60'000));
    CHECK(outcome.status == PGRAPH_OK);
    CHECK(mock.problems().empty());
    const auto requests = mock.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].path == "/track");
    CHECK(requests[0].query == std::map<std::string, std::string>{{"ip", "0"}, {"verbose", "1"}});
    CHECK(requests[0].authorization.empty());
    CHECK_FALSE(requests[0].gzipped);
    const auto events = mock.events();
    REQUIRE(events.size() == 3);
    for (const MixpanelEvent &event : events) {
        rapidjson::Document properties;
        properties.Parse(event.properties.c_str());
        CHECK(std::string(properties["token"].GetString()) == token);
    }
}

TEST_CASE("track mode rejects a batch of which Mixpanel kept nothing")
{
    MockMixpanel mock;
    mock.reply_next(MixpanelReply{.status = 200, .track_status_zero = true});
    Instance plugin(settings_for(mock, {{"MIXPANEL_API", "track"}}));
    const PublishOutcome outcome = plugin.publish(numbered_events("tz-", 2, now_ms()));
    CHECK(outcome.status == PGRAPH_REJECT);
    CHECK(outcome.message.find("status 0") != std::string::npos);
}

TEST_CASE("more than 2000 events go out in requests of at most 2000")
{
    MockMixpanel mock;
    Instance plugin(settings_for(mock));
    CHECK(plugin.publish(numbered_events("n-", 2500)).status == PGRAPH_OK);
    CHECK(request_sizes(mock) == std::vector<std::size_t>{2000, 500});
    CHECK(mock.events().size() == 2500);
    CHECK(mock.problems().empty());
}

TEST_CASE("one connection is reused across requests and publish calls")
{
    MockMixpanel mock;
    Instance plugin(settings_for(mock));
    CHECK(plugin.publish(numbered_events("a-", 2)).status == PGRAPH_OK);
    CHECK(plugin.publish(numbered_events("b-", 2)).status == PGRAPH_OK);
    const auto requests = mock.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].peer == requests[1].peer);
}

TEST_CASE("ids Mixpanel would refuse are sent in a form it accepts")
{
    MockMixpanel mock;
    Instance plugin(settings_for(mock));
    const std::vector<HostEvent> events = {
        simple_event("evt_1", R"(,"user.id":"anonymous","device.id":"dev-1")"),
        simple_event("null", R"(,"user.id":"0")"),
        simple_event("a.b:c", R"(,"device.id":"undefined")"),
    };
    CHECK(plugin.publish(events).status == PGRAPH_OK);
    CHECK(mock.problems().empty());
    const auto received = mock.events();
    REQUIRE(received.size() == 3);
    CHECK(received[0].distinct_id == "dev-1");
    CHECK(received[0].insert_id == productgraph::mixpanel::hashed_insert_id("evt_1"));
    CHECK(received[1].distinct_id == "s1");
    CHECK(received[2].distinct_id == "s1");
}

TEST_CASE("properties over Mixpanel's limit are dropped with a warning and the event is delivered")
{
    MockMixpanel mock;
    Instance plugin(settings_for(mock));
    std::string metadata = R"(,"metadata":{)";
    for (int i = 0; i < 300; ++i) metadata += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":1";
    metadata += "}";
    CHECK(plugin.publish({simple_event("wide-1", metadata)}).status == PGRAPH_OK);
    CHECK(mock.problems().empty());
    REQUIRE(mock.events().size() == 1);
    rapidjson::Document properties;
    properties.Parse(mock.events()[0].properties.c_str());
    CHECK(properties.MemberCount() == 254);
    CHECK(any_line_contains(plugin.log_lines(), "wide-1: Mixpanel keeps fewer than 255 properties; dropped 52"));
}

TEST_CASE("each exchange is logged at debug level with status latency and answer")
{
    MockMixpanel mock;
    Instance plugin(settings_for(mock));
    CHECK(plugin.publish(numbered_events("log-", 2)).status == PGRAPH_OK);
    CHECK(any_line_contains(plugin.log_lines(), "POST /import?strict=1: HTTP 200 in "));
    CHECK(any_line_contains(plugin.log_lines(), "num_records_imported"));
}

TEST_CASE("secrets never reach the host log or the publish results")
{
    MockMixpanel::Options options;
    options.service_account_username = "sa-user";
    options.service_account_secret = sa_secret;
    options.project_id = "42";
    MockMixpanel import_mock(options);
    MockMixpanel track_mock;
    Instance importer(settings_for(import_mock, {{"MIXPANEL_SERVICE_ACCOUNT_USERNAME", "sa-user"},
                                                 {"MIXPANEL_SERVICE_ACCOUNT_SECRET", sa_secret},
                                                 {"MIXPANEL_PROJECT_ID", "42"}}));
    Instance tracker(settings_for(track_mock, {{"MIXPANEL_API", "track"}}));

    std::vector<PublishOutcome> outcomes;
    outcomes.push_back(importer.publish(numbered_events("s-", 2)));
    outcomes.push_back(tracker.publish(numbered_events("s-", 2, now_ms())));
    MixpanelReply failing;
    failing.status = 400;
    failing.failing_indexes = {0};
    import_mock.reply_next(failing);
    outcomes.push_back(importer.publish(numbered_events("s-", 2)));
    import_mock.reply_always(MixpanelReply{.status = 401});
    track_mock.reply_always(MixpanelReply{.status = 403});
    outcomes.push_back(importer.publish(numbered_events("s-", 2)));
    outcomes.push_back(tracker.publish(numbered_events("s-", 2, now_ms())));

    CHECK(outcomes[0].status == PGRAPH_OK);
    CHECK(outcomes[1].status == PGRAPH_OK);
    CHECK(outcomes[2].status == PGRAPH_PARTIAL);
    CHECK(outcomes[3].status == PGRAPH_FATAL);
    CHECK(outcomes[4].status == PGRAPH_FATAL);
    std::vector<std::string> texts = importer.log_lines();
    const auto more = tracker.log_lines();
    texts.insert(texts.end(), more.begin(), more.end());
    CHECK(texts.size() >= 5);
    for (const PublishOutcome &outcome : outcomes) {
        texts.push_back(outcome.message);
        texts.insert(texts.end(), outcome.reasons.begin(), outcome.reasons.end());
    }
    for (const std::string &text : texts) {
        CAPTURE(text);
        CHECK(text.find(token) == std::string::npos);
        CHECK(text.find(sa_secret) == std::string::npos);
    }
}
