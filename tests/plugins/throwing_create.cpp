// throwing_create.so: create lets a C++ exception out, breaking the ABI's rule; the
// host's firewall must catch it, mark the plugin failed and run the others.
#include "test_plugin_support.hpp"

#include <stdexcept>

namespace productgraph::test_plugins {
namespace {

// Deliberately not noexcept and without pgraph::guard.
pgraph_status create(const pgraph_create_args *, void **, char *, std::size_t)
{
    throw std::runtime_error("create exploded on purpose");
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("throwing_create", "THROWING_CREATE_ENABLED");
    d.create = create;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
