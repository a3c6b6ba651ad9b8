// The fixed sets HTTP request labels come from: listeners, route templates and status
// codes. A raw path or an unexpected status never becomes a label value, so a
// client cannot create series.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace productgraph::metrics {

enum class Listener { public_api, admin };
inline constexpr size_t listener_count = 2;
/// "public" or "admin".
std::string_view listener_label(Listener listener);

enum class Route {
    events,
    health,
    ready,
    metrics,
    plugins,
    plugin_dead_letters,
    plugin_dead_letter_replay,
    plugin_endpoint,  // answered by the plugin itself
    unmatched,        // every other path (answered 404)
};
inline constexpr size_t route_count = 9;
/// The template: "/v1/events", "/v1/plugins/{plugin}/dead-letters", ..., "unmatched".
std::string_view route_label(Route route);
/// The template a request path belongs to (the query string already removed).
Route route_of(std::string_view path);

/// Status codes the daemon sends get their own label value ("404"); any other code
/// is folded into its class ("4xx"), and a code outside 100-599 into "other".
inline constexpr std::array<int, 18> named_status_codes = {200, 201, 202, 204, 301, 302, 304, 400, 401,
                                                           403, 404, 405, 408, 409, 413, 429, 500, 503};
inline constexpr size_t status_slot_count = named_status_codes.size() + 5 + 1;
size_t status_slot(int code);
std::string_view status_label(size_t slot);

}  // namespace productgraph::metrics
