// needs_key.so: declares a required secret, NEEDS_KEY_TOKEN, and keeps a copy of it.
#include "test_plugin_support.hpp"

namespace productgraph::test_plugins {
namespace {

constexpr const char *token_variable = "NEEDS_KEY_TOKEN";

constexpr pgraph_env_var variables[] = {
    {sizeof(pgraph_env_var), PGRAPH_ENV_REQUIRED | PGRAPH_ENV_SECRET, token_variable, nullptr,
     "API token; required, never logged", PGRAPH_VAR_STRING, 0, 0, 0, nullptr},
};

pgraph_status create(const pgraph_create_args *args, void **instance, char *error, std::size_t error_capacity) noexcept
{
    // The host should never get this far without the token; name it, never echo it.
    return create_checked_instance(args, instance, error, error_capacity, [](const Instance &self) {
        const auto token = self.text(token_variable);
        return token && !token->empty() ? std::string() : std::string(token_variable) + " is required";
    });
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("needs_key", "NEEDS_KEY_ENABLED");
    d.env_vars = variables;
    d.env_var_count = std::size(variables);
    d.create = create;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
