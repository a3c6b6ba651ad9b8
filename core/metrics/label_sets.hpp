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
/// The listener the HTTP edge names ("admin" or "public"); anything else is public.
Listener listener_of(std::string_view name);

/// The route templates the HTTP edge sets on each answer (ResponseWriter::set_route).
enum class Route {
    events,
    health,
    ready,
    metrics,
    plugins,
    plugin_dead_letters,
    plugin_dead_letter_replay,
    plugin_endpoint,  // answered by the plugin itself
    preflight,        // OPTIONS on the public listener
    edge,             // refused by the edge before routing: framing, limits, timeouts
    unmatched,        // every other path (answered 404)
};
inline constexpr size_t route_count = 11;
/// The template: "/v1/events", "/v1/plugins/{name}/dead-letters", ..., "unmatched".
std::string_view route_label(Route route);
/// The route of a template the edge set; a string that is not one of them (a bug in
/// the caller) is counted as unmatched rather than becoming a label.
Route route_of_template(std::string_view route_template);

/// Status codes the daemon sends get their own label value ("404"); any other code
/// (a plugin may answer its own) is folded into its class ("4xx"), and a code outside
/// 100-599 into "other".
inline constexpr std::array<int, 26> named_status_codes = {200, 201, 202, 204, 301, 302, 304, 400, 401,
                                                           403, 404, 405, 408, 409, 411, 413, 415, 417,
                                                           429, 431, 500, 501, 502, 503, 504, 505};
inline constexpr size_t status_slot_count = named_status_codes.size() + 5 + 1;
size_t status_slot(int code);
std::string_view status_label(size_t slot);

}  // namespace productgraph::metrics
