// Route templates mirror the routing table in core/http; a path that matches none is
// "unmatched", whatever it is.
#include "metrics/label_sets.hpp"

#include <algorithm>

namespace productgraph::metrics {
namespace {

constexpr std::array<std::string_view, route_count> route_labels = {
    "/v1/events",
    "/health",
    "/ready",
    "/metrics",
    "/v1/plugins",
    "/v1/plugins/{plugin}/dead-letters",
    "/v1/plugins/{plugin}/dead-letters/replay",
    "/v1/plugins/{plugin}/{path}",
    "unmatched",
};

constexpr std::array<std::string_view, named_status_codes.size()> named_status_labels = {
    "200", "201", "202", "204", "301", "302", "304", "400", "401",
    "403", "404", "405", "408", "409", "413", "429", "500", "503"};
constexpr std::array<std::string_view, 6> fallback_status_labels = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

}  // namespace

std::string_view listener_label(Listener listener)
{
    return listener == Listener::admin ? "admin" : "public";
}

std::string_view route_label(Route route)
{
    return route_labels[static_cast<size_t>(route)];
}

Route route_of(std::string_view path)
{
    if (path == "/v1/events") return Route::events;
    if (path == "/health") return Route::health;
    if (path == "/ready") return Route::ready;
    if (path == "/metrics") return Route::metrics;
    if (path == "/v1/plugins") return Route::plugins;
    constexpr std::string_view plugins_prefix = "/v1/plugins/";
    if (!path.starts_with(plugins_prefix)) return Route::unmatched;
    const std::string_view rest = path.substr(plugins_prefix.size());
    const std::string_view below = rest.substr(std::min(rest.find('/'), rest.size()));
    if (below == "/dead-letters") return Route::plugin_dead_letters;
    if (below == "/dead-letters/replay") return Route::plugin_dead_letter_replay;
    return Route::plugin_endpoint;
}

size_t status_slot(int code)
{
    const auto named = std::find(named_status_codes.begin(), named_status_codes.end(), code);
    if (named != named_status_codes.end()) return static_cast<size_t>(named - named_status_codes.begin());
    if (code < 100 || code > 599) return named_status_codes.size() + 5;
    return named_status_codes.size() + static_cast<size_t>(code / 100 - 1);
}

std::string_view status_label(size_t slot)
{
    if (slot < named_status_labels.size()) return named_status_labels[slot];
    return fallback_status_labels[std::min(slot - named_status_labels.size(), fallback_status_labels.size() - 1)];
}

}  // namespace productgraph::metrics
