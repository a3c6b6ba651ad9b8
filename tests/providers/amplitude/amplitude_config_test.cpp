// The Amplitude plugin's variables: defaults, endpoints, limits and errors that name the variable.
#include "amplitude_config.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

using namespace productgraph::amplitude;

namespace {

constexpr const char *test_key = "AMP_TEST_API_KEY_0123456789abcdef";

SettingsResult parse(std::map<std::string, std::string> values)
{
    return parse_settings([&](std::string_view name) -> std::optional<std::string_view> {
        const auto it = values.find(std::string(name));
        if (it == values.end()) return std::nullopt;
        return std::string_view(it->second);
    });
}

AmplitudeSettings settings_of(std::map<std::string, std::string> values)
{
    values.try_emplace("AMPLITUDE_API_KEY", test_key);
    const SettingsResult result = parse(std::move(values));
    const auto *error = std::get_if<std::string>(&result);
    INFO("error: " << (error != nullptr ? *error : ""));
    REQUIRE(std::holds_alternative<AmplitudeSettings>(result));
    return std::get<AmplitudeSettings>(result);
}

std::string error_of(std::map<std::string, std::string> values)
{
    const SettingsResult result = parse(std::move(values));
    REQUIRE(std::holds_alternative<std::string>(result));
    return std::get<std::string>(result);
}

}  // namespace

TEST_CASE("defaults post to the US HTTP V2 endpoint with the documented limits and timeouts")
{
    const AmplitudeSettings settings = settings_of({});
    CHECK(settings.api_key == test_key);
    CHECK(settings.endpoint == "https://api2.amplitude.com/2/httpapi");
    CHECK(settings.api == Api::httpapi);
    CHECK(settings.min_id_length == 1);
    CHECK(settings.timeout == std::chrono::milliseconds(10000));
    CHECK(settings.connect_timeout == std::chrono::milliseconds(3000));
    CHECK(settings.throttle_retry == std::chrono::milliseconds(30000));
    const RequestLimits limits = limits_of(settings.api);
    CHECK(limits.max_events == 2000);
    CHECK(limits.max_body_bytes == 1'000'000);
}

TEST_CASE("the eu region and the batch API select the documented endpoints")
{
    CHECK(settings_of({{"AMPLITUDE_REGION", "eu"}}).endpoint == "https://api.eu.amplitude.com/2/httpapi");
    CHECK(settings_of({{"AMPLITUDE_REGION", "EU"}}).endpoint == "https://api.eu.amplitude.com/2/httpapi");
    CHECK(settings_of({{"AMPLITUDE_API", "batch"}}).endpoint == "https://api2.amplitude.com/batch");
    CHECK(settings_of({{"AMPLITUDE_API", "batch"}, {"AMPLITUDE_REGION", "eu"}}).endpoint ==
          "https://api.eu.amplitude.com/batch");
    const RequestLimits batch = limits_of(settings_of({{"AMPLITUDE_API", "batch"}}).api);
    CHECK(batch.max_events == 2000);
    CHECK(batch.max_body_bytes == 20'000'000);
}

TEST_CASE("AMPLITUDE_ENDPOINT replaces the regional URL")
{
    const AmplitudeSettings settings =
        settings_of({{"AMPLITUDE_ENDPOINT", "http://127.0.0.1:9999/2/httpapi"}, {"AMPLITUDE_REGION", "eu"}});
    CHECK(settings.endpoint == "http://127.0.0.1:9999/2/httpapi");
}

TEST_CASE("numeric variables are read as given")
{
    const AmplitudeSettings settings = settings_of({{"AMPLITUDE_MIN_ID_LENGTH", "5"},
                                                    {"AMPLITUDE_TIMEOUT_MS", "2500"},
                                                    {"AMPLITUDE_CONNECT_TIMEOUT_MS", "700"},
                                                    {"AMPLITUDE_THROTTLE_RETRY_MS", "1500"}});
    CHECK(settings.min_id_length == 5);
    CHECK(settings.timeout == std::chrono::milliseconds(2500));
    CHECK(settings.connect_timeout == std::chrono::milliseconds(700));
    CHECK(settings.throttle_retry == std::chrono::milliseconds(1500));
}

TEST_CASE("a missing API key fails naming AMPLITUDE_API_KEY")
{
    CHECK(error_of({}) == "AMPLITUDE_API_KEY is required");
    CHECK(error_of({{"AMPLITUDE_API_KEY", ""}}) == "AMPLITUDE_API_KEY is required");
}

TEST_CASE("bad values fail with an error naming the variable and never the key")
{
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"AMPLITUDE_REGION", "asia"},
        {"AMPLITUDE_API", "http"},
        {"AMPLITUDE_ENDPOINT", "ftp://example.com/x"},
        {"AMPLITUDE_MIN_ID_LENGTH", "0"},
        {"AMPLITUDE_MIN_ID_LENGTH", "1025"},
        {"AMPLITUDE_TIMEOUT_MS", "ten"},
        {"AMPLITUDE_TIMEOUT_MS", "-5"},
        {"AMPLITUDE_CONNECT_TIMEOUT_MS", "5 "},
        {"AMPLITUDE_THROTTLE_RETRY_MS", "+30000"},
    };
    for (const auto &[name, value] : bad) {
        CAPTURE(name);
        CAPTURE(value);
        const std::string error = error_of({{"AMPLITUDE_API_KEY", test_key}, {name, value}});
        CHECK(error.starts_with(name));
        CHECK(error.find(test_key) == std::string::npos);
    }
    CHECK(error_of({{"AMPLITUDE_API_KEY", test_key}, {"AMPLITUDE_ENDPOINT", "http://"}})
              .starts_with("AMPLITUDE_ENDPOINT"));
    CHECK(error_of({{"AMPLITUDE_API_KEY", test_key}, {"AMPLITUDE_ENDPOINT", "https://a b/"}})
              .starts_with("AMPLITUDE_ENDPOINT"));
    CHECK(error_of({{"AMPLITUDE_API_KEY", test_key}, {"AMPLITUDE_MIN_ID_LENGTH", "x"}}) ==
          "AMPLITUDE_MIN_ID_LENGTH must be an integer from 1 to 1024, got \"x\"");
}

TEST_CASE("a key with spaces fails without showing the key")
{
    const std::string error = error_of({{"AMPLITUDE_API_KEY", "abc def-secret"}});
    CHECK(error.starts_with("AMPLITUDE_API_KEY"));
    CHECK(error.find("secret") == std::string::npos);
}

TEST_CASE("the declared variables carry the documented names defaults and flags")
{
    std::map<std::string, const pgraph_env_var *> declared;
    for (const pgraph_env_var &variable : declared_variables) {
        CHECK(variable.struct_size == sizeof(pgraph_env_var));
        CHECK(std::string(variable.name).starts_with("AMPLITUDE_"));
        CHECK(variable.description != nullptr);
        declared[variable.name] = &variable;
    }
    CHECK(declared.size() == 9);
    CHECK(std::string(declared.at("AMPLITUDE_ENABLED")->default_value) == "false");
    CHECK(declared.at("AMPLITUDE_API_KEY")->flags == (PGRAPH_ENV_SECRET | PGRAPH_ENV_REQUIRED));
    CHECK(declared.at("AMPLITUDE_API_KEY")->default_value == nullptr);
    CHECK(std::string(declared.at("AMPLITUDE_REGION")->default_value) == "us");
    CHECK(declared.at("AMPLITUDE_ENDPOINT")->default_value == nullptr);
    CHECK(std::string(declared.at("AMPLITUDE_API")->default_value) == "httpapi");
    CHECK(std::string(declared.at("AMPLITUDE_MIN_ID_LENGTH")->default_value) == "1");
    CHECK(std::string(declared.at("AMPLITUDE_TIMEOUT_MS")->default_value) == "10000");
    CHECK(std::string(declared.at("AMPLITUDE_CONNECT_TIMEOUT_MS")->default_value) == "3000");
    CHECK(std::string(declared.at("AMPLITUDE_THROTTLE_RETRY_MS")->default_value) == "30000");
    for (const auto &[name, variable] : declared) {
        if (name != "AMPLITUDE_API_KEY") CHECK(variable->flags == 0);
    }
}

TEST_CASE("read_settings takes the values the host passes and honours the entry stride")
{
    struct GrownEntry {
        pgraph_config_entry entry;
        std::uint64_t added_later;
    };
    const std::string names[] = {"AMPLITUDE_API_KEY", "AMPLITUDE_MIN_ID_LENGTH"};
    const std::string values[] = {test_key, "3"};
    GrownEntry entries[2] = {};
    for (int i = 0; i < 2; ++i) {
        entries[i].entry = {
            sizeof(pgraph_config_entry), 0, {names[i].data(), names[i].size()}, {values[i].data(), values[i].size()}};
    }
    pgraph_create_args args{};
    args.struct_size = sizeof args;
    args.config = &entries[0].entry;
    args.config_count = 2;
    args.config_entry_size = sizeof(GrownEntry);
    const SettingsResult result = read_settings(args);
    REQUIRE(std::holds_alternative<AmplitudeSettings>(result));
    CHECK(std::get<AmplitudeSettings>(result).api_key == test_key);
    CHECK(std::get<AmplitudeSettings>(result).min_id_length == 3);
}
