// Route templates are the ones core/http's routing sets; status labels are the
// numbers themselves, spelled once here so no string is built per request.
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
    "/v1/plugins/{name}/dead-letters",
    "/v1/plugins/{name}/dead-letters/replay",
    "/v1/plugins/{name}/{path}",
    "preflight",
    "edge",
    "unmatched",
};

constexpr std::array<std::string_view, named_status_codes.size()> named_status_labels = {
    "200", "201", "202", "204", "301", "302", "304", "400", "401", "403", "404", "405", "408",
    "409", "411", "413", "415", "417", "429", "431", "500", "501", "502", "503", "504", "505"};
constexpr std::array<std::string_view, 6> fallback_status_labels = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

}  // namespace

std::string_view listener_label(Listener listener)
{
    return listener == Listener::admin ? "admin" : "public";
}

Listener listener_of(std::string_view name)
{
    return name == "admin" ? Listener::admin : Listener::public_api;
}

std::string_view route_label(Route route)
{
    return route_labels[static_cast<size_t>(route)];
}

Route route_of_template(std::string_view route_template)
{
    const auto found = std::find(route_labels.begin(), route_labels.end(), route_template);
    return found == route_labels.end() ? Route::unmatched : static_cast<Route>(found - route_labels.begin());
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
