// Typed plugin variables (ABI 1.2): the host checks each value before create.
#include <doctest/doctest.h>

#include <cstddef>
#include <map>

#include "plugin_host/plugin_settings.hpp"

using namespace productgraph::plugin_host;

namespace {

pgraph_env_var typed(const char *name, uint32_t type, int64_t min = 0, int64_t max = 0, const char *allowed = nullptr,
                     uint32_t flags = 0)
{
    return pgraph_env_var{sizeof(pgraph_env_var), flags, name, nullptr, "test", type, 0, min, max, allowed};
}

std::string rule_for(const pgraph_env_var &variable, std::string_view value)
{
    const auto checked = check_variable_value(variable, sizeof(pgraph_env_var), value);
    return checked ? "" : checked.error().message;
}

// A 1.1 element ends after description: everything from `type` on is not the plugin's.
constexpr uint32_t v1_1_element_size = offsetof(pgraph_env_var, description) + sizeof(const char *);

EnvLookup env_of(std::map<std::string, std::string> values)
{
    return [values](const std::string &name) -> std::optional<std::string> {
        const auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

pgraph_publisher_descriptor descriptor_of(const pgraph_env_var *variables, uint32_t count, uint32_t stride)
{
    pgraph_publisher_descriptor d{};
    d.struct_size = sizeof d;
    d.name = "acme";
    d.flags = PGRAPH_PLUGIN_ENABLED_BY_DEFAULT;
    d.enable_variable = "ACME_ENABLED";
    d.env_vars = variables;
    d.env_var_count = count;
    d.env_var_size = stride;
    return d;
}

}  // namespace

TEST_CASE("an enum value outside the allowed values is refused naming the variable and the choices")
{
    const auto region = typed("AMPLITUDE_REGION", PGRAPH_VAR_ENUM, 0, 0, "us|eu");
    CHECK(rule_for(region, "us").empty());
    CHECK(rule_for(region, "eu").empty());
    CHECK(rule_for(region, "mars") == "AMPLITUDE_REGION: must be one of us|eu, got \"mars\"");
    CHECK(rule_for(region, "u") == "AMPLITUDE_REGION: must be one of us|eu, got \"u\"");
    CHECK_FALSE(rule_for(region, "US").empty());
}

TEST_CASE("a boolean variable accepts the host's spellings only")
{
    const auto flag = typed("ACME_GZIP", PGRAPH_VAR_BOOL);
    for (const char *ok : {"true", "FALSE", "1", "0", "yes", "off"}) CHECK(rule_for(flag, ok).empty());
    CHECK(rule_for(flag, "maybe") == "ACME_GZIP: must be true or false, got \"maybe\"");
}

TEST_CASE("an integer variable checks syntax and its inclusive range and no range means any integer")
{
    const auto any = typed("ACME_SHARD", PGRAPH_VAR_INTEGER);
    CHECK(rule_for(any, "-42").empty());
    CHECK(rule_for(any, "+7").empty());
    CHECK(rule_for(any, "12abc") == "ACME_SHARD: must be an integer, got \"12abc\"");
    CHECK(rule_for(any, "99999999999999999999") == "ACME_SHARD: must be an integer, got \"99999999999999999999\"");

    const auto ranged = typed("ACME_MIN_ID_LENGTH", PGRAPH_VAR_INTEGER, 1, 100);
    CHECK(rule_for(ranged, "1").empty());
    CHECK(rule_for(ranged, "100").empty());
    CHECK(rule_for(ranged, "0") == "ACME_MIN_ID_LENGTH: must be an integer from 1 to 100, got \"0\"");
    CHECK(rule_for(ranged, "101") == "ACME_MIN_ID_LENGTH: must be an integer from 1 to 100, got \"101\"");
}

TEST_CASE("a duration is a non-negative whole number of milliseconds within its range")
{
    const auto timeout = typed("ACME_TIMEOUT_MS", PGRAPH_VAR_DURATION_MS, 100, 60000);
    CHECK(rule_for(timeout, "5000").empty());
    CHECK(rule_for(timeout, "5s") ==
          "ACME_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 60000, got \"5s\"");
    CHECK_FALSE(rule_for(timeout, "99").empty());
    CHECK_FALSE(rule_for(timeout, "-1").empty());
    const auto unbounded = typed("ACME_DELAY_MS", PGRAPH_VAR_DURATION_MS);
    CHECK(rule_for(unbounded, "0").empty());
    CHECK(rule_for(unbounded, "-5") == "ACME_DELAY_MS: must be a whole number of milliseconds, got \"-5\"");
    CHECK_FALSE(rule_for(unbounded, "+5").empty());
}

TEST_CASE("a URL variable needs http or https and a host")
{
    const auto url = typed("ACME_ENDPOINT", PGRAPH_VAR_URL);
    for (const char *ok : {"http://127.0.0.1:8080/2/httpapi", "https://api.example", "http://[::1]:9/x",
                           "https://user@proxy.internal/"}) {
        CHECK_MESSAGE(rule_for(url, ok).empty(), ok);
    }
    CHECK(rule_for(url, "ftp://example") ==
          "ACME_ENDPOINT: must be an http:// or https:// URL with a host, got \"ftp://example\"");
    for (const char *bad : {"http://", "https:///path", "http://:80/", "example.com", "http://a b", "http://[]/"}) {
        CHECK_MESSAGE(!rule_for(url, bad).empty(), bad);
    }
}

TEST_CASE("a secret's bad value is never quoted in the error")
{
    const auto key = typed("ACME_API_KEY", PGRAPH_VAR_ENUM, 0, 0, "a|b", PGRAPH_ENV_SECRET);
    CHECK(rule_for(key, "hunter2") == "ACME_API_KEY: must be one of a|b (secret value not shown)");
}

TEST_CASE("a 1.1-sized element is a string whatever lies past its end")
{
    // The bytes after a 1.1 element belong to someone else: here they claim ENUM "x".
    const pgraph_env_var variables[] = {typed("ACME_REGION", PGRAPH_VAR_ENUM, 0, 0, "x")};
    const auto d = descriptor_of(variables, 1, v1_1_element_size);
    pgraph_env_var old = variables[0];
    old.struct_size = v1_1_element_size;
    CHECK(check_variable_value(old, sizeof(pgraph_env_var), "anything").has_value());
    // The stride bounds the read too, even when struct_size claims more.
    CHECK(check_variable_value(variables[0], v1_1_element_size, "anything").has_value());
    const auto settings = read_plugin_settings(d, env_of({{"ACME_REGION", "anything"}}));
    REQUIRE(settings.has_value());
    CHECK(settings->values.at(0).second == "anything");
}

TEST_CASE("a set value breaking its type fails only that plugin naming the variable and the rule")
{
    const pgraph_env_var variables[] = {typed("ACME_REGION", PGRAPH_VAR_ENUM, 0, 0, "us|eu")};
    const auto d = descriptor_of(variables, 1, sizeof(pgraph_env_var));
    const auto settings = read_plugin_settings(d, env_of({{"ACME_REGION", "mars"}}));
    REQUIRE(settings.has_value());
    CHECK(settings->invalid_value == "ACME_REGION: must be one of us|eu, got \"mars\"");
    const auto fine = read_plugin_settings(d, env_of({{"ACME_REGION", "eu"}}));
    REQUIRE(fine.has_value());
    CHECK(fine->invalid_value.empty());
}

TEST_CASE("a default breaking its own type is reported as the plugin's fault")
{
    pgraph_env_var variable = typed("ACME_TIMEOUT_MS", PGRAPH_VAR_DURATION_MS, 1, 10);
    variable.default_value = "50";
    const auto d = descriptor_of(&variable, 1, sizeof(pgraph_env_var));
    const auto settings = read_plugin_settings(d, env_of({}));
    REQUIRE(settings.has_value());
    CHECK(settings->invalid_value == "ACME_TIMEOUT_MS: must be a whole number of milliseconds from 1 to 10, got \"50\" "
                                     "(the default of plugin acme)");
}

TEST_CASE("a disabled plugin's typed variables are not checked")
{
    const pgraph_env_var variables[] = {typed("ACME_REGION", PGRAPH_VAR_ENUM, 0, 0, "us|eu")};
    const auto d = descriptor_of(variables, 1, sizeof(pgraph_env_var));
    const auto settings = read_plugin_settings(d, env_of({{"ACME_ENABLED", "false"}, {"ACME_REGION", "mars"}}));
    REQUIRE(settings.has_value());
    CHECK_FALSE(settings->enabled);
    CHECK(settings->invalid_value.empty());
}
