// Events and a host log for the Amplitude unit tests: owned strings lent as EventViews.
#pragma once

#include "amplitude_format.hpp"

#include <productgraph/publisher.h>
#include <productgraph/publisher.hpp>

#include <rapidjson/document.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace productgraph::amplitude::testing {

/// An event whose fields this object owns; view() lends them as the host would.
struct OwnedEvent {
    std::string event_id = "evt_1";
    std::string type = "custom";
    std::string name;
    std::string user_id;
    std::string device_id;
    std::string session_id = "sess-1";
    std::string client_ip = "203.0.113.7";
    std::string user_agent = "Mozilla/5.0 (X11; Linux x86_64)";
    std::int64_t timestamp_ms = 1705314615000;  // 2024-01-15T10:30:15Z
    std::string json;                           // built from the fields by canonical() unless set

    EventView view() const
    {
        return EventView{event_id,   type,      name,       user_id,      device_id,
                         session_id, client_ip, user_agent, timestamp_ms, json};
    }

    /// Builds the canonical JSON from the fields plus `extra` (",\"k\":v" members).
    OwnedEvent &canonical(const std::string &extra = "")
    {
        json = R"({"event_id":")" + event_id +
               R"(","project_id":"proj_demo","event.timestamp":"2024-01-15T10:30:15Z")" + R"(,"event.type":")" + type +
               '"';
        if (!name.empty()) json += R"(,"event.name":")" + name + '"';
        if (!user_id.empty()) json += R"(,"user.id":")" + user_id + '"';
        if (!device_id.empty()) json += R"(,"device.id":")" + device_id + '"';
        json += R"(,"session.id":")" + session_id + '"' + extra + "}";
        return *this;
    }
};

/// product-spec §3's example event, as the host would hand it over.
inline OwnedEvent spec_example()
{
    OwnedEvent event;
    event.event_id = "evt_100";
    event.type = "ui.click";
    event.name = "signup_button_clicked";
    event.user_id = "user-123";
    event.session_id = "sess-abc";
    event.json = R"({"event_id":"evt_100","project_id":"proj_demo","event.timestamp":"2024-01-15T10:30:15Z",)"
                 R"("event.type":"ui.click","event.name":"signup_button_clicked","user.id":"user-123",)"
                 R"("session.id":"sess-abc","page.path":"/signup","ui.component.name":"SignupButton",)"
                 R"("ui.action":"click"})";
    return event;
}

/// `count` minimal events with ids prefix0..prefixN-1, each with its own user.
inline std::vector<OwnedEvent> numbered_events(const std::string &prefix, std::size_t count)
{
    std::vector<OwnedEvent> events(count);
    for (std::size_t i = 0; i < count; ++i) {
        events[i].event_id = prefix + std::to_string(i);
        events[i].user_id = "user-" + std::to_string(i);
        events[i].canonical();
    }
    return events;
}

inline std::vector<EventView> views_of(const std::vector<OwnedEvent> &events)
{
    std::vector<EventView> views;
    for (const OwnedEvent &event : events) views.push_back(event.view());
    return views;
}

/// Parses JSON text for assertions.
inline rapidjson::Document parse(const std::string &json)
{
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    return document;
}

/// The member names of a JSON object, in order.
inline std::vector<std::string> member_names(const rapidjson::Value &object)
{
    std::vector<std::string> names;
    for (const auto &member : object.GetObject()) names.emplace_back(member.name.GetString());
    return names;
}

/// A host table whose log collects lines, for code that logs through pgraph::HostLog.
class CollectingHost {
public:
    CollectingHost()
    {
        table_.struct_size = sizeof table_;
        table_.abi_minor = PGRAPH_ABI_MINOR;
        table_.context = this;
        table_.log = [](void *context, std::int32_t, const char *msg, std::size_t len) {
            auto *self = static_cast<CollectingHost *>(context);
            std::lock_guard lock(self->mutex_);
            self->lines_.emplace_back(msg, len);
        };
        table_.log_enabled = [](void *, std::int32_t) -> std::int32_t { return 1; };
    }
    CollectingHost(const CollectingHost &) = delete;
    CollectingHost &operator=(const CollectingHost &) = delete;

    pgraph::HostLog log() const { return pgraph::HostLog(&table_); }
    std::vector<std::string> lines() const
    {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    std::string all() const
    {
        std::string text;
        for (const std::string &line : lines()) text += line + "\n";
        return text;
    }

private:
    pgraph_host table_{};
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

}  // namespace productgraph::amplitude::testing
