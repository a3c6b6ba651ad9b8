// Starts a daemon on a temporary plugin directory and waits until it listens.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>

#include "daemon_process.hpp"
#include "plugin_directory.hpp"

namespace productgraph::testing {

/// The daemon with `plugins` as its plugin directory and `env` as its environment.
inline std::unique_ptr<DaemonProcess> start_daemon(const PluginDirectory &plugins,
                                                   std::map<std::string, std::string> env = {})
{
    env["PRODUCTGRAPH_PLUGIN_DIR"] = plugins.path();
    auto daemon = std::make_unique<DaemonProcess>(env);
    const auto port = daemon->wait_until_listening();
    INFO("daemon log:\n" << daemon->all_logs());
    REQUIRE(port.has_value());
    return daemon;
}

}  // namespace productgraph::testing
