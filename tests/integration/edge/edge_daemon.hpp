// A daemon with the memory plugin for edge tests, plus small helpers on raw answers.
#pragma once

#include <doctest/doctest.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <string>

#include "plugin_directory.hpp"
#include "raw_client.hpp"
#include "running_daemon.hpp"

namespace productgraph::testing {

/// Owns the plugin directory together with the daemon started on it.
struct EdgeDaemon {
    PluginDirectory plugins;
    std::unique_ptr<DaemonProcess> process;

    EdgeDaemon(std::initializer_list<std::pair<const std::string, std::string>> env = {})
    {
        plugins.add_plugin("memory");
        process = start_daemon(plugins, std::map<std::string, std::string>(env));
    }
    int port() const { return process->port(); }
    int admin_port() const { return process->admin_port(); }
};

/// True for {"error":"..."} bodies.
inline bool is_json_error(const RawResponse &response)
{
    return response.header("content-type") == "application/json" && response.body.starts_with("{\"error\":\"") &&
           response.body.ends_with("\"}");
}

}  // namespace productgraph::testing
