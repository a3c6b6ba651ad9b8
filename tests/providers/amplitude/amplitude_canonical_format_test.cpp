// The one-pass formatter against the DOM formatter over a generated corpus: every
// event it accepts must come out byte for byte as the DOM path writes it.
#include "amplitude_canonical_format.hpp"
#include "amplitude_format.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace productgraph::amplitude;

namespace {

// Builds events the way the host's canonical writer spells them (lower-case \u00xx,
// shortest doubles), with a share of spellings it never writes.
class CorpusMaker {
public:
    explicit CorpusMaker(std::uint32_t seed) : random_(seed) {}

    struct Event {
        std::string event_id, type, name, user_id, device_id, session_id, client_ip, user_agent, json;
        std::int64_t timestamp_ms = 0;

        EventView view() const
        {
            return EventView{event_id,   type,      name,       user_id,      device_id,
                             session_id, client_ip, user_agent, timestamp_ms, json};
        }
    };

    Event event()
    {
        // Two events in five carry the odd values (huge integers, -0, doubles RapidJSON
        // reads inexactly, control characters); the others look like real traffic.
        odd_ = chance(40);
        Event e;
        e.event_id = id_text();
        e.type = pick<std::string>({"page.view", "ui.click", "custom", "error", "api.response", "performance"});
        e.name = chance(50) ? "" : short_text();
        e.user_id = id_text();
        e.device_id = id_text();
        e.session_id = chance(30) ? std::to_string(below(1'000'000'000)) : id_text();
        e.client_ip = chance(30) ? "" : "203.0.113." + std::to_string(below(255));
        e.user_agent = chance(30) ? "" : text_value();
        e.timestamp_ms = 1'700'000'000'000 + static_cast<std::int64_t>(below(1'000'000'000));
        e.json = "{";
        const std::size_t members = below(14);
        for (std::size_t i = 0; i < members; ++i) {
            if (i > 0) e.json += ',';
            std::string key = top_level_key();
            if (key == "metadata" && !odd_ && e.json.find("\"metadata\"") != std::string::npos) key = "plan";
            e.json += quoted(key) + ':';
            e.json += key == "metadata" && chance(85) ? object(2) : value(2);
        }
        e.json += '}';
        if (chance(4)) spoil(e.json);
        return e;
    }

private:
    bool chance(unsigned percent) { return below(100) < percent; }
    std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_); }

    template <typename T>
    T pick(std::initializer_list<T> options)
    {
        return *(options.begin() + static_cast<std::ptrdiff_t>(below(options.size())));
    }

    std::string id_text()
    {
        if (chance(15)) return pick<std::string>({"", "null", "Anonymous", "0", "-1", "undefined", "{}"});
        if (chance(3)) return std::string(1030, 'x');
        if (chance(5)) return "id\"with\\odd\x01chars";
        return "id-" + std::to_string(below(100000));
    }

    std::string short_text()
    {
        return pick<std::string>({"signup", "Checkout Done", "é", "path/to", "tab\there", "quote\"d", "back\\slash"});
    }

    // A string as the event carries it, unescaped.
    std::string text_value()
    {
        const std::size_t kind = below(8);
        switch (!odd_ && (kind == 2 || kind == 3) ? 7 : kind) {
        case 0: return std::string(below(3000), 'a');
        case 1: {  // multi-byte characters around the limit
            std::string text;
            const std::size_t chars = 1000 + below(60);
            for (std::size_t i = 0; i < chars; ++i) text += chance(50) ? "\xC3\xA9" : "\xF0\x9F\x98\x80";
            return text;
        }
        case 2: return std::string(1020 + below(10), 'b') + "\n\"\\" + std::string(below(10), 'c');
        case 3: return std::string("ctl\x01\x1f\x7f") + short_text();
        case 4: return "";
        default: return short_text();
        }
    }

    std::string top_level_key()
    {
        return pick<std::string>(
            {"page.url",       "page_url",       "page.title",   "ui.action",  "action",          "ui.component.name",
             "component.name", "component_name", "gen_ai.model", "model",      "performance.lcp", "lcp",
             "event_id",       "user.id",        "session.id",   "event.name", "metadata",        "plan",
             "error.message",  "duration_ms",    "api.status",   "",           "a.b.c",           "snapshot.id"});
    }

    std::string nested_key() { return pick<std::string>({"plan", "model", "action", "seats", "k\"q", "tags", ""}); }

    std::string value(int depth)
    {
        switch (below(depth > 0 ? 10 : 8)) {
        case 0: return "null";
        case 1: return chance(50) ? "true" : "false";
        case 2: return integer();
        case 3: return fraction();
        case 4:
        case 5:
        case 6:
        case 7: return quoted(text_value());
        case 8: return object(depth - 1);
        default: return array(depth - 1);
        }
    }

    std::string object(int depth)
    {
        std::string text = "{";
        const std::size_t members = below(5);
        for (std::size_t i = 0; i < members; ++i) {
            if (i > 0) text += ',';
            text += quoted(chance(80) ? nested_key() : top_level_key()) + ':' + value(depth);
        }
        return text + '}';
    }

    std::string array(int depth)
    {
        std::string text = "[";
        const std::size_t items = below(5);
        for (std::size_t i = 0; i < items; ++i) {
            if (i > 0) text += ',';
            text += value(depth);
        }
        return text + ']';
    }

    std::string integer()
    {
        switch (odd_ ? below(6) : 4 + below(2)) {
        case 0: return std::to_string(std::numeric_limits<std::uint64_t>::max() - below(3));
        case 1: return std::to_string(std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(below(3)));
        case 2: return "123456789012345678901234";
        case 3: return "-" + std::to_string(below(1000));  // "-0" included
        default: return std::to_string(below(1'000'000'000));
        }
    }

    std::string fraction()
    {
        double number = 0;
        switch (odd_ ? below(5) : 1 + below(2) * 2) {
        case 0: number = std::uniform_real_distribution<double>(-1e6, 1e6)(random_); break;
        case 1: number = static_cast<double>(below(100000)) / 100.0; break;
        case 2: number = std::ldexp(1.0 + static_cast<double>(below(1000)), static_cast<int>(below(200)) - 100); break;
        case 3: number = 0.42; break;
        default: number = std::pow(10.0, static_cast<double>(below(60)) - 30.0); break;
        }
        if (odd_ && chance(5)) number = -0.0;
        char digits[32];
        const auto written = std::to_chars(digits, digits + sizeof digits, number);
        return std::string(digits, written.ptr);
    }

    // As the host's canonical writer escapes: \" \\ \n \r \t \b \f, else \u00xx.
    static std::string quoted(const std::string &text)
    {
        static constexpr char hex[] = "0123456789abcdef";
        std::string out = "\"";
        for (const char c : text) {
            const auto byte = static_cast<unsigned char>(c);
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (byte < 0x20) {
                    out += "\\u00";
                    out += hex[byte >> 4];
                    out += hex[byte & 0xF];
                } else {
                    out += c;
                }
            }
        }
        return out + '"';
    }

    // Spellings the host never writes: the one-pass path must decline them or write
    // what the DOM path writes.
    void spoil(std::string &json)
    {
        switch (below(6)) {
        case 0: json.insert(json.size() / 2, " "); break;
        case 1: json.pop_back(); break;
        case 2: json += " "; break;
        case 3: json.insert(1, R"("x\/y":"a\/b",)"); break;
        case 4: json.insert(1, R"("u":"\u00E9\u0041",)"); break;
        default: json.insert(1, R"("n":1E2,"m":-0.0e0,"o":01,)"); break;
        }
    }

    std::mt19937 random_;
    bool odd_ = false;
};

void check_same(const FormattedEvent &fast, const FormattedEvent &dom, const std::string &json)
{
    INFO("event JSON: " << json);
    CHECK(fast.json == dom.json);
    CHECK(fast.reject_reason == dom.reject_reason);
    CHECK(fast.user_id == dom.user_id);
    CHECK(fast.device_id == dom.device_id);
    CHECK(fast.notes == dom.notes);
}

}  // namespace

TEST_CASE("the one-pass formatter writes every event it accepts exactly as the DOM formatter does")
{
    CorpusMaker maker(20260412);
    std::size_t accepted = 0;
    constexpr std::size_t corpus_size = 6000;
    for (std::size_t i = 0; i < corpus_size; ++i) {
        const CorpusMaker::Event event = maker.event();
        const FormattedEvent dom = format_event_with_dom(event.view());
        FormattedEvent fast;
        if (format_canonical_event(event.view(), fast)) {
            ++accepted;
            check_same(fast, dom, event.json);
        }
        check_same(format_event(event.view()), dom, event.json);
    }
    // Most of the corpus is canonical and has a usable id: the fast path must be the
    // common one, or this test would prove nothing about it.
    CHECK(accepted > corpus_size / 2);
}

TEST_CASE("a canonical event is formatted without the DOM and keeps its values as written")
{
    const std::string json =
        R"({"event_id":"e1","user.id":"u1","page.url":"https://x.test/a?b=c","ui.scroll.position":0.42,)"
        R"("event.sequence":7,"ok":true,"gone":null,"tags":["a",{"k":"v\n"}],"metadata":{"plan":"pro","n":null}})";
    const EventView view{"e1", "ui.click", "", "u1", "", "s1", "", "", 1705314615250, json};
    FormattedEvent fast;
    REQUIRE(format_canonical_event(view, fast));
    CHECK(fast.json == R"({"event_type":"User Action","user_id":"u1","time":1705314615250,"insert_id":"e1",)"
                       R"("session_id":)" +
                           std::to_string(session_hash("s1")) +
                           R"(,"event_properties":{"page_url":"https://x.test/a?b=c","scroll_position":0.42,)"
                           R"("event_sequence":7,"ok":true,"tags":["a",{"k":"v\n"}],"plan":"pro","n":null}})");
    CHECK(fast.json == format_event_with_dom(view).json);
}

TEST_CASE("the one-pass formatter declines JSON the host never writes and format_event still formats it")
{
    const EventView spaced{"e1", "custom", "", "u1", "", "", "", "", 1, R"({ "plan": "pro" })"};
    const EventView unicode_escape{"e1", "custom", "", "u1", "", "", "", "", 1, R"({"plan":"\u00e9"})"};
    const EventView inexact{"e1", "custom", "", "u1", "", "", "", "", 1, R"({"x":1.00000000000000001})"};
    for (const EventView &view : {spaced, unicode_escape, inexact}) {
        FormattedEvent fast;
        CHECK_FALSE(format_canonical_event(view, fast));
        const FormattedEvent formatted = format_event(view);
        CHECK(formatted.sendable());
        CHECK(formatted.json == format_event_with_dom(view).json);
    }
}

TEST_CASE("strings are written with RapidJSON's escapes")
{
    std::string out;
    append_json_string(out, std::string("a\"b\\c\n\x01\x1f\x7f/\xC3\xA9", 12));
    CHECK(out == "\"a\\\"b\\\\c\\n\\u0001\\u001F\x7f/\xC3\xA9\"");
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String("a\"b\\c\n\x01\x1f\x7f/\xC3\xA9", 12);
    CHECK(out == buffer.GetString());
}
