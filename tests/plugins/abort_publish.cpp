// abort_publish.so: publish calls abort() (SIGABRT) unless ABORT_PUBLISH_CRASH=false;
// for the crash-loop protection tests.
#include "crashing_publish.hpp"

#include <cstdlib>

namespace productgraph::test_plugins {
namespace {

void crash()
{
    std::abort();
}

constexpr pgraph_env_var variables[] = {
    {sizeof(pgraph_env_var), 0, "ABORT_PUBLISH_CRASH", "true", "false delivers instead of crashing", PGRAPH_VAR_BOOL, 0,
     0, 0, nullptr},
};

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("abort_publish", "ABORT_PUBLISH_ENABLED");
    d.env_vars = variables;
    d.env_var_count = std::size(variables);
    d.publish = crashing_publish<crash>;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
