// Fuzz target: any request body through parse_batch. Besides ASan/UBSan findings,
// it checks the parser's promises for every accepted event: the canonical JSON is
// one valid-UTF-8 JSON object within the size limit, with the required fields, and
// the record's id and session are non-empty.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "event/batch_parser.hpp"
#include "event/event_schema.hpp"
#include "event/utf8.hpp"
#include "fuzz_check.hpp"

using namespace productgraph::event;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string body(reinterpret_cast<const char *>(data), size);
    const RequestContext context{"203.0.113.7", "fuzz/1.0", 1705314615123, "default"};
    BatchLimits limits;
    limits.max_event_bytes = 4096;  // small, so the fuzzer reaches the limit
    auto parsed = parse_batch(body, context, limits);
    if (!parsed) {
        PG_FUZZ_CHECK(!parsed.error().message.empty());
        return 0;
    }
    PG_FUZZ_CHECK(parsed->rejected <= limits.max_events);
    PG_FUZZ_CHECK(parsed->accepted.size() + parsed->rejected <= limits.max_events);
    PG_FUZZ_CHECK(parsed->rejected == 0 || !parsed->errors.empty());
    for (const auto &record : parsed->accepted) {
        const std::string json(record->json());
        PG_FUZZ_CHECK(json.size() <= limits.max_event_bytes);
        PG_FUZZ_CHECK(!find_invalid_utf8(json).has_value());
        PG_FUZZ_CHECK(!record->event_id().empty());
        PG_FUZZ_CHECK(!record->session_id().empty());
        PG_FUZZ_CHECK(is_known_event_type(record->type()));
        PG_FUZZ_CHECK(!find_invalid_utf8(record->user_id()).has_value());

        rapidjson::Document reparsed;
        reparsed.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str(), json.size());
        PG_FUZZ_CHECK(!reparsed.HasParseError());
        PG_FUZZ_CHECK(reparsed.IsObject());
        PG_FUZZ_CHECK(reparsed.HasMember("event_id"));
        PG_FUZZ_CHECK(reparsed.HasMember("session.id"));
        PG_FUZZ_CHECK(reparsed.HasMember("event.type"));
        PG_FUZZ_CHECK(reparsed.HasMember("event.timestamp"));
        PG_FUZZ_CHECK(reparsed.HasMember("project_id") || reparsed.HasMember("product_id"));
    }
    return 0;
}
