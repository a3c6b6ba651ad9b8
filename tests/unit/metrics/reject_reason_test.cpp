// Every message the validator produces maps to a reason code; none is "other", so a
// new validator message that the table misses shows up here.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "event/batch_parser.hpp"
#include "metrics/daemon_metrics.hpp"
#include "metrics/reject_reason.hpp"

using namespace productgraph;
using metrics::RejectReason;

namespace {

const std::string complete = R"("event_id":"e1","project_id":"p","session.id":"s","event.type":"custom",)"
                             R"("event.timestamp":"2024-01-15T10:30:15Z")";

// The reasons of the errors the real validator reports for one event.
std::vector<RejectReason> reasons_for(const std::string &event_json, const event::BatchLimits &limits = {})
{
    std::string body = R"({"events":[)" + event_json + "]}";
    auto parsed = event::parse_batch(body, event::RequestContext{}, limits);
    REQUIRE(parsed.has_value());
    std::vector<RejectReason> reasons;
    for (const auto &error : parsed->errors) {
        INFO(error.message);
        reasons.push_back(metrics::reject_reason_of(error.message));
    }
    return reasons;
}

}  // namespace

TEST_CASE("the validator's messages map to fixed reason codes")
{
    using enum RejectReason;
    CHECK(reasons_for(
              R"({"project_id":"p","event_id":"e","event.type":"custom","event.timestamp":"2024-01-15T10:30:15Z"})") ==
          std::vector{missing_field});
    CHECK(reasons_for("{" + complete + R"(,"event.sequence":"seven"})") == std::vector{invalid_type});
    CHECK(reasons_for("[1]") == std::vector{invalid_type});
    CHECK(
        reasons_for(
            R"({"event_id":"","project_id":"p","session.id":"s","event.type":"custom","event.timestamp":"2024-01-15T10:30:15Z"})") ==
        std::vector{invalid_value});
    CHECK(
        reasons_for(
            R"({"event_id":"e","project_id":"p","session.id":"s","event.type":"custom","event.timestamp":"yesterday"})") ==
        std::vector{invalid_timestamp});
    CHECK(
        reasons_for(
            R"({"event_id":"e","project_id":"p","session.id":"s","event.type":"x: required","event.timestamp":"2024-01-15T10:30:15Z"})") ==
        std::vector{unknown_event_type});
    event::BatchLimits small;
    small.max_event_bytes = 200;
    CHECK(reasons_for("{" + complete + R"(,"page.title":")" + std::string(300, 'a') + "\"}", small) ==
          std::vector{too_large});
    small.max_nesting_depth = 2;
    CHECK(reasons_for("{" + complete + R"(,"odd: key":{"a":{"b":{"c":1}}}})", small) == std::vector{too_deep});
    CHECK(reasons_for("{" + complete + R"(,"metadata":{"a":{"b":{"c":1}}}})", small) == std::vector{too_deep});
}

TEST_CASE("a message the table does not know is counted as other")
{
    CHECK(metrics::reject_reason_of("no colon here") == RejectReason::other);
    CHECK(metrics::reject_reason_of("event_id: must rhyme") == RejectReason::other);
    CHECK(metrics::reject_reason_label(RejectReason::other) == "other");
}

TEST_CASE("a rejected event counts once under the reason of its first error")
{
    struct Error {
        size_t index;
        std::string message;
    };
    const std::vector<Error> errors = {
        {0, "session.id: required"}, {0, "event.type: required"}, {2, "event.timestamp: must be an RFC 3339 x"}};
    metrics::DaemonMetrics &daemon = metrics::daemon_metrics();
    const uint64_t missing_before = daemon.rejected(RejectReason::missing_field);
    const uint64_t timestamp_before = daemon.rejected(RejectReason::invalid_timestamp);
    metrics::count_rejected_events(errors);
    CHECK(daemon.rejected(RejectReason::missing_field) - missing_before == 1);
    CHECK(daemon.rejected(RejectReason::invalid_timestamp) - timestamp_before == 1);
}
