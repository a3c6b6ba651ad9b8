// Environment variable parsing shared by the daemon configuration and the plugin host.
#include "common/environment.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace productgraph::common {

std::optional<std::string> env_value(const char *name)
{
    const char *value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

std::optional<bool> parse_bool(std::string_view text)
{
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
    if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
    return std::nullopt;
}

Result<bool> env_bool(const EnvLookup &env, const char *name, bool fallback)
{
    const auto value = env(name);
    if (!value) return fallback;
    if (const auto parsed = parse_bool(*value)) return *parsed;
    return fail(std::string(name) + ": must be true or false, got \"" + *value + "\"");
}

Result<int64_t> env_int(const EnvLookup &env, const char *name, int64_t fallback, int64_t min, int64_t max,
                        std::string_view unit)
{
    const auto value = env(name);
    if (!value) return fallback;
    int64_t parsed = 0;
    const char *end = value->data() + value->size();
    const auto [ptr, ec] = std::from_chars(value->data(), end, parsed);
    if (ec != std::errc() || ptr != end || parsed < min || parsed > max) {
        const std::string what = unit.empty() ? "an integer" : "a whole number of " + std::string(unit);
        return fail(std::string(name) + ": must be " + what + " from " + std::to_string(min) + " to " +
                    std::to_string(max) + ", got \"" + *value + "\"");
    }
    return parsed;
}

Result<std::string> env_text(const EnvLookup &env, const char *name, std::string fallback)
{
    auto value = env(name);
    if (!value) return fallback;
    if (value->empty()) return fail(std::string(name) + ": set but empty; give a value or unset it");
    if (std::isspace(static_cast<unsigned char>(value->front())) ||
        std::isspace(static_cast<unsigned char>(value->back()))) {
        return fail(std::string(name) + ": must not begin or end with blanks, got \"" + *value + "\"");
    }
    return std::move(*value);
}

Result<std::optional<std::vector<std::string>>> env_list(const EnvLookup &env, const char *name)
{
    const auto value = env(name);
    if (!value) return std::optional<std::vector<std::string>>();
    auto items = split_list(*value);
    if (items.empty()) {
        return fail(std::string(name) + ": set but lists nothing, got \"" + *value + "\"; give a value or unset it");
    }
    return std::optional<std::vector<std::string>>(std::move(items));
}

std::vector<std::string> split_list(std::string_view text)
{
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        std::string_view item = text.substr(start, comma - start);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
        if (!item.empty()) items.emplace_back(item);
        start = comma + 1;
    }
    return items;
}

}  // namespace productgraph::common
