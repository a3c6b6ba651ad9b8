// Routing table in code: each path answers its methods, anything else is a JSON
// 404 or 405, and no exception ever reaches the server (which answers a bare 500).
#include "http/api_handler.hpp"

#include <algorithm>
#include <string_view>

#include "common/log.hpp"
#include "http/admin_endpoints.hpp"
#include "http/event_intake.hpp"
#include "http/json_response.hpp"
#include "http/metrics_endpoint.hpp"
#include "http/request_guards.hpp"

namespace productgraph::http {
namespace {

constexpr std::string_view plugins_prefix = "/v1/plugins/";
constexpr std::string_view metrics_route = "/metrics";
constexpr std::string_view plugin_list_route = "/v1/plugins";
constexpr std::string_view dead_letters_route = "/v1/plugins/{name}/dead-letters";
constexpr std::string_view replay_route = "/v1/plugins/{name}/dead-letters/replay";
constexpr std::string_view plugin_path_route = "/v1/plugins/{name}/{path}";
constexpr std::string_view unmatched_route = "unmatched";

// The route template an admin path is counted under (metrics labels never carry raw paths).
std::string_view admin_route_of(std::string_view path)
{
    if (path == metrics_route) return metrics_route;
    if (path == plugin_list_route) return plugin_list_route;
    if (!path.starts_with(plugins_prefix)) return unmatched_route;
    const std::string_view rest = path.substr(plugins_prefix.size());
    const std::string_view below = rest.substr(std::min(rest.find('/'), rest.size()));
    // Dead letters belong to the host, whatever the plugin answers itself.
    if (below == "/dead-letters") return dead_letters_route;
    if (below == "/dead-letters/replay") return replay_route;
    return plugin_path_route;
}

void method_not_allowed(ResponseWriter &response, Method allowed)
{
    response.add_header("Allow", method_name(allowed));
    send_error(response, Status::method_not_allowed,
               std::string("method not allowed; use ") + std::string(method_name(allowed)));
}

void not_found(const Request &request, ResponseWriter &response)
{
    send_error(response, Status::not_found, "no such endpoint: " + std::string(request.path));
}

}  // namespace

void ApiHandler::on_request(Request &request, ResponseWriter response)
{
    try {
        if (listener_ == Listener::public_api) {
            route_public(request, response);
        } else {
            route_admin(request, response);
        }
    } catch (const std::exception &e) {
        common::log_error("request failed", {{"path", request.path}, {"error", e.what()}});
        send_error(response, Status::internal_server_error, "internal error");
    } catch (...) {
        common::log_error("request failed", {{"path", request.path}});
        send_error(response, Status::internal_server_error, "internal error");
    }
}

void ApiHandler::route_public(Request &request, ResponseWriter &response)
{
    const std::vector<std::string> &origins = context_->settings.cors_origins;
    if (request.method == Method::options) {
        response.set_route("preflight");
        answer_preflight(origins, request, response);
        return;
    }
    add_cors_headers(origins, request, response);
    const std::string_view path = request.path;
    const Method method = request.method;
    const bool is_get = method == Method::get || method == Method::head;

    if (path == "/v1/events") {
        response.set_route("/v1/events");
        if (method != Method::post) return method_not_allowed(response, Method::post);
        // A browser on a site we do not serve: refuse before reading its events.
        if (origin_refused(origins, request)) {
            return send_error(response, Status::forbidden,
                              "origin " + std::string(*request.header("Origin")) + " is not allowed");
        }
        return handle_post_events(*context_, request, response);
    }
    if (path == "/health") {
        response.set_route("/health");
        return is_get ? handle_health(response) : method_not_allowed(response, Method::get);
    }
    if (path == "/ready") {
        response.set_route("/ready");
        return is_get ? handle_ready(*context_, response) : method_not_allowed(response, Method::get);
    }
    // Admin paths live on the admin listener only; here they do not exist, whatever key is sent.
    not_found(request, response);
}

void ApiHandler::route_admin(Request &request, ResponseWriter &response)
{
    const std::string_view path = request.path;
    const Method method = request.method;
    const bool is_get = method == Method::get || method == Method::head;

    if (path == "/health") {
        response.set_route("/health");
        return is_get ? handle_health(response) : method_not_allowed(response, Method::get);
    }
    if (path == "/ready") {
        response.set_route("/ready");
        return is_get ? handle_ready(*context_, response) : method_not_allowed(response, Method::get);
    }
    // The route is set before the key is checked, so a refused scrape is counted as a
    // refused /metrics, not as an unknown path.
    const std::string_view route = admin_route_of(path);
    response.set_route(route);
    if (!admin_key_accepted(context_->settings.admin_keys, request)) {
        response.add_header("WWW-Authenticate", "Bearer");
        return send_error(response, Status::unauthorized,
                          request.header("Authorization") ? "Authorization: not a valid admin key"
                                                          : "Authorization: Bearer <admin key> required");
    }
    if (route == metrics_route) {
        return is_get ? handle_metrics(*context_, request, response) : method_not_allowed(response, Method::get);
    }
    if (route == plugin_list_route) {
        return is_get ? handle_plugin_list(*context_, response) : method_not_allowed(response, Method::get);
    }
    if (route == unmatched_route) return not_found(request, response);

    const std::string_view rest = path.substr(plugins_prefix.size());
    const std::string_view plugin = rest.substr(0, rest.find('/'));
    if (route == dead_letters_route) {
        return is_get ? handle_dead_letter_list(*context_, plugin, request, response)
                      : method_not_allowed(response, Method::get);
    }
    if (route == replay_route) {
        return method == Method::post ? handle_dead_letter_replay(*context_, plugin, response)
                                      : method_not_allowed(response, Method::post);
    }
    if (!is_get) return method_not_allowed(response, Method::get);
    return handle_plugin_request(*context_, rest, request, response);
}

}  // namespace productgraph::http
