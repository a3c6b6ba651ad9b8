// Fuzz target: Amplitude's answers through classify_response, plus redact and
// loggable_body with secrets taken from the input. Checks the classifier's
// promises: per-event verdicts have one action per event, only a 2xx is
// delivered, reasons stay short and never hold the API key.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "amplitude_client.hpp"
#include "fuzz_check.hpp"
#include "fuzz_input.hpp"

using namespace productgraph::amplitude;

namespace {

constexpr std::string_view api_key = "AMP_FUZZ_KEY_0123456789abcdef";
constexpr size_t max_reason_bytes = 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ClassifierInput input = parse_classifier_input(data, size);
    // Users and devices repeat, and some events have neither, as in real batches.
    const size_t event_count = input.number % 64;
    std::vector<std::string> users, devices;
    for (size_t i = 0; i < event_count; ++i) {
        users.push_back(i % 4 == 3 ? "" : "user-" + std::to_string(i % 5));
        devices.push_back(i % 2 == 0 ? "" : "device-" + std::to_string(i % 3));
    }
    std::vector<SentIdentity> events;
    for (size_t i = 0; i < event_count; ++i) events.push_back(SentIdentity{users[i], devices[i]});

    HttpReply reply;
    reply.status = input.status;
    reply.body = std::string(input.body);
    if (reply.status == 0) reply.transport_error = reply.body;
    const Verdict verdict = classify_response(reply, events, api_key);

    PG_FUZZ_CHECK(!verdict.reason.empty());
    PG_FUZZ_CHECK(verdict.reason.size() <= max_reason_bytes);
    PG_FUZZ_CHECK(verdict.reason.find(api_key) == std::string::npos);
    PG_FUZZ_CHECK((verdict.outcome == Outcome::delivered) == (input.status >= 200 && input.status < 300));
    if (verdict.outcome == Outcome::per_event) {
        PG_FUZZ_CHECK(verdict.actions.size() == events.size());
        PG_FUZZ_CHECK(verdict.reasons.size() == events.size());
        for (size_t i = 0; i < events.size(); ++i) {
            PG_FUZZ_CHECK(verdict.reasons[i].size() <= max_reason_bytes);
            PG_FUZZ_CHECK(verdict.reasons[i].find(api_key) == std::string::npos);
            PG_FUZZ_CHECK(verdict.actions[i] != EventAction::reject || !verdict.reasons[i].empty());
        }
    } else {
        PG_FUZZ_CHECK(verdict.actions.empty());
    }

    // Any secret, even one that overlaps the "[redacted]" marker, must not make
    // redaction loop; one that shares no character with the marker must be gone.
    const std::string_view secret = input.body.substr(0, input.number % 8);
    const std::string redacted = redact(input.body, secret);
    if (!secret.empty() && secret.find_first_of("[]redact") == std::string_view::npos) {
        PG_FUZZ_CHECK(redacted.find(secret) == std::string::npos);
    }
    const std::string loggable = loggable_body(input.body, secret, 200);
    PG_FUZZ_CHECK(loggable.size() <= 200 + 3);  // plus the 3-byte ellipsis
    for (const char c : loggable) PG_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20);
    return 0;
}
