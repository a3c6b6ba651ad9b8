// The enable rule and declared variables, with an injected environment.
#include <doctest/doctest.h>

#include <map>

#include "plugin_host/plugin_settings.hpp"

using namespace productgraph::plugin_host;

namespace {

const pgraph_env_var provider_vars[] = {
    {sizeof(pgraph_env_var), PGRAPH_ENV_REQUIRED | PGRAPH_ENV_SECRET, "ACME_API_KEY", nullptr, "key", PGRAPH_VAR_STRING,
     0, 0, 0, nullptr},
    {sizeof(pgraph_env_var), 0, "ACME_REGION", "us", "region", PGRAPH_VAR_STRING, 0, 0, 0, nullptr},
    {sizeof(pgraph_env_var), 0, "ACME_ENDPOINT", nullptr, "override", PGRAPH_VAR_STRING, 0, 0, 0, nullptr},
};

pgraph_publisher_descriptor provider(uint32_t flags)
{
    pgraph_publisher_descriptor d{};
    d.struct_size = sizeof d;
    d.name = "acme";
    d.flags = flags;
    d.enable_variable = "ACME_ENABLED";
    d.env_vars = provider_vars;
    d.env_var_count = 3;
    d.env_var_size = sizeof(pgraph_env_var);
    return d;
}

EnvLookup env_of(std::map<std::string, std::string> values)
{
    return [values](const std::string &name) -> std::optional<std::string> {
        const auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace

TEST_CASE("an analytics provider needs both ANALYTICS_ENABLED and its own switch")
{
    const auto d = provider(PGRAPH_PLUGIN_ANALYTICS_PROVIDER);
    auto off = read_plugin_settings(d, env_of({{"ACME_ENABLED", "true"}, {"ACME_API_KEY", "k"}}));
    REQUIRE(off.has_value());
    CHECK_FALSE(off->enabled);
    CHECK(off->disabled_reason == "ANALYTICS_ENABLED is not true");

    auto own_off = read_plugin_settings(d, env_of({{"ANALYTICS_ENABLED", "true"}}));
    REQUIRE(own_off.has_value());
    CHECK_FALSE(own_off->enabled);
    CHECK(own_off->disabled_reason == "ACME_ENABLED is not true");

    auto on = read_plugin_settings(
        d, env_of({{"ANALYTICS_ENABLED", "true"}, {"ACME_ENABLED", "TRUE"}, {"ACME_API_KEY", "k"}}));
    REQUIRE(on.has_value());
    CHECK(on->enabled);
}

TEST_CASE("a plugin enabled by default runs unless its switch says false")
{
    const auto d = provider(PGRAPH_PLUGIN_ENABLED_BY_DEFAULT);
    auto on = read_plugin_settings(d, env_of({{"ACME_API_KEY", "k"}}));
    REQUIRE(on.has_value());
    CHECK(on->enabled);
    auto off = read_plugin_settings(d, env_of({{"ACME_ENABLED", "false"}}));
    REQUIRE(off.has_value());
    CHECK_FALSE(off->enabled);
}

TEST_CASE("an enabled plugin missing a required variable fails naming it")
{
    const auto d = provider(PGRAPH_PLUGIN_ENABLED_BY_DEFAULT);
    const auto result = read_plugin_settings(d, env_of({}));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().message == "ACME_API_KEY: required by plugin acme when it is enabled, but not set");
}

TEST_CASE("a disabled plugin does not need its required variables")
{
    const auto d = provider(PGRAPH_PLUGIN_ANALYTICS_PROVIDER);
    CHECK(read_plugin_settings(d, env_of({})).has_value());
}

TEST_CASE("a switch that is not a boolean fails naming the variable")
{
    const auto d = provider(PGRAPH_PLUGIN_ENABLED_BY_DEFAULT);
    const auto result = read_plugin_settings(d, env_of({{"ACME_ENABLED", "maybe"}}));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().message == "ACME_ENABLED: must be true or false, got \"maybe\"");
}

TEST_CASE("defaults fill unset variables and unset optional ones are left out and secrets are listed")
{
    const auto d = provider(PGRAPH_PLUGIN_ENABLED_BY_DEFAULT);
    const auto result = read_plugin_settings(d, env_of({{"ACME_API_KEY", "s3cret"}, {"ACME_ENDPOINT", ""}}));
    REQUIRE(result.has_value());
    REQUIRE(result->values.size() == 2);
    CHECK(result->values[0] == std::pair<std::string, std::string>{"ACME_API_KEY", "s3cret"});
    CHECK(result->values[1] == std::pair<std::string, std::string>{"ACME_REGION", "us"});
    CHECK(result->secret_values == std::vector<std::string>{"s3cret"});
}
