// throwing_publish.so: every publish lets a C++ exception out (after counting the
// call), as a careless plugin would; GET /events still answers.
#include "test_plugin_support.hpp"

#include <stdexcept>

namespace productgraph::test_plugins {
namespace {

// Deliberately not noexcept and without pgraph::guard.
pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *)
{
    instance_of(instance).recorder.count_call(batch->attempt);
    throw std::runtime_error("publish exploded on purpose");
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("throwing_publish", "THROWING_PUBLISH_ENABLED");
    d.publish = publish;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
