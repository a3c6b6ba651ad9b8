// Turns the Mixpanel plugin's configuration entries into typed settings.
#include "mixpanel_config.hpp"

#include <productgraph/publisher.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace productgraph::mixpanel {
namespace {

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool has_space_or_control(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

std::string quoted(std::string_view value)
{
    return "\"" + std::string(value) + "\"";
}

// A value the host passed, or the declared default when it passed none.
std::string_view value_or_default(const ConfigLookup &value_of, std::string_view name, std::string_view fallback)
{
    const auto value = value_of(name);
    return value ? *value : fallback;
}

// Milliseconds in [minimum, maximum]; from_chars accepts neither signs nor spaces.
std::optional<std::int64_t> parse_ms(std::string_view text, std::int64_t minimum, std::int64_t maximum)
{
    std::int64_t value = 0;
    const char *last = text.data() + text.size();
    const auto [end, error] = std::from_chars(text.data(), last, value);
    if (text.empty() || error != std::errc{} || end != last || value < minimum || value > maximum) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::string> read_ms(const ConfigLookup &value_of, const char *name, std::int64_t fallback,
                                   std::int64_t minimum, std::int64_t maximum, std::int64_t &out)
{
    const auto value = value_of(name);
    if (!value) {
        out = fallback;
        return std::nullopt;
    }
    const auto parsed = parse_ms(*value, minimum, maximum);
    if (!parsed) {
        return std::string(name) + " must be a whole number of milliseconds from " + std::to_string(minimum) + " to " +
               std::to_string(maximum) + ", got " + quoted(*value);
    }
    out = *parsed;
    return std::nullopt;
}

// scheme://authority[/prefix]; the query and fragment belong to the plugin, and
// credentials in a URL would end up in logs, so both are refused.
std::optional<std::string> read_base_url(std::string_view url, std::string &out)
{
    const std::size_t separator = url.find("://");
    const bool has_scheme = separator != std::string_view::npos;
    const std::string scheme = has_scheme ? lower(url.substr(0, separator)) : std::string();
    const std::string_view rest = has_scheme ? url.substr(separator + 3) : std::string_view{};
    const std::string_view authority = rest.substr(0, rest.find('/'));
    const char *problem = nullptr;
    if (scheme != "http" && scheme != "https") {
        problem = "must start with http:// or https://";
    } else if (authority.empty()) {
        problem = "must name a host";
    } else if (has_space_or_control(url)) {
        problem = "must not contain spaces or control characters";
    } else if (url.find_first_of("?#") != std::string_view::npos) {
        problem = "must not contain a query or fragment";
    } else if (authority.find('@') != std::string_view::npos) {
        problem = "must not contain credentials (use MIXPANEL_SERVICE_ACCOUNT_*)";
    }
    if (problem != nullptr) return std::string(api_host_variable) + " " + problem + ", got " + quoted(url);
    out = std::string(url);
    while (out.ends_with('/')) out.pop_back();
    return std::nullopt;
}

std::optional<std::string> read_region(std::string_view region, std::string &out)
{
    const std::string name = lower(region);
    if (name == "us") {
        out = "https://api.mixpanel.com";
    } else if (name == "eu") {
        out = "https://api-eu.mixpanel.com";
    } else if (name == "in") {
        out = "https://api-in.mixpanel.com";
    } else {
        return std::string(region_variable) + " must be us, eu or in, got " + quoted(region);
    }
    return std::nullopt;
}

// Secrets go into HTTP Basic auth, where ':' would split the user name and
// whitespace would be a copy-paste accident; the value itself is never echoed.
std::optional<std::string> check_credential(const char *name, std::string_view value, bool colon_allowed)
{
    if (has_space_or_control(value)) return std::string(name) + " must not contain spaces or control characters";
    if (!colon_allowed && value.find(':') != std::string_view::npos) return std::string(name) + " must not contain ':'";
    return std::nullopt;
}

std::optional<std::string> read_credentials(const ConfigLookup &value_of, MixpanelSettings &settings)
{
    settings.token = std::string(value_or_default(value_of, token_variable, ""));
    if (settings.token.empty()) return std::string(token_variable) + " is required";
    if (auto problem = check_credential(token_variable, settings.token, false)) return problem;

    const std::string_view user = value_or_default(value_of, service_account_username_variable, "");
    const std::string_view secret = value_or_default(value_of, service_account_secret_variable, "");
    if (user.empty() != secret.empty()) {
        return std::string(user.empty() ? service_account_username_variable : service_account_secret_variable) +
               " must be set together with " +
               (user.empty() ? service_account_secret_variable : service_account_username_variable);
    }
    if (auto problem = check_credential(service_account_username_variable, user, false)) return problem;
    if (auto problem = check_credential(service_account_secret_variable, secret, true)) return problem;
    settings.service_account_username = std::string(user);
    settings.service_account_secret = std::string(secret);

    const std::string_view project = value_or_default(value_of, project_id_variable, "");
    if (!std::all_of(project.begin(), project.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return std::string(project_id_variable) + " must be a numeric project id, got " + quoted(project);
    }
    // A service account is scoped to an organisation, so Mixpanel needs the project.
    if (settings.uses_service_account() && project.empty()) {
        return std::string(project_id_variable) + " is required with " + service_account_username_variable;
    }
    settings.project_id = std::string(project);
    return std::nullopt;
}

}  // namespace

SettingsResult parse_settings(const ConfigLookup &value_of)
{
    MixpanelSettings settings;
    if (auto problem = read_credentials(value_of, settings)) return *problem;

    const std::string_view api = value_or_default(value_of, api_variable, "import");
    if (lower(api) == "import") {
        settings.api = ApiMode::import;
    } else if (lower(api) == "track") {
        settings.api = ApiMode::track;
    } else {
        return std::string(api_variable) + " must be import or track, got " + quoted(api);
    }

    // The region is checked even when MIXPANEL_API_HOST replaces it, so that a typo
    // does not wait for the day the override is removed.
    if (auto problem = read_region(value_or_default(value_of, region_variable, "us"), settings.base_url)) {
        return *problem;
    }
    if (const auto host = value_of(api_host_variable)) {
        if (auto problem = read_base_url(*host, settings.base_url)) return *problem;
    }

    constexpr std::int64_t hour_ms = 3'600'000;
    if (auto problem = read_ms(value_of, timeout_variable, 10000, 1, hour_ms, settings.timeout_ms)) return *problem;
    if (auto problem = read_ms(value_of, connect_timeout_variable, 3000, 1, hour_ms, settings.connect_timeout_ms)) {
        return *problem;
    }
    if (auto problem = read_ms(value_of, retry_initial_variable, 2000, 1, 60'000, settings.retry_initial_ms)) {
        return *problem;
    }
    return settings;
}

SettingsResult read_settings(const pgraph_create_args &args)
{
    return parse_settings([&args](std::string_view name) -> std::optional<std::string_view> {
        // pgraph::config_value cannot tell an absent variable from an empty one.
        const char *base = reinterpret_cast<const char *>(args.config);
        for (std::size_t i = 0; i < args.config_count; ++i) {
            const auto *entry = reinterpret_cast<const pgraph_config_entry *>(base + i * args.config_entry_size);
            if (pgraph::view(entry->name) == name) return pgraph::view(entry->value);
        }
        return std::nullopt;
    });
}

}  // namespace productgraph::mixpanel
