// The Amplitude formatter: product-spec §3's mapping and providers.md §1's wire rules, no network.
#include "amplitude_config.hpp"
#include "amplitude_format.hpp"
#include "amplitude_test_support.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace productgraph::amplitude;
using namespace productgraph::amplitude::testing;

namespace {

// Formats `event` and parses the result, failing the test when it was rejected.
rapidjson::Document formatted(const OwnedEvent &event)
{
    const FormattedEvent out = format_event(event.view());
    INFO("reject reason: " << out.reject_reason);
    REQUIRE(out.sendable());
    rapidjson::Document document = parse(out.json);
    REQUIRE(document.IsObject());
    return document;
}

std::string repeated(const std::string &piece, std::size_t times)
{
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += piece;
    return out;
}

}  // namespace

TEST_CASE("the product-spec example becomes the documented Amplitude event with its wire fields")
{
    const rapidjson::Document event = formatted(spec_example());
    CHECK(member_names(event) == std::vector<std::string>{"event_type", "user_id", "time", "insert_id", "session_id",
                                                          "ip", "user_agent", "event_properties"});
    CHECK(std::string(event["event_type"].GetString()) == "signup_button_clicked");
    CHECK(std::string(event["user_id"].GetString()) == "user-123");
    CHECK(event["time"].GetInt64() == 1705314615000);
    CHECK(std::string(event["insert_id"].GetString()) == "evt_100");
    // FNV-1a 64 of "sess-abc" masked to 53 bits, computed independently.
    CHECK(event["session_id"].GetInt64() == 4356024399716990);
    CHECK(std::string(event["ip"].GetString()) == "203.0.113.7");
    CHECK(std::string(event["user_agent"].GetString()) == "Mozilla/5.0 (X11; Linux x86_64)");

    const auto &properties = event["event_properties"];
    CHECK(member_names(properties) == std::vector<std::string>{"page_path", "component_name", "action"});
    CHECK(std::string(properties["page_path"].GetString()) == "/signup");
    CHECK(std::string(properties["component_name"].GetString()) == "SignupButton");
    CHECK(std::string(properties["action"].GetString()) == "click");
}

TEST_CASE("every event type without event.name gets its name from the Amplitude mapping table")
{
    const std::vector<std::pair<std::string, std::string>> table = {
        {"page.view", "Page View"},     {"page.leave", "Page Leave"},     {"ui.click", "User Action"},
        {"ui.input", "User Action"},    {"ui.scroll", "User Action"},     {"ui.focus", "User Action"},
        {"ui.blur", "User Action"},     {"ui.submit", "User Action"},     {"state.change", "State Change"},
        {"api.request", "API Request"}, {"api.response", "API Response"}, {"journey.step", "Journey Event"},
        {"error", "Error Event"},       {"performance", "Performance"},   {"custom", "Custom Event"},
    };
    CHECK(table.size() == 15);
    for (const auto &[type, name] : table) {
        CAPTURE(type);
        OwnedEvent event;
        event.type = type;
        event.user_id = "user-1";
        event.canonical();
        CHECK(std::string(formatted(event)["event_type"].GetString()) == name);
    }
}

TEST_CASE("event.name is the Amplitude event_type whatever the type")
{
    OwnedEvent event;
    event.type = "page.view";
    event.name = "Pricing Viewed";
    event.user_id = "user-1";
    event.canonical();
    CHECK(std::string(formatted(event)["event_type"].GetString()) == "Pricing Viewed");
}

TEST_CASE("every field of the spec property map gets its documented property name and keeps its value")
{
    const std::vector<std::pair<std::string, std::string>> fields = {
        {"page.path", R"("/p")"},
        {"page.title", R"("Title")"},
        {"page.url", R"("https://example.com/p")"},
        {"page.referrer", R"("https://example.org/")"},
        {"ui.component.name", R"("Button")"},
        {"ui.component.path", R"("App/Form/Button")"},
        {"ui.component.type", R"("button")"},
        {"ui.action", R"("click")"},
        {"ui.element", R"("#signup")"},
        {"ui.element.text", R"("Sign up")"},
        {"ui.viewport", R"("1280x720")"},
        {"ui.scroll.position", "0.75"},
        {"ui.state.key", R"("plan")"},
        {"ui.state.before", R"("free")"},
        {"ui.state.after", R"("pro")"},
        {"ui.state.change_type", R"("upgrade")"},
        {"gen_ai.journey.id", R"("j-1")"},
        {"gen_ai.journey.step.id", R"("s-2")"},
        {"gen_ai.journey.step.name", R"("checkout")"},
        {"gen_ai.journey.conversion.status", R"("converted")"},
        {"api.method", R"("POST")"},
        {"api.path", R"("/v1/x")"},
        {"api.status_code", "201"},
        {"api.duration_ms", "42"},
        {"error.type", R"("TypeError")"},
        {"error.message", R"("x is undefined")"},
        {"error.stack", R"("at f app.js:1")"},
        {"error.component", R"("Cart")"},
        {"performance.lcp_ms", "1234.5"},
        {"performance.fid_ms", "12"},
        {"performance.cls", "0.05"},
        {"performance.ttfb_ms", "80"},
        {"snapshot.url", R"("https://example.com/s.png")"},
        {"snapshot.viewport", R"("390x844")"},
        {"duration_ms", "3000"},
        {"org.id", R"("org-9")"},
        {"event.sequence", "7"},
    };
    const std::map<std::string, std::string> expected_names = {
        {"page.path", "page_path"},
        {"page.title", "page_title"},
        {"page.url", "page_url"},
        {"page.referrer", "page_referrer"},
        {"ui.component.name", "component_name"},
        {"ui.component.path", "component_path"},
        {"ui.component.type", "component_type"},
        {"ui.action", "action"},
        {"ui.element", "element"},
        {"ui.element.text", "element_text"},
        {"ui.viewport", "viewport"},
        {"ui.scroll.position", "scroll_position"},
        {"ui.state.key", "state_key"},
        {"ui.state.before", "state_before"},
        {"ui.state.after", "state_after"},
        {"ui.state.change_type", "state_change_type"},
        {"gen_ai.journey.id", "journey_id"},
        {"gen_ai.journey.step.id", "journey_step_id"},
        {"gen_ai.journey.step.name", "journey_step_name"},
        {"gen_ai.journey.conversion.status", "journey_conversion_status"},
        {"api.method", "api_method"},
        {"api.path", "api_path"},
        {"api.status_code", "api_status_code"},
        {"api.duration_ms", "api_duration_ms"},
        {"error.type", "error_type"},
        {"error.message", "error_message"},
        {"error.stack", "error_stack"},
        {"error.component", "error_component"},
        {"performance.lcp_ms", "lcp_ms"},
        {"performance.fid_ms", "fid_ms"},
        {"performance.cls", "cls"},
        {"performance.ttfb_ms", "ttfb_ms"},
        {"snapshot.url", "snapshot_url"},
        {"snapshot.viewport", "snapshot_viewport"},
        {"duration_ms", "duration_ms"},
        {"org.id", "org_id"},
        {"event.sequence", "event_sequence"},
    };
    std::string extra;
    for (const auto &[field, value] : fields) extra += ",\"" + field + "\":" + value;
    OwnedEvent event;
    event.user_id = "user-1";
    event.canonical(extra);

    const rapidjson::Document out = formatted(event);
    const auto &properties = out["event_properties"];
    CHECK(properties.MemberCount() == fields.size());
    for (const auto &[field, value] : fields) {
        CAPTURE(field);
        const std::string &name = expected_names.at(field);
        REQUIRE(properties.HasMember(name.c_str()));
        // Values travel unchanged: the property re-serialises to the text that was sent.
        const rapidjson::Document sent = parse(value);
        CHECK(properties[name.c_str()] == sent);
    }
    CHECK(properties["api_status_code"].IsInt64());
    CHECK(properties["cls"].IsDouble());
}

TEST_CASE("wire fields travel at the top level and never among the event properties")
{
    OwnedEvent event;
    event.type = "ui.click";
    event.name = "Clicked";
    event.user_id = "user-1";
    event.device_id = "device-1";
    event.canonical(R"(,"product_id":"proj_alias","page.path":"/x")");
    const rapidjson::Document out = formatted(event);
    CHECK(member_names(out["event_properties"]) == std::vector<std::string>{"page_path"});
}

TEST_CASE("metadata keys are merged into the event properties as they are and an event field wins a clash")
{
    OwnedEvent event;
    event.user_id = "user-1";
    event.canonical(R"(,"page.path":"/pricing","metadata":{"plan":"pro","seats":3,"nested.key":{"a":[1,2]},)"
                    R"("page_path":"/from-metadata","flag":true})"
                    R"(,"ui.action":"click")");
    const FormattedEvent out = format_event(event.view());
    REQUIRE(out.sendable());
    const rapidjson::Document document = parse(out.json);
    const auto &properties = document["event_properties"];
    CHECK(member_names(properties) ==
          std::vector<std::string>{"page_path", "action", "plan", "seats", "nested.key", "flag"});
    CHECK(std::string(properties["page_path"].GetString()) == "/pricing");
    CHECK(properties["seats"].GetInt() == 3);
    CHECK(properties["nested.key"]["a"][1].GetInt() == 2);
    CHECK(properties["flag"].GetBool());
    REQUIRE(out.notes.size() == 1);
    CHECK(out.notes[0].find("metadata key page_path") != std::string::npos);
}

TEST_CASE("fields outside the spec are preserved under their mapped names")
{
    OwnedEvent event;
    event.user_id = "user-1";
    event.canonical(R"(,"experiment.variant":"B","cart":{"items":[{"sku":"a"}]})");
    const rapidjson::Document out = formatted(event);
    const auto &properties = out["event_properties"];
    CHECK(std::string(properties["experiment_variant"].GetString()) == "B");
    CHECK(std::string(properties["cart"]["items"][0]["sku"].GetString()) == "a");
}

TEST_CASE("an event without properties carries no event_properties member")
{
    OwnedEvent event;
    event.user_id = "user-1";
    event.canonical();
    CHECK_FALSE(formatted(event).HasMember("event_properties"));
}

TEST_CASE("an anonymous event takes its device_id from session.id")
{
    OwnedEvent event;
    event.session_id = "sess_abc123";
    event.canonical();
    const rapidjson::Document out = formatted(event);
    CHECK_FALSE(out.HasMember("user_id"));
    CHECK(std::string(out["device_id"].GetString()) == "sess_abc123");
    CHECK(out["session_id"].GetInt64() == 2435253262168548);
}

TEST_CASE("device.id becomes device_id next to a known user")
{
    OwnedEvent event;
    event.user_id = "user-1";
    event.device_id = "device-abcdef-0001";
    event.canonical();
    const rapidjson::Document out = formatted(event);
    CHECK(std::string(out["user_id"].GetString()) == "user-1");
    CHECK(std::string(out["device_id"].GetString()) == "device-abcdef-0001");
}

TEST_CASE("a known user without device.id is sent without a device_id")
{
    OwnedEvent event;
    event.user_id = "user-1";
    event.canonical();
    CHECK_FALSE(formatted(event).HasMember("device_id"));
}

TEST_CASE("placeholder user ids are treated as absent")
{
    const std::vector<std::string> placeholders = {
        "anonymous", "nil", "none",   "null", "n/a", "na",   "undefined", "unknown",
        "\"\"",      "{}",  "lmy47d", "0",    "-1",  "NULL", "Undefined", "00000000-0000-0000-0000-000000000000"};
    for (const std::string &placeholder : placeholders) {
        CAPTURE(placeholder);
        CHECK(is_placeholder_id(placeholder));
        OwnedEvent event;
        event.user_id = placeholder;
        event.session_id = "sess-9";
        event.json = R"({"event_id":"e","event.type":"custom","session.id":"sess-9"})";
        const rapidjson::Document out = formatted(event);
        CHECK_FALSE(out.HasMember("user_id"));
        CHECK(std::string(out["device_id"].GetString()) == "sess-9");
    }
    CHECK_FALSE(is_placeholder_id("user-0"));
    CHECK_FALSE(is_placeholder_id("nobody"));
    CHECK(is_placeholder_id(""));
}

TEST_CASE("a placeholder device.id falls back to session.id")
{
    OwnedEvent event;
    event.device_id = "00000000-0000-0000-0000-000000000000";
    event.session_id = "sess-7";
    event.canonical();
    CHECK(std::string(formatted(event)["device_id"].GetString()) == "sess-7");
}

TEST_CASE("an event with no usable user device or session id is rejected with a reason")
{
    OwnedEvent event;
    event.user_id = "null";
    event.session_id = "unknown";
    event.canonical();
    const FormattedEvent out = format_event(event.view());
    CHECK_FALSE(out.sendable());
    CHECK(out.json.empty());
    CHECK(out.reject_reason.find("no usable user.id") != std::string::npos);
}

TEST_CASE("an all-digit session id is sent as that number")
{
    CHECK(session_number("1767225000000") == 1767225000000);
    CHECK(session_number("0012") == 12);
    CHECK(session_number("9223372036854775807") == 9223372036854775807);
    OwnedEvent event;
    event.user_id = "user-1";
    event.session_id = "1767225000000";
    event.canonical();
    CHECK(formatted(event)["session_id"].GetInt64() == 1767225000000);
}

TEST_CASE("a string session id is sent as a stable hash that JavaScript can hold")
{
    CHECK(session_number("sess-abc") == 4356024399716990);
    CHECK(session_hash("sess-abc") == 4356024399716990);
    CHECK(session_number("s1") == 7035808015503689);
    CHECK(session_number("sess-abc") == session_number("sess-abc"));
    CHECK(session_number("sess-abc") != session_number("sess-abd"));
    // Digits too long for an int64, and digits mixed with other characters, are hashed.
    CHECK(session_number("9223372036854775808") == session_hash("9223372036854775808"));
    CHECK(session_number("12a") == session_hash("12a"));
    constexpr std::int64_t max_safe = (std::int64_t{1} << 53) - 1;
    for (int i = 0; i < 1000; ++i) {
        const std::int64_t hash = session_hash("session-" + std::to_string(i));
        CHECK(hash >= 1);
        CHECK(hash <= max_safe);
    }
    CHECK(session_number("") == -1);
}

TEST_CASE("time is the event timestamp in milliseconds and insert_id is the event_id on every call")
{
    OwnedEvent event;
    event.event_id = "ins-7f3e9c2a-0001";
    event.user_id = "user-1";
    event.timestamp_ms = 1767225600123;
    event.canonical();
    const FormattedEvent first = format_event(event.view());
    const FormattedEvent second = format_event(event.view());
    CHECK(first.json == second.json);
    const rapidjson::Document out = parse(first.json);
    CHECK(out["time"].GetInt64() == 1767225600123);
    CHECK(std::string(out["insert_id"].GetString()) == "ins-7f3e9c2a-0001");
}

TEST_CASE("ip and user_agent are left out when the request had none")
{
    OwnedEvent event;
    event.user_id = "user-1";
    event.client_ip.clear();
    event.user_agent.clear();
    event.canonical();
    const rapidjson::Document out = formatted(event);
    CHECK_FALSE(out.HasMember("ip"));
    CHECK_FALSE(out.HasMember("user_agent"));
}

TEST_CASE("truncated_size keeps at most the given number of characters at a UTF-8 boundary")
{
    CHECK(truncated_size("abc", 5) == 3);
    CHECK(truncated_size("abcdef", 3) == 3);
    CHECK(truncated_size("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == 4);  // é é é
    CHECK(truncated_size("a\xE2\x82\xAC"
                         "b",
                         2) == 4);                                      // a € b
    CHECK(truncated_size("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 1) == 4);  // two emoji
    CHECK(truncated_size("", 0) == 0);
}

TEST_CASE("strings over 1024 characters are cut at a UTF-8 boundary with a note and shorter ones are kept")
{
    const std::string accented = repeated("\xC3\xA9", 1100);  // 1100 characters, 2200 bytes
    const std::string exact = repeated("x", 1024);
    OwnedEvent event;
    event.user_id = repeated("u", 1500);
    event.canonical(R"(,"error.stack":")" + accented + R"(","page.title":")" + exact + R"(","tags":["short",")" +
                    repeated("t", 2000) + R"("])");
    const FormattedEvent out = format_event(event.view());
    REQUIRE(out.sendable());
    const rapidjson::Document document = parse(out.json);
    REQUIRE(document.IsObject());
    CHECK(document["user_id"].GetStringLength() == 1024);
    CHECK(out.user_id.size() == 1024);
    const auto &properties = document["event_properties"];
    CHECK(std::string(properties["error_stack"].GetString()) == repeated("\xC3\xA9", 1024));
    CHECK(std::string(properties["page_title"].GetString()) == exact);
    CHECK(properties["tags"][1].GetStringLength() == 1024);
    CHECK(std::string(properties["tags"][0].GetString()) == "short");

    REQUIRE(out.notes.size() == 3);
    CHECK(out.notes[0].find("user_id cut to 1024 characters") != std::string::npos);
    CHECK(out.notes[1].find("event_properties.error_stack") != std::string::npos);
    CHECK(out.notes[2].find("event_properties.tags") != std::string::npos);
}

TEST_CASE("the request body holds api_key then events then options.min_id_length")
{
    const std::vector<OwnedEvent> events = numbered_events("e", 3);
    std::vector<FormattedEvent> formatted_events;
    for (const OwnedEvent &event : events) formatted_events.push_back(format_event(event.view()));
    const RequestEnvelope envelope("AMP_TEST_API_KEY_0123456789abcdef", 1);
    const std::vector<std::size_t> indexes = {2, 0};
    const std::string body = envelope.body(formatted_events, indexes);
    const rapidjson::Document document = parse(body);
    REQUIRE(document.IsObject());
    CHECK(member_names(document) == std::vector<std::string>{"api_key", "events", "options"});
    CHECK(std::string(document["api_key"].GetString()) == "AMP_TEST_API_KEY_0123456789abcdef");
    REQUIRE(document["events"].Size() == 2);
    CHECK(std::string(document["events"][0]["insert_id"].GetString()) == "e2");
    CHECK(std::string(document["events"][1]["insert_id"].GetString()) == "e0");
    CHECK(document["options"]["min_id_length"].GetInt() == 1);
    CHECK(envelope.body_size(formatted_events[2].json.size() + formatted_events[0].json.size(), 2) == body.size());
}

TEST_CASE("a key with quotes is escaped in the request body")
{
    const RequestEnvelope envelope("k\"ey\\", 5);
    const std::string body = envelope.body({}, {});
    const rapidjson::Document document = parse(body);
    REQUIRE(document.IsObject());
    CHECK(std::string(document["api_key"].GetString()) == "k\"ey\\");
    CHECK(document["options"]["min_id_length"].GetInt() == 5);
}

TEST_CASE("requests are split at 2000 events")
{
    const std::vector<OwnedEvent> events = numbered_events("e", 4500);
    std::vector<FormattedEvent> formatted_events;
    std::vector<std::size_t> all;
    for (std::size_t i = 0; i < events.size(); ++i) {
        formatted_events.push_back(format_event(events[i].view()));
        all.push_back(i);
    }
    const RequestEnvelope envelope("key", 1);
    const RequestPlan plan = plan_requests(formatted_events, all, envelope, limits_of(Api::httpapi));
    CHECK(plan.too_large.empty());
    REQUIRE(plan.requests.size() == 3);
    CHECK(plan.requests[0].size() == 2000);
    CHECK(plan.requests[1].size() == 2000);
    CHECK(plan.requests[2].size() == 500);
    CHECK(plan.requests[0].front() == 0);
    CHECK(plan.requests[2].back() == 4499);
}

TEST_CASE("requests are split before their body reaches 1000000 bytes")
{
    // Events of about 30 KB: 33 fit under the limit, the 34th would not.
    std::string tags;
    for (int k = 0; k < 29; ++k) tags += (k ? ",\"" : "\"") + repeated("y", 1000) + "\"";
    std::vector<OwnedEvent> events = numbered_events("big", 100);
    for (OwnedEvent &event : events)
        event.canonical(R"(,"page.title":")" + repeated("x", 1000) + R"(","tags":[)" + tags + "]");
    std::vector<FormattedEvent> formatted_events;
    std::vector<std::size_t> all;
    for (std::size_t i = 0; i < events.size(); ++i) {
        formatted_events.push_back(format_event(events[i].view()));
        REQUIRE(formatted_events.back().sendable());
        all.push_back(i);
    }
    const RequestEnvelope envelope("key", 1);
    const RequestLimits limits = limits_of(Api::httpapi);
    const RequestPlan plan = plan_requests(formatted_events, all, envelope, limits);
    REQUIRE(plan.requests.size() > 1);
    std::size_t total = 0;
    for (std::size_t r = 0; r < plan.requests.size(); ++r) {
        const std::string body = envelope.body(formatted_events, plan.requests[r]);
        CHECK(body.size() < 1'000'000);
        CHECK(parse(body).IsObject());
        total += plan.requests[r].size();
        if (r + 1 < plan.requests.size()) {
            // The next event would have pushed this request to the limit.
            std::vector<std::size_t> grown = plan.requests[r];
            grown.push_back(plan.requests[r + 1].front());
            CHECK(envelope.body(formatted_events, grown).size() >= 1'000'000);
        }
    }
    CHECK(total == 100);
}

TEST_CASE("a body exactly at the byte limit is split because the limit is exclusive")
{
    const std::vector<OwnedEvent> events = numbered_events("e", 2);
    std::vector<FormattedEvent> formatted_events;
    for (const OwnedEvent &event : events) formatted_events.push_back(format_event(event.view()));
    const RequestEnvelope envelope("key", 1);
    const std::vector<std::size_t> both = {0, 1};
    const std::size_t exact = envelope.body(formatted_events, both).size();
    CHECK(plan_requests(formatted_events, both, envelope, RequestLimits{2000, exact}).requests.size() == 2);
    CHECK(plan_requests(formatted_events, both, envelope, RequestLimits{2000, exact + 1}).requests.size() == 1);
}

TEST_CASE("an event too large for any request is reported apart and the others are still packed")
{
    std::vector<OwnedEvent> events = numbered_events("e", 3);
    std::vector<FormattedEvent> formatted_events;
    for (const OwnedEvent &event : events) formatted_events.push_back(format_event(event.view()));
    formatted_events[1].json = R"({"event_type":")" + repeated("z", 2000) + R"("})";
    const RequestEnvelope envelope("key", 1);
    const std::vector<std::size_t> all = {0, 1, 2};
    const RequestPlan plan = plan_requests(formatted_events, all, envelope, RequestLimits{2000, 1000});
    CHECK(plan.too_large == std::vector<std::size_t>{1});
    REQUIRE(plan.requests.size() == 1);
    CHECK(plan.requests[0] == std::vector<std::size_t>{0, 2});
}
