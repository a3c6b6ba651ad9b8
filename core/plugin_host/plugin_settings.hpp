// The enable rule (product-spec §2) and the declared variables of one plugin, read
// from the environment by the host so that plugins never call getenv.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
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
    std::string disabled_reason;  // why not enabled, naming the variable
    std::string invalid_value;    // a value broke its declared type: the plugin must not start (its rule)
    std::vector<std::pair<std::string, std::string>> values;  // declared name -> value
    std::vector<std::string> secret_values;                   // never to appear in logs or admin output
};

/// Decides whether the plugin runs and collects its variables. Fails, naming the
/// variable, when a switch is not a boolean or an enabled plugin lacks a required one.
/// A set or defaulted value that breaks its declared type (ABI 1.2) fails only this
/// plugin: `invalid_value` then names the variable and the rule.
common::Result<PluginSettings> read_plugin_settings(const pgraph_publisher_descriptor &descriptor,
                                                    const EnvLookup &env);

/// Checks `value` against the variable's declared type, range and allowed values, read
/// only as far as the element's struct_size (and the table's stride) reach: a 1.0/1.1
/// element is a string and accepts anything. The error reads
/// `NAME: must be one of us|eu, got "mars"`; a secret's value is never quoted.
common::Result<void> check_variable_value(const pgraph_env_var &variable, uint32_t element_size,
                                          std::string_view value);

/// The i-th declared variable, honouring the plugin's element size.
const pgraph_env_var &declared_variable(const pgraph_publisher_descriptor &descriptor, uint32_t i);

}  // namespace productgraph::plugin_host
