// analytics_provider.so: an analytics provider, so it runs only when ANALYTICS_ENABLED=true too.
#include "test_plugin_support.hpp"

namespace productgraph::test_plugins {
namespace {

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("analytics_provider", "ANALYTICS_PROVIDER_ENABLED");
    // Not PGRAPH_PLUGIN_ENABLED_BY_DEFAULT: like Amplitude, it runs only when switched on.
    d.flags = PGRAPH_PLUGIN_ANALYTICS_PROVIDER;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
