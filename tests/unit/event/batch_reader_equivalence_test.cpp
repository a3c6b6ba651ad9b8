// The plain-batch scanner and the general (RapidJSON) reader must answer every body
// the same way, byte for byte: accepted records, per-event errors and whole-request
// errors. A generated corpus mixes what the scanner takes with everything that sends
// it to the general reader: whitespace, escapes, odd numbers, nulls, deep nesting,
// missing fields, broken JSON.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "event/batch_parser.hpp"
#include "event/plain_batch_scanner.hpp"

using namespace productgraph::event;

namespace {

class BodyGenerator {
public:
    explicit BodyGenerator(unsigned seed) : random_(seed) {}

    std::string body()
    {
        std::string out = pick(10) == 0 ? "{ \"events\" : [\n" : "{\"events\":[";
        const size_t count = pick(6);
        for (size_t i = 0; i < count; ++i) {
            if (i > 0) out += pick(8) == 0 ? " ,\n " : ",";
            out += pick(40) == 0 ? scalar() : event();
        }
        out += "]";
        if (pick(25) == 0) out += ",\"extra\":1";
        out += pick(10) == 0 ? " }\n" : "}";
        if (pick(30) == 0) out.resize(pick(out.size()));  // broken JSON
        return out;
    }

private:
    size_t pick(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(random_); }

    std::string space() { return pick(30) == 0 ? " " : ""; }

    std::string string_value()
    {
        static const std::vector<std::string> pieces = {
            "plain",   "sess_abc", "évènement", "\\n",     "\\\"",    "\\\\",    "\\u00e9", "\\/",
            "\\u001f", "\\u001F",  "\\t",       "\\u0000", "\\b",     "\\u0008", "\\r",     "\\ud83d\\ude00",
            "x y",     "😀",        "",          "\\u0020", "\\u007f", "a",       "Z"};
        std::string out = "\"";
        const size_t parts = pick(4);
        for (size_t i = 0; i < parts; ++i) out += pieces[pick(pieces.size())];
        return out + "\"";
    }

    std::string number()
    {
        static const std::vector<std::string> numbers = {"0",
                                                         "-0",
                                                         "7",
                                                         "-12",
                                                         "1.5",
                                                         "1.50",
                                                         "1e5",
                                                         "1E5",
                                                         "100",
                                                         "0.1",
                                                         "0.30000000000000004",
                                                         "-0.0",
                                                         "2.5e-3",
                                                         "1e-7",
                                                         "123.456",
                                                         "9007199254740993",
                                                         "9223372036854775807",
                                                         "9223372036854775808",
                                                         "-9223372036854775808",
                                                         "-9223372036854775809",
                                                         "18446744073709551615",
                                                         "18446744073709551616",
                                                         "1.7976931348623157e308",
                                                         "5e-324",
                                                         "1e400",
                                                         "123456789012345.6",
                                                         "0.000001",
                                                         "1234.5",
                                                         "01",
                                                         "1.",
                                                         "-",
                                                         "2e",
                                                         "3.25"};
        return numbers[pick(numbers.size())];
    }

    std::string scalar()
    {
        switch (pick(6)) {
        case 0: return string_value();
        case 1: return number();
        case 2: return "true";
        case 3: return "false";
        case 4: return "null";
        default: return "tru";
        }
    }

    std::string nested(int depth)
    {
        if (depth > 36 || pick(3) == 0) return scalar();
        if (pick(2) == 0) {
            std::string out = "[";
            const size_t n = pick(3);
            for (size_t i = 0; i < n; ++i) out += (i ? "," + space() : "") + nested(depth + 1);
            return out + "]";
        }
        std::string out = "{";
        const size_t n = pick(3);
        for (size_t i = 0; i < n; ++i) out += (i ? "," : "") + string_value() + ":" + space() + nested(depth + 1);
        return out + "}";
    }

    std::string deep()
    {
        const int levels = 30 + static_cast<int>(pick(6));  // around the limit of 32
        return std::string(static_cast<size_t>(levels), '[') + "1" + std::string(static_cast<size_t>(levels), ']');
    }

    std::string field_value(const std::string &key)
    {
        if (pick(8) == 0) return pick(2) ? scalar() : nested(1);
        if (key == "event.type") {
            static const std::vector<std::string> types = {"\"ui.click\"", "\"page.view\"", "\"custom\"",
                                                           "\"nope\"",     "\"\"",          "\"ui.cl\\u0069ck\""};
            return types[pick(types.size())];
        }
        if (key == "event.timestamp") {
            static const std::vector<std::string> times = {"\"2024-01-15T10:30:15Z\"",
                                                           "\"2024-01-15T10:30:15.123+01:00\"", "\"yesterday\"",
                                                           "\"2024-01-15T10:30:15\\u005a\""};
            return times[pick(times.size())];
        }
        if (key == "event.sequence" || key == "api.status_code") return number();
        if (key == "ui.scroll.position") return number();
        if (key == "metadata") return pick(5) == 0 ? deep() : nested(1);
        return string_value();
    }

    std::string event()
    {
        static const std::vector<std::string> keys = {
            "event_id",           "project_id", "product_id", "session.id",     "event.type",     "event.timestamp",
            "event.name",         "user.id",    "device.id",  "page.path",      "event.sequence", "api.status_code",
            "ui.scroll.position", "metadata",   "custom.key", "ev\\u0065nt_id", "event_id"};
        std::string out = "{";
        bool first = true;
        auto add = [&](const std::string &key, const std::string &value) {
            out += (first ? "" : "," + space()) + "\"" + key + "\":" + space() + value;
            first = false;
        };
        if (pick(6) != 0) add("session.id", "\"s" + std::to_string(pick(100)) + "\"");
        if (pick(6) != 0) add("event.type", "\"ui.click\"");
        if (pick(3) != 0) add("event_id", "\"id-" + std::to_string(serial_++) + "\"");
        const size_t extra = pick(7);
        for (size_t i = 0; i < extra; ++i) {
            const std::string &key = keys[pick(keys.size())];
            add(key, pick(12) == 0 ? "null" : field_value(key));
        }
        return out + "}";
    }

    std::mt19937 random_;
    size_t serial_ = 0;
};

// Generated event ids are random: blank them (they are 36 characters where the
// canonical text starts) so both readers' records compare.
std::string without_generated_id(std::string json, std::string_view event_id)
{
    if (event_id.size() == 36 && event_id[8] == '-' && json.starts_with("{\"event_id\":\"")) {
        json.replace(13, 36, 36, 'X');
    }
    return json;
}

void check_same_answer(const std::string &body)
{
    RequestContext context;
    context.client_ip = "203.0.113.7";
    context.user_agent = "test/1.0";
    context.received_ms = 1'700'000'000'123;
    std::string fast_body = body, general_body = body;
    const auto fast = parse_batch(fast_body, context);
    const auto general = parse_batch(general_body, context, {}, BatchReader::general_only);
    INFO("body: " << body);
    REQUIRE(fast.has_value() == general.has_value());
    if (!fast) {
        CHECK(fast.error().message == general.error().message);
        return;
    }
    CHECK(fast->rejected == general->rejected);
    REQUIRE(fast->errors.size() == general->errors.size());
    for (size_t i = 0; i < fast->errors.size(); ++i) {
        CHECK(fast->errors[i].index == general->errors[i].index);
        CHECK(fast->errors[i].message == general->errors[i].message);
    }
    REQUIRE(fast->accepted.size() == general->accepted.size());
    for (size_t i = 0; i < fast->accepted.size(); ++i) {
        const EventRecord &a = *fast->accepted[i];
        const EventRecord &b = *general->accepted[i];
        CHECK(without_generated_id(std::string(a.json()), a.event_id()) ==
              without_generated_id(std::string(b.json()), b.event_id()));
        CHECK(a.event_id().size() == b.event_id().size());
        if (a.event_id().size() != 36) CHECK(a.event_id() == b.event_id());
        CHECK(a.type() == b.type());
        CHECK(a.name() == b.name());
        CHECK(a.user_id() == b.user_id());
        CHECK(a.device_id() == b.device_id());
        CHECK(a.session_id() == b.session_id());
        CHECK(a.client_ip() == b.client_ip());
        CHECK(a.user_agent() == b.user_agent());
        CHECK(a.timestamp_ms() == b.timestamp_ms());
        CHECK(a.received_ms() == b.received_ms());
    }
}

}  // namespace

TEST_CASE("both batch readers answer 5000 generated bodies identically and the scanner takes a fair share of them")
{
    BodyGenerator generator(20261202);
    size_t plain = 0;
    constexpr size_t bodies = 5000;
    for (size_t i = 0; i < bodies; ++i) {
        const std::string body = generator.body();
        PlainBatch scanned;
        if (scan_plain_batch(body, {}, scanned)) ++plain;
        check_same_answer(body);
    }
    // Both readers are really exercised: neither path is dead in this corpus.
    CHECK(plain > bodies / 10);
    CHECK(plain < bodies * 9 / 10);
}

TEST_CASE("the scanner takes compact bodies and leaves anything unusual to the general reader")
{
    const auto takes = [](const std::string &body) {
        PlainBatch scanned;
        return scan_plain_batch(body, {}, scanned);
    };
    CHECK(takes(R"({"events":[{"session.id":"s","event.type":"custom","n":1.5,"m":{"a":[1,true,null]}}]})"));
    CHECK(takes(R"({ "events": [ {"session.id":"s","x":"line\nbreak \"quoted\" \u001f"} ] })"));
    CHECK(takes(R"({"events":[]})"));
    CHECK_FALSE(takes(R"({"events":[{"session.id": "s"}]})"));      // whitespace inside an event
    CHECK_FALSE(takes(R"({"events":[{"session.id":"\u0073"}]})"));  // an escape in a known field
    CHECK_FALSE(takes(R"({"events":[{"x":"a\/b"}]})"));             // an escape written otherwise
    CHECK_FALSE(takes(R"({"events":[{"x":1.50}]})"));               // not the shortest form
    CHECK_FALSE(takes(R"({"events":[{"x":-0}]})"));                 // written back as 0
    CHECK_FALSE(takes(R"({"events":[{"event_id":null}]})"));        // a default takes its place
    CHECK_FALSE(takes(R"({"events":[{}],"more":1})"));              // another member
    CHECK_FALSE(takes(R"({"events":[{}]} x)"));                     // trailing data
    CHECK_FALSE(takes(R"({"events":[1]})"));                        // not an object
    BatchLimits two_events;
    two_events.max_events = 2;
    PlainBatch scanned;
    CHECK_FALSE(scan_plain_batch(R"({"events":[{},{},{}]})", two_events, scanned));  // the general reader says why
}

TEST_CASE("an event sent without id or project or time gets the same defaults from both readers")
{
    const std::string body = R"({"events":[{"session.id":"s","event.type":"custom","x":1}]})";
    RequestContext context;
    context.received_ms = 1'700'000'000'123;
    context.default_project_id = "proj \"q\"";
    std::string fast_body = body;
    const auto fast = parse_batch(fast_body, context);
    REQUIRE(fast);
    REQUIRE(fast->accepted.size() == 1);
    const EventRecord &record = *fast->accepted[0];
    CHECK(record.event_id().size() == 36);
    CHECK(std::string(record.json()) ==
          R"({"event_id":")" + std::string(record.event_id()) +
              R"(","project_id":"proj \"q\"","event.timestamp":"2023-11-14T22:13:20.123Z",)"
              R"("session.id":"s","event.type":"custom","x":1})");
    CHECK(record.timestamp_ms() == context.received_ms);
}
