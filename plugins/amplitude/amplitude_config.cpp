// Turns the Amplitude plugin's configuration entries into typed settings.
#include "amplitude_config.hpp"

#include <productgraph/publisher.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <iterator>

namespace productgraph::amplitude {
namespace {

// providers.md §1.1: the two residencies and the two ingestion paths.
constexpr std::string_view us_host = "https://api2.amplitude.com";
constexpr std::string_view eu_host = "https://api.eu.amplitude.com";

std::optional<std::string_view> declared_default(std::string_view name)
{
    for (const pgraph_env_var &variable : declared_variables) {
        if (name == variable.name && variable.default_value != nullptr) return variable.default_value;
    }
    return std::nullopt;
}

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// from_chars accepts neither signs nor spaces, so "+5", " 5" and "5 " fail here.
std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max)
{
    std::int64_t value = 0;
    const char *last = text.data() + text.size();
    const auto [end, error] = std::from_chars(text.data(), last, value);
    if (text.empty() || error != std::errc{} || end != last || value < min || value > max) return std::nullopt;
    return value;
}

bool has_space_or_control(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

// Only the scheme and the presence of a host are checked; the value is not echoed
// back because a proxy URL may carry credentials.
bool is_http_url(std::string_view url)
{
    const std::string lowered = lower(url.substr(0, 8));
    std::size_t scheme = 0;
    if (lowered.starts_with("https://")) {
        scheme = 8;
    } else if (lowered.starts_with("http://")) {
        scheme = 7;
    } else {
        return false;
    }
    return url.size() > scheme && url[scheme] != '/' && !has_space_or_control(url);
}

}  // namespace

RequestLimits limits_of(Api api)
{
    if (api == Api::batch) return RequestLimits{2000, 20'000'000};
    return RequestLimits{2000, 1'000'000};
}

SettingsResult parse_settings(const ValueLookup &lookup)
{
    const auto value = [&](std::string_view name) -> std::optional<std::string_view> {
        if (auto given = lookup(name)) return given;
        return declared_default(name);
    };
    const auto quoted = [](std::string_view text) { return "\"" + std::string(text) + "\""; };
    AmplitudeSettings settings;

    const auto key = value(api_key_variable);
    if (!key || key->empty()) return std::string(api_key_variable) + " is required";
    if (has_space_or_control(*key)) {
        return std::string(api_key_variable) + " must not contain spaces or control characters";
    }
    settings.api_key = std::string(*key);

    const std::string_view api_text = value(api_variable).value_or("");
    const std::string api = lower(api_text);
    if (api == "httpapi") {
        settings.api = Api::httpapi;
    } else if (api == "batch") {
        settings.api = Api::batch;
    } else {
        return std::string(api_variable) + " must be httpapi or batch, got " + quoted(api_text);
    }

    const std::string_view region_text = value(region_variable).value_or("");
    const std::string region = lower(region_text);
    if (region != "us" && region != "eu") {
        return std::string(region_variable) + " must be us or eu, got " + quoted(region_text);
    }
    if (const auto endpoint = value(endpoint_variable); endpoint && !endpoint->empty()) {
        if (!is_http_url(*endpoint)) {
            return std::string(endpoint_variable) + " must be an http:// or https:// URL with a host";
        }
        settings.endpoint = std::string(*endpoint);
    } else {
        settings.endpoint =
            std::string(region == "eu" ? eu_host : us_host) + (settings.api == Api::batch ? "/batch" : "/2/httpapi");
    }

    struct IntegerVariable {
        const char *name;
        std::int64_t min;
        std::int64_t max;
        std::int64_t *out;
    };
    std::int64_t min_id_length = 0, timeout = 0, connect_timeout = 0, throttle_retry = 0;
    const IntegerVariable integers[] = {
        {min_id_length_variable, 1, 1024, &min_id_length},
        {timeout_variable, 1, 3'600'000, &timeout},
        {connect_timeout_variable, 1, 3'600'000, &connect_timeout},
        {throttle_retry_variable, 1, 3'600'000, &throttle_retry},
    };
    for (const IntegerVariable &variable : integers) {
        const std::string_view text = value(variable.name).value_or("");
        const auto parsed = parse_integer(text, variable.min, variable.max);
        if (!parsed) {
            return std::string(variable.name) + " must be an integer from " + std::to_string(variable.min) + " to " +
                   std::to_string(variable.max) + ", got " + quoted(text);
        }
        *variable.out = *parsed;
    }
    settings.min_id_length = static_cast<int>(min_id_length);
    settings.timeout = std::chrono::milliseconds(timeout);
    settings.connect_timeout = std::chrono::milliseconds(connect_timeout);
    settings.throttle_retry = std::chrono::milliseconds(throttle_retry);
    return settings;
}

SettingsResult read_settings(const pgraph_create_args &args)
{
    return parse_settings([&](std::string_view name) -> std::optional<std::string_view> {
        const char *base = reinterpret_cast<const char *>(args.config);
        for (std::size_t i = 0; i < args.config_count; ++i) {
            const auto *entry = reinterpret_cast<const pgraph_config_entry *>(base + i * args.config_entry_size);
            if (pgraph::view(entry->name) == name) return pgraph::view(entry->value);
        }
        return std::nullopt;
    });
}

}  // namespace productgraph::amplitude
