// The enable rule (product-spec §2) and the declared variables of one plugin, read
// from the environment by the host so that plugins never call getenv.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <productgraph/publisher.h>

#include "common/result.hpp"

namespace productgraph::plugin_host {

/// Reads one environment variable; injectable so that tests need no real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string &name)>;

/// The process environment.
EnvLookup process_environment();

struct PluginSettings {
    bool enabled = false;
    std::string disabled_reason;                              // why not enabled, naming the variable
    std::vector<std::pair<std::string, std::string>> values;  // declared name -> value
    std::vector<std::string> secret_values;                   // never to appear in logs or admin output
};

/// Decides whether the plugin runs and collects its variables. Fails, naming the
/// variable, when a switch is not a boolean or an enabled plugin lacks a required one.
common::Result<PluginSettings> read_plugin_settings(const pgraph_publisher_descriptor &descriptor,
                                                    const EnvLookup &env);

/// The i-th declared variable, honouring the plugin's element size.
const pgraph_env_var &declared_variable(const pgraph_publisher_descriptor &descriptor, uint32_t i);

}  // namespace productgraph::plugin_host
