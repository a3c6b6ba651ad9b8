// The Mixpanel plugin's declared environment variables and the typed settings read from them.
#ifndef PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_CONFIG_HPP
#define PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_CONFIG_HPP

#include <productgraph/publisher.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace productgraph::mixpanel {

/// Which ingestion endpoint the plugin posts to (providers.md §2.2).
enum class ApiMode {
    import,  ///< POST /import?strict=1: Basic auth, gzip, per-event errors (the default)
    track,   ///< POST /track?ip=0&verbose=1: the token inside every event, no per-event errors
};

inline constexpr const char *enable_variable = "MIXPANEL_ENABLED";
inline constexpr const char *token_variable = "MIXPANEL_TOKEN";
inline constexpr const char *region_variable = "MIXPANEL_REGION";
inline constexpr const char *api_host_variable = "MIXPANEL_API_HOST";
inline constexpr const char *api_variable = "MIXPANEL_API";
inline constexpr const char *service_account_username_variable = "MIXPANEL_SERVICE_ACCOUNT_USERNAME";
inline constexpr const char *service_account_secret_variable = "MIXPANEL_SERVICE_ACCOUNT_SECRET";
inline constexpr const char *project_id_variable = "MIXPANEL_PROJECT_ID";
inline constexpr const char *timeout_variable = "MIXPANEL_TIMEOUT_MS";
inline constexpr const char *connect_timeout_variable = "MIXPANEL_CONNECT_TIMEOUT_MS";
inline constexpr const char *retry_initial_variable = "MIXPANEL_RETRY_INITIAL_MS";

/// The variables the descriptor declares. The host reads the environment, applies
/// the defaults, checks the required ones and hands the values to create.
inline constexpr pgraph_env_var declared_variables[] = {
    {sizeof(pgraph_env_var), 0, enable_variable, "false",
     "true forwards events to Mixpanel (ANALYTICS_ENABLED=true is needed as well)", PGRAPH_VAR_BOOL, 0, 0, 0, nullptr},
    {sizeof(pgraph_env_var), PGRAPH_ENV_SECRET | PGRAPH_ENV_REQUIRED, token_variable, nullptr, "Mixpanel project token",
     PGRAPH_VAR_STRING, 0, 0, 0, nullptr},
    {sizeof(pgraph_env_var), 0, region_variable, "us",
     "Data residency: us (api.mixpanel.com), eu (api-eu) or in (api-in)", PGRAPH_VAR_ENUM, 0, 0, 0, "us|eu|in"},
    {sizeof(pgraph_env_var), 0, api_host_variable, nullptr,
     "Base URL replacing the region's host, e.g. a proxy: https://mixpanel-proxy.internal", PGRAPH_VAR_URL, 0, 0, 0,
     nullptr},
    {sizeof(pgraph_env_var), 0, api_variable, "import",
     "import (POST /import?strict=1, recommended for servers) or track (POST /track)", PGRAPH_VAR_ENUM, 0, 0, 0,
     "import|track"},
    {sizeof(pgraph_env_var), 0, service_account_username_variable, nullptr,
     "Service account user name for /import (with its secret and MIXPANEL_PROJECT_ID)", PGRAPH_VAR_STRING, 0, 0, 0,
     nullptr},
    {sizeof(pgraph_env_var), PGRAPH_ENV_SECRET, service_account_secret_variable, nullptr,
     "Service account secret for /import", PGRAPH_VAR_STRING, 0, 0, 0, nullptr},
    {sizeof(pgraph_env_var), 0, project_id_variable, nullptr,
     "Numeric Mixpanel project id, sent as ?project_id= on /import", PGRAPH_VAR_STRING, 0, 0, 0, nullptr},
    {sizeof(pgraph_env_var), 0, timeout_variable, "10000",
     "Whole-request timeout in milliseconds (also capped by the host's publish deadline)", PGRAPH_VAR_DURATION_MS, 0, 0,
     0, nullptr},
    {sizeof(pgraph_env_var), 0, connect_timeout_variable, "3000", "Connection timeout in milliseconds",
     PGRAPH_VAR_DURATION_MS, 0, 0, 0, nullptr},
    {sizeof(pgraph_env_var), 0, retry_initial_variable, "2000",
     "First retry delay in milliseconds after 429, 5xx or a network error; doubles up to 60 s", PGRAPH_VAR_DURATION_MS,
     0, 0, 0, nullptr},
};

/// Typed settings of one Mixpanel plugin instance.
struct MixpanelSettings {
    std::string token;
    /// scheme://host[:port][/prefix] without a trailing slash; the API paths are appended.
    std::string base_url = "https://api.mixpanel.com";
    ApiMode api = ApiMode::import;
    std::string service_account_username;  // empty: authenticate with the token
    std::string service_account_secret;
    std::string project_id;  // empty: not sent
    std::int64_t timeout_ms = 10000;
    std::int64_t connect_timeout_ms = 3000;
    std::int64_t retry_initial_ms = 2000;

    bool uses_service_account() const { return !service_account_username.empty(); }
};

/// The settings, or a one-line reason that names the variable at fault (and never
/// holds a secret's value).
using SettingsResult = std::variant<MixpanelSettings, std::string>;

/// A variable's value as create received it; nullopt when the host passed none.
using ConfigLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

/// Builds the settings from the variables `value_of` returns. Absent variables take
/// the declared defaults, so the result does not depend on the host applying them.
SettingsResult parse_settings(const ConfigLookup &value_of);

/// Builds the settings from the configuration entries handed to create.
SettingsResult read_settings(const pgraph_create_args &args);

}  // namespace productgraph::mixpanel

#endif  // PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_CONFIG_HPP
