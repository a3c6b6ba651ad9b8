// What the endpoints read and write: the queue, the plugin catalog, the dispatcher.
#pragma once

#include <atomic>
#include <vector>

#include "dispatch/dispatcher.hpp"
#include "http/http_settings.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "queue/event_queue.hpp"

namespace productgraph::http {

/// Owned by the daemon; outlives the HTTP server.
struct ApiContext {
    HttpSettings settings;
    queue::EventQueue *queue = nullptr;
    plugin_host::PluginRegistry *plugins = nullptr;  // a reload swaps its snapshot while serving
    dispatch::Dispatcher *dispatcher = nullptr;
    std::atomic<bool> accepting{true};  // false once shutdown begins
};

}  // namespace productgraph::http
