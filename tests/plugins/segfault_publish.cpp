// segfault_publish.so: publish dereferences a null pointer (SIGSEGV) unless
// SEGFAULT_PUBLISH_CRASH=false; for the crash-loop protection tests.
#include "crashing_publish.hpp"

namespace productgraph::test_plugins {
namespace {

// Opaque to the optimiser, so the write really happens.
int *volatile nowhere = nullptr;

// A real fault even in the sanitizer build, whose checks would otherwise stop first.
__attribute__((no_sanitize("address", "undefined"))) void crash()
{
    *nowhere = 1;
}

constexpr pgraph_env_var variables[] = {
    {sizeof(pgraph_env_var), 0, "SEGFAULT_PUBLISH_CRASH", "true", "false delivers instead of crashing", PGRAPH_VAR_BOOL,
     0, 0, 0, nullptr},
};

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("segfault_publish", "SEGFAULT_PUBLISH_ENABLED");
    d.env_vars = variables;
    d.env_var_count = std::size(variables);
    d.publish = crashing_publish<crash>;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
