// What the tests ask a running daemon's admin listener: one plugin's status
// entry and whether the memory plugin holds an event.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>

#include "daemon_process.hpp"

namespace productgraph::testing {

/// The plugin's entry in GET /v1/plugins, or an empty object when it is not listed.
rapidjson::Document plugin_status(const DaemonProcess &daemon, const std::string &name);

/// One numeric field of the plugin's status entry, or -1 when it is missing.
std::int64_t plugin_counter(const DaemonProcess &daemon, const std::string &plugin, const char *field);

/// Whether the memory plugin has stored the event. Its dispatch worker runs on its
/// own, so callers that just posted the event poll this with `eventually`.
bool memory_has(const DaemonProcess &daemon, const std::string &event_id);

}  // namespace productgraph::testing
