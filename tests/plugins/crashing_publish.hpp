// A publish that kills the process with a signal unless the plugin's <NAME>_CRASH
// variable is false, in which case it delivers like any recording plugin.
#ifndef PRODUCTGRAPH_TESTS_PLUGINS_CRASHING_PUBLISH_HPP
#define PRODUCTGRAPH_TESTS_PLUGINS_CRASHING_PUBLISH_HPP

#include "test_plugin_support.hpp"

namespace productgraph::test_plugins {

/// A publish that calls `crash` unless the plugin was given a *_CRASH variable of
/// "false"; it counts the call first.
template <void (*crash)()>
pgraph_status crashing_publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    const Instance &self = instance_of(instance);
    for (const auto &[name, value] : self.config) {
        if (name.ends_with("_CRASH") && value == "false") return publish_all(instance, batch, result);
    }
    instance_of(instance).recorder.count_call(batch->attempt);
    crash();
    return PGRAPH_RETRY;
}

}  // namespace productgraph::test_plugins

#endif  // PRODUCTGRAPH_TESTS_PLUGINS_CRASHING_PUBLISH_HPP
