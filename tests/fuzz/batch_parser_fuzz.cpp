// Fuzz target: any request body through parse_batch. Besides ASan/UBSan findings,
// it checks that the general reader answers exactly as the reader parse_batch chose
// (the plain-batch scanner for most bodies), and the parser's promises for every
// accepted event: the canonical JSON is
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
    std::string general_body = body;
    const RequestContext context{"203.0.113.7", "fuzz/1.0", 1705314615123, "default"};
    BatchLimits limits;
    limits.max_event_bytes = 4096;  // small, so the fuzzer reaches the limit
    auto parsed = parse_batch(body, context, limits);

    // The general reader must give the same answer as whichever reader parse_batch chose
    // (generated event ids aside: they are random).
    const auto general = parse_batch(general_body, context, limits, BatchReader::general_only);
    PG_FUZZ_CHECK(parsed.has_value() == general.has_value());
    if (parsed && general) {
        PG_FUZZ_CHECK(parsed->rejected == general->rejected);
        PG_FUZZ_CHECK(parsed->errors.size() == general->errors.size());
        for (size_t i = 0; i < parsed->errors.size(); ++i) {
            PG_FUZZ_CHECK(parsed->errors[i].index == general->errors[i].index);
            PG_FUZZ_CHECK(parsed->errors[i].message == general->errors[i].message);
        }
        PG_FUZZ_CHECK(parsed->accepted.size() == general->accepted.size());
        for (size_t i = 0; i < parsed->accepted.size(); ++i) {
            const EventRecord &a = *parsed->accepted[i];
            const EventRecord &b = *general->accepted[i];
            PG_FUZZ_CHECK(a.json().size() == b.json().size());
            if (a.event_id() == b.event_id()) PG_FUZZ_CHECK(a.json() == b.json());
            PG_FUZZ_CHECK(a.session_id() == b.session_id() && a.type() == b.type() && a.user_id() == b.user_id());
            PG_FUZZ_CHECK(a.timestamp_ms() == b.timestamp_ms());
        }
    } else if (!parsed && !general) {
        PG_FUZZ_CHECK(parsed.error().message == general.error().message);
    }

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
