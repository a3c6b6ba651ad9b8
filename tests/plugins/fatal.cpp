// fatal.so: every publish fails as a provider does on a revoked API key (401).
#include "test_plugin_support.hpp"

namespace productgraph::test_plugins {
namespace {

pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    return pgraph::guard(PGRAPH_FATAL, result->message, result->message_capacity, [&] {
        instance_of(instance).recorder.count_call(batch->attempt);
        pgraph::copy_text(result->message, result->message_capacity, "invalid api key");
        result->http_status = 401;
        return PGRAPH_FATAL;
    });
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("fatal", "FATAL_ENABLED");
    d.publish = publish;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
