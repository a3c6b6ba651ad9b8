// Events as the host lends them to a plugin, built from canonical event JSON, and
// batches of them with host-shaped result buffers, for the Mixpanel tests.
#pragma once

#include <productgraph/publisher.h>

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace productgraph::testing {

/// One accepted event: owns the strings that its pgraph_event view points into.
struct HostEvent {
    std::string json;
    std::string event_id;
    std::string type;
    std::string name;
    std::string user_id;
    std::string device_id;
    std::string session_id;
    std::string client_ip = "203.0.113.7";
    std::string user_agent = "test-agent/1.0";
    std::int64_t timestamp_ms = 1705314615000;  // 2024-01-15T10:30:15Z
    std::int64_t received_ms = 1705314616000;

    /// The fields the host extracts, read from `json` (string fields only).
    static HostEvent from_json(std::string json, std::int64_t timestamp_ms = 1705314615000)
    {
        HostEvent event;
        event.json = std::move(json);
        event.timestamp_ms = timestamp_ms;
        rapidjson::Document document;
        document.Parse(event.json.data(), event.json.size());
        auto text = [&](const char *field) {
            const auto it = document.FindMember(field);
            return it != document.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString())
                                                                      : std::string();
        };
        event.event_id = text("event_id");
        event.type = text("event.type");
        event.name = text("event.name");
        event.user_id = text("user.id");
        event.device_id = text("device.id");
        event.session_id = text("session.id");
        return event;
    }

    /// The view a plugin receives; valid while this HostEvent lives unchanged.
    pgraph_event view() const
    {
        pgraph_event e{};
        e.struct_size = sizeof e;
        e.event_id = str(event_id);
        e.type = str(type);
        e.name = str(name);
        e.user_id = str(user_id);
        e.device_id = str(device_id);
        e.session_id = str(session_id);
        e.client_ip = str(client_ip);
        e.user_agent = str(user_agent);
        e.timestamp_ms = timestamp_ms;
        e.received_ms = received_ms;
        e.json = str(json);
        return e;
    }

private:
    static pgraph_str str(const std::string &s) { return pgraph_str{s.data(), s.size()}; }
};

/// A minimal valid event: custom type, session s1, optional extra members
/// (",\"k\":v" form).
inline HostEvent simple_event(const std::string &event_id, const std::string &extra = "",
                              std::int64_t timestamp_ms = 1705314615000)
{
    return HostEvent::from_json(R"({"event_id":")" + event_id +
                                    R"(","project_id":"p","session.id":"s1","event.type":"custom",)"
                                    R"("event.timestamp":"2024-01-15T10:30:15Z")" +
                                    extra + "}",
                                timestamp_ms);
}

/// Unix milliseconds now: for /track, which keeps only the last five days.
inline std::int64_t now_ms()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace productgraph::testing
