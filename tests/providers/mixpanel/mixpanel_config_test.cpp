// MIXPANEL_* variables → settings, and errors that name the variable but never a secret.
#include <doctest/doctest.h>

#include "mixpanel_config.hpp"

#include <map>
#include <string>
#include <variant>

using namespace productgraph::mixpanel;

namespace {

const std::string token = "tok-0123456789abcdef";

SettingsResult parse(std::map<std::string, std::string> values)
{
    return parse_settings([&values](std::string_view name) -> std::optional<std::string_view> {
        const auto it = values.find(std::string(name));
        if (it == values.end()) return std::nullopt;
        return std::string_view(it->second);
    });
}

MixpanelSettings settings_of(std::map<std::string, std::string> values)
{
    const SettingsResult result = parse(std::move(values));
    if (const auto *error = std::get_if<std::string>(&result)) FAIL("unexpected error: " << *error);
    return std::get<MixpanelSettings>(result);
}

std::string error_of(std::map<std::string, std::string> values)
{
    const SettingsResult result = parse(std::move(values));
    REQUIRE(std::holds_alternative<std::string>(result));
    return std::get<std::string>(result);
}

}  // namespace

TEST_CASE("a token alone gives the documented defaults")
{
    const MixpanelSettings settings = settings_of({{"MIXPANEL_TOKEN", token}});
    CHECK(settings.token == token);
    CHECK(settings.base_url == "https://api.mixpanel.com");
    CHECK(settings.api == ApiMode::import);
    CHECK_FALSE(settings.uses_service_account());
    CHECK(settings.project_id.empty());
    CHECK(settings.timeout_ms == 10000);
    CHECK(settings.connect_timeout_ms == 3000);
    CHECK(settings.retry_initial_ms == 2000);
}

TEST_CASE("regions select the residency host and anything else names MIXPANEL_REGION")
{
    CHECK(settings_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_REGION", "us"}}).base_url == "https://api.mixpanel.com");
    CHECK(settings_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_REGION", "eu"}}).base_url ==
          "https://api-eu.mixpanel.com");
    CHECK(settings_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_REGION", "IN"}}).base_url ==
          "https://api-in.mixpanel.com");
    const std::string error = error_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_REGION", "asia"}});
    CHECK(error.find("MIXPANEL_REGION") != std::string::npos);
    CHECK(error.find("asia") != std::string::npos);
}

TEST_CASE("MIXPANEL_API_HOST replaces the region host and loses its trailing slash")
{
    CHECK(settings_of(
              {{"MIXPANEL_TOKEN", token}, {"MIXPANEL_REGION", "eu"}, {"MIXPANEL_API_HOST", "http://127.0.0.1:9999/"}})
              .base_url == "http://127.0.0.1:9999");
    CHECK(settings_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_API_HOST", "https://proxy.internal/mixpanel"}}).base_url ==
          "https://proxy.internal/mixpanel");
    for (const std::string bad : {"ftp://host", "api.mixpanel.com", "https://", "https://host/?x=1", "https://host/#f",
                                  "https://user:pw@host", "https://ho st"}) {
        CAPTURE(bad);
        CHECK(error_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_API_HOST", bad}}).find("MIXPANEL_API_HOST") !=
              std::string::npos);
    }
    // A bad region is reported even while the override hides it.
    CHECK(error_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_REGION", "mars"}, {"MIXPANEL_API_HOST", "http://h"}})
              .find("MIXPANEL_REGION") != std::string::npos);
}

TEST_CASE("MIXPANEL_API chooses import or track and names itself when wrong")
{
    CHECK(settings_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_API", "track"}}).api == ApiMode::track);
    CHECK(settings_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_API", "import"}}).api == ApiMode::import);
    CHECK(error_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_API", "engage"}}).find("MIXPANEL_API ") != std::string::npos);
}

TEST_CASE("a missing or malformed token is refused without echoing it")
{
    CHECK(error_of({}).find("MIXPANEL_TOKEN") != std::string::npos);
    CHECK(error_of({{"MIXPANEL_TOKEN", ""}}).find("MIXPANEL_TOKEN") != std::string::npos);
    for (const std::string bad : {"secret token", "secret:token", "secret\ttoken"}) {
        const std::string error = error_of({{"MIXPANEL_TOKEN", bad}});
        CHECK(error.find("MIXPANEL_TOKEN") != std::string::npos);
        CHECK(error.find("secret") == std::string::npos);
    }
}

TEST_CASE("a service account needs both halves and a project id and never leaks its secret")
{
    const MixpanelSettings settings = settings_of({{"MIXPANEL_TOKEN", token},
                                                   {"MIXPANEL_SERVICE_ACCOUNT_USERNAME", "sa.user"},
                                                   {"MIXPANEL_SERVICE_ACCOUNT_SECRET", "sa-secret-value"},
                                                   {"MIXPANEL_PROJECT_ID", "1234567"}});
    CHECK(settings.uses_service_account());
    CHECK(settings.service_account_username == "sa.user");
    CHECK(settings.service_account_secret == "sa-secret-value");
    CHECK(settings.project_id == "1234567");

    const std::string no_secret = error_of(
        {{"MIXPANEL_TOKEN", token}, {"MIXPANEL_SERVICE_ACCOUNT_USERNAME", "sa.user"}, {"MIXPANEL_PROJECT_ID", "1"}});
    CHECK(no_secret.find("MIXPANEL_SERVICE_ACCOUNT_SECRET") != std::string::npos);

    const std::string no_user = error_of({{"MIXPANEL_TOKEN", token},
                                          {"MIXPANEL_SERVICE_ACCOUNT_SECRET", "sa-secret-value"},
                                          {"MIXPANEL_PROJECT_ID", "1"}});
    CHECK(no_user.find("MIXPANEL_SERVICE_ACCOUNT_USERNAME") != std::string::npos);
    CHECK(no_user.find("sa-secret-value") == std::string::npos);

    const std::string no_project = error_of({{"MIXPANEL_TOKEN", token},
                                             {"MIXPANEL_SERVICE_ACCOUNT_USERNAME", "sa.user"},
                                             {"MIXPANEL_SERVICE_ACCOUNT_SECRET", "sa-secret-value"}});
    CHECK(no_project.find("MIXPANEL_PROJECT_ID") != std::string::npos);
    CHECK(no_project.find("sa-secret-value") == std::string::npos);

    const std::string spaced = error_of({{"MIXPANEL_TOKEN", token},
                                         {"MIXPANEL_SERVICE_ACCOUNT_USERNAME", "sa.user"},
                                         {"MIXPANEL_SERVICE_ACCOUNT_SECRET", "sa secret value"},
                                         {"MIXPANEL_PROJECT_ID", "1"}});
    CHECK(spaced.find("MIXPANEL_SERVICE_ACCOUNT_SECRET") != std::string::npos);
    CHECK(spaced.find("secret value") == std::string::npos);
}

TEST_CASE("a project id must be numeric and may go with token authentication")
{
    CHECK(settings_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_PROJECT_ID", "42"}}).project_id == "42");
    CHECK(error_of({{"MIXPANEL_TOKEN", token}, {"MIXPANEL_PROJECT_ID", "proj-42"}}).find("MIXPANEL_PROJECT_ID") !=
          std::string::npos);
}

TEST_CASE("timeouts and the first retry delay are whole milliseconds in range")
{
    const MixpanelSettings settings = settings_of({{"MIXPANEL_TOKEN", token},
                                                   {"MIXPANEL_TIMEOUT_MS", "2500"},
                                                   {"MIXPANEL_CONNECT_TIMEOUT_MS", "400"},
                                                   {"MIXPANEL_RETRY_INITIAL_MS", "50"}});
    CHECK(settings.timeout_ms == 2500);
    CHECK(settings.connect_timeout_ms == 400);
    CHECK(settings.retry_initial_ms == 50);
    for (const char *variable : {"MIXPANEL_TIMEOUT_MS", "MIXPANEL_CONNECT_TIMEOUT_MS", "MIXPANEL_RETRY_INITIAL_MS"}) {
        for (const std::string bad : {"0", "-5", "10s", " 100", "", "99999999999"}) {
            CAPTURE(variable);
            CAPTURE(bad);
            CHECK(error_of({{"MIXPANEL_TOKEN", token}, {variable, bad}}).find(variable) != std::string::npos);
        }
    }
}
