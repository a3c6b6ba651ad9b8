// One accepted, normalised event: the canonical JSON plus the fields every plugin needs.
#pragma once

#include <cstdint>
#include <string>

namespace productgraph::event {

/// Built once at the edge; immutable afterwards and shared by every plugin's cursor.
struct EventRecord {
    std::string json;  // canonical compact JSON object, field names as sent
    std::string event_id;
    std::string type;
    std::string name;
    std::string user_id;
    std::string device_id;
    std::string session_id;
    std::string client_ip;
    std::string user_agent;
    int64_t timestamp_ms = 0;
    int64_t received_ms = 0;

    /// What the record weighs for queue and batch limits.
    size_t byte_size() const { return json.size(); }
};

}  // namespace productgraph::event
