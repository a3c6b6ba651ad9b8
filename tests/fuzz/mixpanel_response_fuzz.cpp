// Fuzz target: Mixpanel's answers through classify, in both API modes. Checks the
// classifier's promises: only a 2xx is delivered, per-event failures come only
// from a strict /import 400, and every verdict has a short one-line reason.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "fuzz_input.hpp"
#include "mixpanel_client.hpp"

using namespace productgraph::mixpanel;

namespace {

constexpr size_t max_reason_bytes = 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ClassifierInput input = parse_classifier_input(data, size);
    const ApiMode api = input.number % 2 == 0 ? ApiMode::import : ApiMode::track;
    HttpReply reply;
    reply.status = input.status;
    reply.body = std::string(input.body);
    if (reply.status == 0) reply.transport_error = "Connection refused";
    const Classification result = classify(api, reply);

    PG_FUZZ_CHECK(!result.reason.empty());
    PG_FUZZ_CHECK(result.reason.size() <= max_reason_bytes);
    if (result.verdict == Verdict::delivered) PG_FUZZ_CHECK(input.status >= 200 && input.status < 300);
    if (result.verdict == Verdict::partially_failed) {
        PG_FUZZ_CHECK(api == ApiMode::import && input.status == 400 && !result.failed.empty());
    } else {
        PG_FUZZ_CHECK(result.failed.empty());
    }
    return 0;
}
