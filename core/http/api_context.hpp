// What the endpoints read and write: the queue, the plugin catalog, the dispatcher.
#pragma once

#include <atomic>
#include <vector>

#include "dispatch/dispatcher.hpp"
#include "http/http_settings.hpp"
#include "plugin_host/plugin_catalog.hpp"
#include "queue/event_queue.hpp"

namespace productgraph::http {

/// Owned by the daemon; outlives the HTTP server.
struct ApiContext {
    HttpSettings settings;
    queue::EventQueue *queue = nullptr;
    std::vector<plugin_host::PluginEntry> *plugins = nullptr;  // fixed while serving
    dispatch::Dispatcher *dispatcher = nullptr;
    std::atomic<bool> accepting{true};  // false once shutdown begins
};

}  // namespace productgraph::http
