// Checks for the event API's variables. Each error names the variable, the rule and
// the offending item, and the daemon exits 2 with it.
#include "daemon/api_variables.hpp"

#include <algorithm>

#include "common/environment.hpp"
#include "event/utf8.hpp"

namespace productgraph::daemon {
namespace {

bool is_visible_ascii(char c)
{
    return c > 0x20 && c < 0x7F;
}

bool is_scheme_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

// Why `origin` can never equal a browser's Origin header, or "" when it can.
std::string origin_problem(std::string_view origin)
{
    if (origin == "*") return "";
    const size_t separator = origin.find("://");
    if (separator == std::string_view::npos || separator == 0 || origin.front() < 'a' || origin.front() > 'z' ||
        !std::all_of(origin.begin(), origin.begin() + static_cast<std::ptrdiff_t>(separator), is_scheme_char)) {
        return "must be * or scheme://host[:port] (e.g. https://app.example.com)";
    }
    const std::string_view host = origin.substr(separator + 3);
    if (host.empty()) return "has no host";
    if (host.find('/') != std::string_view::npos) {
        return "must not have a path or a trailing / (browsers send https://app.example.com)";
    }
    if (!std::all_of(host.begin(), host.end(), is_visible_ascii)) return "must be visible ASCII without blanks";
    if (std::any_of(origin.begin(), origin.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        return "must be lower case, as browsers send it";
    }
    return "";
}

common::Result<std::vector<std::string>> read_keys(const common::EnvLookup &env, const char *name,
                                                   std::string_view header)
{
    auto keys = common::env_list(env, name);
    if (!keys) return tl::unexpected(keys.error());
    if (!*keys) return std::vector<std::string>{};
    for (const std::string &key : **keys) {
        if (!std::all_of(key.begin(), key.end(), is_visible_ascii)) {
            // The key itself is a secret: say where it breaks the rule, never what it is.
            return common::fail(std::string(name) + ": each key must be visible ASCII without blanks (it is sent in " +
                                std::string(header) + "); one key of " + std::to_string(key.size()) + " bytes is not");
        }
    }
    return std::move(**keys);
}

}  // namespace

common::Result<std::vector<std::string>> read_api_keys(const common::EnvLookup &env)
{
    return read_keys(env, "PRODUCTGRAPH_API_KEYS", "the X-PG-API-Key header");
}

common::Result<std::vector<std::string>> read_admin_keys(const common::EnvLookup &env)
{
    return read_keys(env, "PRODUCTGRAPH_ADMIN_KEYS", "an Authorization: Bearer header");
}

common::Result<std::vector<std::string>> read_cors_origins(const common::EnvLookup &env)
{
    auto origins = common::env_list(env, "PRODUCTGRAPH_CORS_ORIGINS");
    if (!origins) return tl::unexpected(origins.error());
    if (!*origins) return std::vector<std::string>{"*"};
    for (const std::string &origin : **origins) {
        if (const std::string problem = origin_problem(origin); !problem.empty()) {
            return common::fail("PRODUCTGRAPH_CORS_ORIGINS: \"" + origin + "\" " + problem);
        }
    }
    return std::move(**origins);
}

common::Result<http::AddressBlocks> read_trusted_proxies(const common::EnvLookup &env)
{
    const auto text = env("PRODUCTGRAPH_TRUSTED_PROXIES");
    if (!text) return http::AddressBlocks{};
    auto blocks = http::parse_address_blocks(*text);
    if (!blocks) return common::fail("PRODUCTGRAPH_TRUSTED_PROXIES: " + blocks.error().message);
    return std::move(*blocks);
}

common::Result<std::string> read_default_project_id(const common::EnvLookup &env)
{
    constexpr size_t max_bytes = 256;
    auto id = common::env_text(env, "PRODUCTGRAPH_DEFAULT_PROJECT_ID", "default");
    if (!id) return id;
    const bool control =
        std::any_of(id->begin(), id->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
    const bool utf8 = !event::find_invalid_utf8(*id);
    if (id->size() > max_bytes || control || !utf8) {
        const std::string shown =
            !utf8 ? "bytes that are not UTF-8" : "\"" + id->substr(0, 64) + (id->size() > 64 ? "...\"" : "\"");
        return common::fail("PRODUCTGRAPH_DEFAULT_PROJECT_ID: must be 1 to 256 bytes of UTF-8 text without "
                            "control characters, got " +
                            shown);
    }
    return id;
}

}  // namespace productgraph::daemon
