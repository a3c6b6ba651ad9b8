// failing_create.so: create always fails, as a plugin that cannot reach its provider would.
#include "test_plugin_support.hpp"

namespace productgraph::test_plugins {
namespace {

pgraph_status create(const pgraph_create_args *, void **, char *error, std::size_t error_capacity) noexcept
{
    pgraph::copy_text(error, error_capacity, "simulated connection failure");
    return PGRAPH_FATAL;
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("failing_create", "FAILING_CREATE_ENABLED");
    d.create = create;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
