// The Amplitude plugin's declared environment variables and the typed settings read from them.
#ifndef PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_CONFIG_HPP
#define PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_CONFIG_HPP

#include "amplitude_format.hpp"

#include <productgraph/publisher.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace productgraph::amplitude {

/// Switches the plugin on; read by the host (with ANALYTICS_ENABLED), not by the plugin.
inline constexpr const char *enable_variable = "AMPLITUDE_ENABLED";
/// The project API key; it travels only inside request bodies and is never logged.
inline constexpr const char *api_key_variable = "AMPLITUDE_API_KEY";
/// Data residency: "us" (api2.amplitude.com) or "eu" (api.eu.amplitude.com).
inline constexpr const char *region_variable = "AMPLITUDE_REGION";
/// A full URL that replaces the regional one (proxies, tests).
inline constexpr const char *endpoint_variable = "AMPLITUDE_ENDPOINT";
/// "httpapi" (HTTP V2, /2/httpapi) or "batch" (Batch Event Upload, /batch).
inline constexpr const char *api_variable = "AMPLITUDE_API";
/// options.min_id_length sent with every request.
inline constexpr const char *min_id_length_variable = "AMPLITUDE_MIN_ID_LENGTH";
/// Whole-request timeout in milliseconds.
inline constexpr const char *timeout_variable = "AMPLITUDE_TIMEOUT_MS";
/// TCP/TLS connect timeout in milliseconds.
inline constexpr const char *connect_timeout_variable = "AMPLITUDE_CONNECT_TIMEOUT_MS";
/// How long events Amplitude throttled (429 throttled_events) wait before they are sent again.
inline constexpr const char *throttle_retry_variable = "AMPLITUDE_THROTTLE_RETRY_MS";

/// The variables the descriptor declares. The host reads the environment, applies
/// the defaults, checks the required ones and hands the values to create.
inline constexpr pgraph_env_var declared_variables[] = {
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = enable_variable,
        .default_value = "false",
        .description = "true sends events to Amplitude (ANALYTICS_ENABLED must be true as well)",
        .type = PGRAPH_VAR_BOOL,
        .reserved0 = 0,
        .min_value = 0,
        .max_value = 0,
        .allowed_values = nullptr,
    },
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = PGRAPH_ENV_SECRET | PGRAPH_ENV_REQUIRED,
        .name = api_key_variable,
        .default_value = nullptr,
        .description = "Amplitude project API key",
        .type = PGRAPH_VAR_STRING,
        .reserved0 = 0,
        .min_value = 0,
        .max_value = 0,
        .allowed_values = nullptr,
    },
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = region_variable,
        .default_value = "us",
        .description = "Data residency region: us or eu",
        .type = PGRAPH_VAR_ENUM,
        .reserved0 = 0,
        .min_value = 0,
        .max_value = 0,
        .allowed_values = "us|eu",
    },
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = endpoint_variable,
        .default_value = nullptr,
        .description = "Full http(s) URL to post to instead of the regional endpoint (proxies, tests)",
        .type = PGRAPH_VAR_URL,
        .reserved0 = 0,
        .min_value = 0,
        .max_value = 0,
        .allowed_values = nullptr,
    },
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = api_variable,
        .default_value = "httpapi",
        .description = "Which ingestion API to use: httpapi (HTTP V2) or batch (Batch Event Upload)",
        .type = PGRAPH_VAR_ENUM,
        .reserved0 = 0,
        .min_value = 0,
        .max_value = 0,
        .allowed_values = "httpapi|batch",
    },
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = min_id_length_variable,
        .default_value = "1",
        .description = "options.min_id_length: shortest user_id/device_id Amplitude keeps, 1 to 1024",
        .type = PGRAPH_VAR_INTEGER,
        .reserved0 = 0,
        .min_value = 1,
        .max_value = 1024,
        .allowed_values = nullptr,
    },
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = timeout_variable,
        .default_value = "10000",
        .description = "Timeout of one request to Amplitude in milliseconds",
        .type = PGRAPH_VAR_DURATION_MS,
        .reserved0 = 0,
        .min_value = 1,
        .max_value = 3600000,
        .allowed_values = nullptr,
    },
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = connect_timeout_variable,
        .default_value = "3000",
        .description = "Connect timeout towards Amplitude in milliseconds",
        .type = PGRAPH_VAR_DURATION_MS,
        .reserved0 = 0,
        .min_value = 1,
        .max_value = 3600000,
        .allowed_values = nullptr,
    },
    {
        .struct_size = sizeof(pgraph_env_var),
        .flags = 0,
        .name = throttle_retry_variable,
        .default_value = "30000",
        .description = "Wait before re-sending events Amplitude throttled (429), in milliseconds",
        .type = PGRAPH_VAR_DURATION_MS,
        .reserved0 = 0,
        .min_value = 1,
        .max_value = 3600000,
        .allowed_values = nullptr,
    },
};

/// Which Amplitude ingestion API the plugin posts to; they share one body schema.
enum class Api { httpapi, batch };

/// The limits of `api`: 2,000 events and < 1,000,000 bytes on httpapi, < 20,000,000 on batch.
RequestLimits limits_of(Api api);

/// Typed settings of one Amplitude plugin instance.
struct AmplitudeSettings {
    std::string api_key;
    std::string endpoint;  // the full URL requests go to
    Api api = Api::httpapi;
    int min_id_length = 1;
    std::chrono::milliseconds timeout{10'000};
    std::chrono::milliseconds connect_timeout{3'000};
    std::chrono::milliseconds throttle_retry{30'000};
};

/// The settings, or a one-line reason that names the variable at fault (never the key).
using SettingsResult = std::variant<AmplitudeSettings, std::string>;

/// The value of a variable by name; nullopt when the host passed none.
using ValueLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

/// Builds the settings from variable values. Absent variables take the declared
/// defaults, so a lookup that knows nothing still gives valid settings except for
/// the required API key.
SettingsResult parse_settings(const ValueLookup &lookup);

/// Builds the settings from the configuration entries handed to create.
SettingsResult read_settings(const pgraph_create_args &args);

}  // namespace productgraph::amplitude

#endif  // PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_CONFIG_HPP
