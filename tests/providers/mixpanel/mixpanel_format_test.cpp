// Mixpanel event objects and request bodies: product-spec §3 and providers.md §2.3–§2.4.
#include <doctest/doctest.h>

#include "host_events.hpp"
#include "mixpanel_format.hpp"
#include "mixpanel_gzip.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace productgraph::mixpanel;
using productgraph::testing::HostEvent;
using productgraph::testing::simple_event;

namespace {

// The formatted event parsed back; fails the test when formatting fails.
rapidjson::Document formatted(const HostEvent &event, const FormatOptions &options = {})
{
    const pgraph_event view = event.view();
    const auto out = format_event(view, options);
    REQUIRE(out.has_value());
    rapidjson::Document document;
    document.Parse(out->json.data(), out->json.size());
    REQUIRE_FALSE(document.HasParseError());
    REQUIRE(document.IsObject());
    return document;
}

std::set<std::string> property_names(const rapidjson::Document &document)
{
    std::set<std::string> names;
    for (const auto &member : document["properties"].GetObject()) names.emplace(member.name.GetString());
    return names;
}

std::string text(const rapidjson::Document &document, const char *property)
{
    const auto &properties = document["properties"];
    REQUIRE(properties.HasMember(property));
    REQUIRE(properties[property].IsString());
    return properties[property].GetString();
}

bool has(const rapidjson::Document &document, const char *property)
{
    return document["properties"].HasMember(property);
}

bool uuid_shaped(const std::string &id)
{
    if (id.size() != 36) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? id[i] != '-' : std::string_view("0123456789abcdef").find(id[i]) == std::string_view::npos) {
            return false;
        }
    }
    return true;
}

const char *const spec_example =
    R"({"event_id":"evt_100","project_id":"proj_demo","event.timestamp":"2024-01-15T10:30:15Z",)"
    R"("event.type":"ui.click","event.name":"signup_button_clicked","user.id":"user-123",)"
    R"("session.id":"sess-abc","page.path":"/signup","ui.component.name":"SignupButton",)"
    R"("ui.action":"click"})";

}  // namespace

TEST_CASE("the product spec example becomes the documented Mixpanel event plus its wire fields")
{
    const auto document = formatted(HostEvent::from_json(spec_example));

    std::set<std::string> top;
    for (const auto &member : document.GetObject()) top.emplace(member.name.GetString());
    CHECK(top == std::set<std::string>{"event", "properties"});
    CHECK(std::string(document["event"].GetString()) == "signup_button_clicked");

    CHECK(property_names(document) == std::set<std::string>{"distinct_id", "$user_id", "$insert_id", "time", "ip",
                                                            "session_id", "page_path", "component_name", "action"});
    CHECK(text(document, "distinct_id") == "user-123");
    CHECK(text(document, "$user_id") == "user-123");
    CHECK(text(document, "session_id") == "sess-abc");
    CHECK(text(document, "page_path") == "/signup");
    CHECK(text(document, "component_name") == "SignupButton");
    CHECK(text(document, "action") == "click");
    CHECK(text(document, "ip") == "203.0.113.7");
    CHECK(document["properties"]["time"].GetInt64() == 1705314615000);
    // evt_100 holds '_', which $insert_id does not allow.
    CHECK(text(document, "$insert_id") == hashed_insert_id("evt_100"));
}

TEST_CASE("every event type without a name gets its Mixpanel name and only page views are not Track")
{
    const std::vector<std::string> types = {"page.view",    "page.leave",   "ui.click",  "ui.input",     "ui.scroll",
                                            "ui.focus",     "ui.blur",      "ui.submit", "state.change", "api.request",
                                            "api.response", "journey.step", "error",     "performance",  "custom"};
    for (const std::string &type : types) {
        CAPTURE(type);
        const auto document =
            formatted(HostEvent::from_json(R"({"event_id":"e1","project_id":"p","session.id":"s","event.type":")" +
                                           type + R"(","event.timestamp":"2024-01-15T10:30:15Z"})"));
        CHECK(std::string(document["event"].GetString()) == (type == "page.view" ? "Page View" : "Track"));
    }
}

TEST_CASE("every documented field becomes its snake case property with its value and type kept")
{
    const auto document = formatted(HostEvent::from_json(
        R"({"event_id":"e1","project_id":"p","session.id":"s","event.type":"custom","event.timestamp":"2024-01-15T10:30:15Z",)"
        R"("user.id":"u1","device.id":"d1","org.id":"org-1","event.name":"N","event.sequence":7,)"
        R"("page.path":"/a","page.title":"T","page.url":"https://x/a","page.referrer":"https://r",)"
        R"("ui.component.name":"C","ui.component.path":"A/B/C","ui.component.type":"button","ui.action":"click",)"
        R"("ui.element":"el","ui.element.text":"Go","ui.viewport":"1280x720","ui.scroll.position":0.5,)"
        R"("ui.state.key":"k","ui.state.before":"b","ui.state.after":"a","ui.state.change_type":"set",)"
        R"("gen_ai.journey.id":"j","gen_ai.journey.step.id":"js","gen_ai.journey.step.name":"jn",)"
        R"("gen_ai.journey.conversion.status":"converted","api.method":"GET","api.path":"/v1/x",)"
        R"("api.status_code":200,"api.duration_ms":12,"error.type":"TypeError","error.message":"boom",)"
        R"("error.stack":"at x","error.component":"Widget","performance.lcp_ms":1200.5,"performance.fid_ms":8,)"
        R"("performance.cls":0.02,"performance.ttfb_ms":90,"snapshot.url":"https://s","snapshot.viewport":"800x600",)"
        R"("duration_ms":3000})"));

    const std::vector<std::pair<std::string, std::string>> strings = {
        {"org_id", "org-1"},
        {"page_path", "/a"},
        {"page_title", "T"},
        {"page_url", "https://x/a"},
        {"page_referrer", "https://r"},
        {"component_name", "C"},
        {"component_path", "A/B/C"},
        {"component_type", "button"},
        {"action", "click"},
        {"element", "el"},
        {"element_text", "Go"},
        {"viewport", "1280x720"},
        {"state_key", "k"},
        {"state_before", "b"},
        {"state_after", "a"},
        {"state_change_type", "set"},
        {"journey_id", "j"},
        {"journey_step_id", "js"},
        {"journey_step_name", "jn"},
        {"journey_conversion_status", "converted"},
        {"api_method", "GET"},
        {"api_path", "/v1/x"},
        {"error_type", "TypeError"},
        {"error_message", "boom"},
        {"error_stack", "at x"},
        {"error_component", "Widget"},
        {"snapshot_url", "https://s"},
        {"snapshot_viewport", "800x600"},
    };
    for (const auto &[name, value] : strings) {
        CAPTURE(name);
        CHECK(text(document, name.c_str()) == value);
    }
    const auto &properties = document["properties"];
    CHECK(properties["event_sequence"].GetInt() == 7);
    CHECK(properties["scroll_position"].GetDouble() == doctest::Approx(0.5));
    CHECK(properties["api_status_code"].GetInt() == 200);
    CHECK(properties["api_duration_ms"].GetInt() == 12);
    CHECK(properties["lcp_ms"].GetDouble() == doctest::Approx(1200.5));
    CHECK(properties["fid_ms"].GetInt() == 8);
    CHECK(properties["cls"].GetDouble() == doctest::Approx(0.02));
    CHECK(properties["ttfb_ms"].GetInt() == 90);
    CHECK(properties["duration_ms"].GetInt() == 3000);
    CHECK(std::string(document["event"].GetString()) == "N");

    // The wire fields travel as Mixpanel's own properties, never a second time.
    for (const char *field :
         {"event_id", "project_id", "product_id", "session.id", "user.id", "device.id", "event.type", "event.name",
          "event.timestamp", "metadata", "event_type", "event_name", "user_id", "device_id", "event_timestamp"}) {
        CAPTURE(field);
        CHECK_FALSE(has(document, field));
    }
    CHECK(text(document, "$device_id") == "d1");
    CHECK(text(document, "$user_id") == "u1");
    CHECK(text(document, "distinct_id") == "u1");
}

TEST_CASE("unknown fields are preserved under their property name and null fields are left out")
{
    const auto document = formatted(
        simple_event("e1", R"(,"campaign.source":"mail","page.title":null,"flags":[1,2],"nested":{"a":{"b":1}})"));
    CHECK(text(document, "campaign_source") == "mail");
    CHECK_FALSE(has(document, "page_title"));
    CHECK(document["properties"]["flags"].IsArray());
    CHECK(document["properties"]["nested"]["a"]["b"].GetInt() == 1);
}

TEST_CASE("metadata keys are merged in as they are and never replace a wire field or a documented property")
{
    const auto document = formatted(simple_event(
        "e1", R"(,"user.id":"u1","page.path":"/real","metadata":{"plan":"pro","seats":3,"tags":["a","b"],)"
              R"("nested":{"x":null},"distinct_id":"spoofed","time":1,"page_path":"/meta","$insert_id":"other"})"));
    CHECK(text(document, "plan") == "pro");
    CHECK(document["properties"]["seats"].GetInt() == 3);
    CHECK(document["properties"]["tags"].Size() == 2);
    CHECK(document["properties"]["nested"]["x"].IsNull());
    CHECK(text(document, "distinct_id") == "u1");
    CHECK(document["properties"]["time"].GetInt64() == 1705314615000);
    CHECK(text(document, "page_path") == "/real");
    CHECK(text(document, "$insert_id") == "e1");
    CHECK_FALSE(has(document, "metadata"));
}

TEST_CASE("an anonymous event with a device id uses it as distinct id and device id")
{
    const auto document = formatted(simple_event("e1", R"(,"device.id":"device-anon-0002")"));
    CHECK(text(document, "distinct_id") == "device-anon-0002");
    CHECK(text(document, "$device_id") == "device-anon-0002");
    CHECK_FALSE(has(document, "$user_id"));
}

TEST_CASE("an event with neither user nor device id uses the session id as device and distinct id")
{
    const auto document = formatted(simple_event("e1"));
    CHECK(text(document, "distinct_id") == "s1");
    CHECK(text(document, "$device_id") == "s1");
    CHECK(text(document, "session_id") == "s1");
    CHECK_FALSE(has(document, "$user_id"));
}

TEST_CASE("an identified event with a device id links both and keeps the user as distinct id")
{
    const auto document = formatted(simple_event("e1", R"(,"user.id":"user-12345","device.id":"device-abcdef-0001")"));
    CHECK(text(document, "distinct_id") == "user-12345");
    CHECK(text(document, "$user_id") == "user-12345");
    CHECK(text(document, "$device_id") == "device-abcdef-0001");
}

TEST_CASE("placeholder ids Mixpanel refuses are never sent as distinct id")
{
    for (const std::string placeholder : {"anonymous", "NULL", "0", "-1", "undefined", "n/a", "<nil>", "None",
                                          "00000000-0000-0000-0000-000000000000", "false", "[]"}) {
        CAPTURE(placeholder);
        CHECK(is_rejected_id(placeholder));
        const auto with_device =
            formatted(simple_event("e1", R"(,"user.id":")" + placeholder + R"(","device.id":"dev-1")"));
        CHECK(text(with_device, "distinct_id") == "dev-1");
        CHECK_FALSE(has(with_device, "$user_id"));

        const auto without_device = formatted(simple_event("e1", R"(,"user.id":")" + placeholder + R"(")"));
        CHECK(text(without_device, "distinct_id") == "s1");

        const auto placeholder_device = formatted(simple_event("e1", R"(,"device.id":")" + placeholder + R"(")"));
        CHECK(text(placeholder_device, "distinct_id") == "s1");
        CHECK(text(placeholder_device, "$device_id") == "s1");
    }
    // Every id a placeholder: the empty distinct_id Mixpanel allows, never a refused one.
    const auto nothing_usable = formatted(HostEvent::from_json(
        R"({"event_id":"e1","project_id":"p","session.id":"null","user.id":"anon","device.id":"unknown",)"
        R"("event.type":"custom","event.timestamp":"2024-01-15T10:30:15Z"})"));
    CHECK(text(nothing_usable, "distinct_id").empty());
    CHECK_FALSE(has(nothing_usable, "$device_id"));
    CHECK_FALSE(is_rejected_id("user-0"));
}

TEST_CASE("event ids that are valid insert ids travel unchanged")
{
    for (const std::string &id : std::vector<std::string>{
             "ins-7f3e9c2a-0001", "ABC123", "r0", "29fc2962-6d9c-455d-95ad-95b84f09b9e4", std::string(36, 'a')}) {
        CAPTURE(id);
        CHECK(is_valid_insert_id(id));
        CHECK(insert_id_for(id) == id);
        CHECK(text(formatted(simple_event(id)), "$insert_id") == id);
    }
}

TEST_CASE("event ids that are not valid insert ids become a stable uuid shaped hash")
{
    const std::vector<std::string> invalid = {"evt_100", "a.b",         "x:y", std::string(37, 'a'), "null", "0",
                                              "-1",      "caf\xc3\xa9", "",    "has space"};
    std::set<std::string> seen;
    for (const std::string &id : invalid) {
        CAPTURE(id);
        CHECK_FALSE(is_valid_insert_id(id));
        const std::string hashed = insert_id_for(id);
        CHECK(hashed == hashed_insert_id(id));
        CHECK(hashed == insert_id_for(std::string(id)));  // the same id, the same insert id
        CHECK(uuid_shaped(hashed));
        CHECK(hashed[14] == '8');                                                    // version 8
        CHECK(std::string_view("89ab").find(hashed[19]) != std::string_view::npos);  // variant 10
        CHECK(is_valid_insert_id(hashed));
        seen.insert(hashed);
    }
    CHECK(seen.size() == invalid.size());
    // Pinned: the hash is part of the wire contract (dedup across restarts and releases).
    CHECK(hashed_insert_id("evt_100") == "53722bf4-7f4f-878d-969c-46656e619362");
    CHECK(hashed_insert_id("") == "6c62272e-07bb-8142-a2b8-21756295c58d");
}

TEST_CASE("properties beyond 254 are dropped and reported while wire fields always stay")
{
    std::string metadata = R"(,"user.id":"u1","page.path":"/p","metadata":{)";
    for (int i = 0; i < 300; ++i)
        metadata += (i ? "," : "") + std::string("\"m") + std::to_string(i) + "\":" + std::to_string(i);
    metadata += "}";
    const HostEvent event = simple_event("e1", metadata);
    const pgraph_event view = event.view();
    const auto out = format_event(view, {});
    REQUIRE(out.has_value());
    rapidjson::Document document;
    document.Parse(out->json.c_str());
    const auto &properties = document["properties"];
    CHECK(properties.MemberCount() == max_properties_per_event);
    for (const char *wire : {"distinct_id", "$user_id", "$insert_id", "time", "ip", "session_id", "page_path"}) {
        CAPTURE(wire);
        CHECK(properties.HasMember(wire));
    }
    // 7 wire and documented properties first, then m0..m246 fit, m247..m299 do not.
    CHECK(properties.HasMember("m246"));
    CHECK_FALSE(properties.HasMember("m247"));
    REQUIRE(out->dropped_properties.size() == 53);
    CHECK(out->dropped_properties.front() == "m247");
    CHECK(out->dropped_properties.back() == "m299");
}

TEST_CASE("an event with exactly 254 properties loses nothing")
{
    std::string metadata = R"(,"user.id":"u1","metadata":{)";
    for (int i = 0; i < 248; ++i) metadata += (i ? "," : "") + std::string("\"m") + std::to_string(i) + "\":1";
    metadata += "}";
    const HostEvent event = simple_event("e1", metadata);
    const pgraph_event view = event.view();
    const auto out = format_event(view, {});
    REQUIRE(out.has_value());
    CHECK(out->dropped_properties.empty());
    rapidjson::Document document;
    document.Parse(out->json.c_str());
    CHECK(document["properties"].MemberCount() == 254);
}

TEST_CASE("track mode puts the project token in every event and import mode never does")
{
    const HostEvent event = simple_event("e1", R"(,"user.id":"u1")");
    const auto tracked = formatted(event, FormatOptions{ApiMode::track, "mp-token"});
    CHECK(text(tracked, "token") == "mp-token");
    const auto imported = formatted(event, FormatOptions{ApiMode::import, "mp-token"});
    CHECK_FALSE(has(imported, "token"));
    // A "token" field of the event itself never replaces the project token.
    const auto spoofed =
        formatted(simple_event("e1", R"(,"metadata":{"token":"other"})"), FormatOptions{ApiMode::track, "mp-token"});
    CHECK(text(spoofed, "token") == "mp-token");
}

TEST_CASE("the ip property is the client ip and 0 when the host knows none")
{
    HostEvent event = simple_event("e1");
    event.client_ip = "2001:db8::1";
    CHECK(text(formatted(event), "ip") == "2001:db8::1");
    event.client_ip.clear();
    CHECK(text(formatted(event), "ip") == "0");
}

TEST_CASE("an event whose json is not an object is not formatted")
{
    HostEvent event = simple_event("e1");
    event.json = "[1,2]";
    const pgraph_event view = event.view();
    CHECK_FALSE(format_event(view, {}).has_value());
    event.json = "{broken";
    const pgraph_event broken = event.view();
    CHECK_FALSE(format_event(broken, {}).has_value());
}

TEST_CASE("a request body is the json array of its events and its size is known in advance")
{
    const std::vector<std::string> events = {R"({"event":"a","properties":{}})", R"({"event":"b","properties":{}})"};
    const std::string body = request_body(events);
    CHECK(body == R"([{"event":"a","properties":{}},{"event":"b","properties":{}}])");
    CHECK(request_body_size(events) == body.size());
    CHECK(request_body(std::vector<std::string>{}) == "[]");
    CHECK(request_body_size(std::vector<std::string>{}) == 2);
}

TEST_CASE("requests are cut at 2000 events")
{
    const std::vector<std::string> events(4500, R"({"event":"Track","properties":{}})");
    const auto spans = plan_requests(events);
    REQUIRE(spans.size() == 3);
    CHECK(spans[0].begin == 0);
    CHECK(spans[0].size() == 2000);
    CHECK(spans[1].begin == 2000);
    CHECK(spans[1].size() == 2000);
    CHECK(spans[2].begin == 4000);
    CHECK(spans[2].size() == 500);
    CHECK(plan_requests(std::vector<std::string>{}).empty());
}

TEST_CASE("requests are cut before 2 MiB of uncompressed json and each is as full as allowed")
{
    const std::vector<std::string> events(45, std::string(100'000, 'x'));
    const auto spans = plan_requests(events);
    std::size_t covered = 0;
    for (const RequestSpan &span : spans) {
        CAPTURE(span.begin);
        CHECK(span.begin == covered);
        covered = span.end;
        const std::span<const std::string> part(events.data() + span.begin, span.size());
        CHECK(request_body_size(part) <= max_request_bytes);
    }
    CHECK(covered == events.size());
    // 20 events of 100,000 bytes are 2,000,021 bytes with brackets and commas; 21 would be 2,100,022.
    REQUIRE(spans.size() == 3);
    CHECK(spans[0].size() == 20);
    CHECK(spans[1].size() == 20);
    CHECK(spans[2].size() == 5);
}

TEST_CASE("request limits count the brackets and commas exactly")
{
    const std::vector<std::string> events(3, std::string(10, 'x'));
    // [x,x] with two 10-byte events is 23 bytes.
    CHECK(plan_requests(events, RequestLimits{2000, 23}).front().size() == 2);
    CHECK(plan_requests(events, RequestLimits{2000, 22}).front().size() == 1);
    CHECK(plan_requests(events, RequestLimits{2, 1000}).front().size() == 2);
}

TEST_CASE("an event too large for any request travels alone")
{
    const std::vector<std::string> events = {"{}", std::string(3'000'000, 'x'), "{}"};
    const auto spans = plan_requests(events);
    REQUIRE(spans.size() == 3);
    CHECK(spans[1].begin == 1);
    CHECK(spans[1].size() == 1);
}

TEST_CASE("gzip round trips a request body and refuses what is not gzip or too large")
{
    std::vector<std::string> events;
    for (int i = 0; i < 500; ++i) {
        const HostEvent event = HostEvent::from_json(spec_example);
        const pgraph_event view = event.view();
        events.push_back(format_event(view, {})->json);
    }
    const std::string body = request_body(events);
    const std::string packed = gzip_compress(body);
    REQUIRE(packed.size() > 2);
    CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);
    CHECK(packed.size() * 5 < body.size());
    CHECK(gzip_decompress(packed, body.size()) == body);
    CHECK_FALSE(gzip_decompress(packed, body.size() - 1).has_value());
    CHECK_FALSE(gzip_decompress(body, body.size()).has_value());
    CHECK_FALSE(gzip_decompress(packed.substr(0, packed.size() / 2), body.size()).has_value());
    CHECK(gzip_decompress(gzip_compress(""), 0) == std::string());
    const std::string large(300'000, 'z');  // more than one 64 KiB output step
    CHECK(gzip_decompress(gzip_compress(large, 9), large.size()) == large);
}
