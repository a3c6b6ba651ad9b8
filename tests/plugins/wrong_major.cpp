// wrong_major.so: its descriptor claims ABI major 2, which a v1 host must refuse to use.
#include "test_plugin_support.hpp"

namespace productgraph::test_plugins {
namespace {

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("wrong_major", "WRONG_MAJOR_ENABLED");
    d.abi_major = 2;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
