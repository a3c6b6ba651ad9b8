// API key matching and CORS origin rules.
#include <doctest/doctest.h>

#include "http/request_guards.hpp"

using namespace productgraph::http;

TEST_CASE("without configured keys every request is accepted")
{
    CHECK(api_key_accepted({}, std::nullopt));
    CHECK(api_key_accepted({}, "anything"));
}

TEST_CASE("with keys a request needs one of them exactly")
{
    const std::vector<std::string> keys{"alpha-key", "beta-key"};
    CHECK(api_key_accepted(keys, "alpha-key"));
    CHECK(api_key_accepted(keys, "beta-key"));
    CHECK_FALSE(api_key_accepted(keys, std::nullopt));
    CHECK_FALSE(api_key_accepted(keys, ""));
    CHECK_FALSE(api_key_accepted(keys, "alpha-ke"));
    CHECK_FALSE(api_key_accepted(keys, "alpha-keyy"));
}

TEST_CASE("allowed origins: a wildcard or an exact match")
{
    CHECK(allowed_origin({"*"}, "https://app.example") == "*");
    CHECK(allowed_origin({"https://app.example"}, "https://app.example") == "https://app.example");
    CHECK_FALSE(allowed_origin({"https://app.example"}, "https://evil.example").has_value());
}
