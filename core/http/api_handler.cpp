// Routing table in code: each path answers its methods, anything else is a JSON
// 404 or 405, and no exception ever reaches Pistache (which would send e.what()).
#include "http/api_handler.hpp"

#include <string_view>

#include "common/log.hpp"
#include "http/admin_endpoints.hpp"
#include "http/event_intake.hpp"
#include "http/json_response.hpp"
#include "http/metrics_endpoint.hpp"
#include "http/request_guards.hpp"
#include "metrics/daemon_metrics.hpp"

namespace productgraph::http {
namespace {

using namespace Pistache;

constexpr std::string_view plugins_prefix = "/v1/plugins/";

void method_not_allowed(Http::ResponseWriter &response, Http::Method allowed)
{
    response.headers().add<Http::Header::Allow>(allowed);
    send_error(response, Http::Code::Method_Not_Allowed,
               std::string("method not allowed; use ") + Http::methodString(allowed));
}

}  // namespace

void ApiHandler::onRequest(const Http::Request &request, Http::ResponseWriter response)
{
    try {
        if (request.method() == Http::Method::Options) {
            answer_preflight(context_->settings.cors_origins, request, std::move(response));
            return;
        }
        set_connection_header(request, response);
        add_cors_headers(context_->settings.cors_origins, request, response);
        route(request, response);
    } catch (const std::exception &e) {
        common::log_error("request failed", {{"path", request.resource()}, {"error", e.what()}});
        send_error(response, Http::Code::Internal_Server_Error, "internal error");
    } catch (...) {
        common::log_error("request failed", {{"path", request.resource()}});
        send_error(response, Http::Code::Internal_Server_Error, "internal error");
    }
    // Answered here and now (a /v1/events answered later by the queue counts itself).
    if (response.getResponseSize() > 0) {
        metrics::count_http_request(metrics::Listener::public_api, request.resource(),
                                    static_cast<int>(response.getResponseCode()));
    }
}

void ApiHandler::route(const Http::Request &request, Http::ResponseWriter &response)
{
    const std::string &path = request.resource();
    const Http::Method method = request.method();
    const bool is_get = method == Http::Method::Get || method == Http::Method::Head;

    if (path == "/v1/events") {
        if (method != Http::Method::Post) return method_not_allowed(response, Http::Method::Post);
        return handle_post_events(*context_, request, response);
    }
    if (path == "/health") return is_get ? handle_health(response) : method_not_allowed(response, Http::Method::Get);
    if (path == "/ready")
        return is_get ? handle_ready(*context_, response) : method_not_allowed(response, Http::Method::Get);
    if (path == "/metrics") {
        return is_get ? serve_metrics(*context_, response) : method_not_allowed(response, Http::Method::Get);
    }
    if (path == "/v1/plugins") {
        return is_get ? handle_plugin_list(*context_, response) : method_not_allowed(response, Http::Method::Get);
    }
    if (std::string_view(path).starts_with(plugins_prefix)) {
        const std::string_view rest = std::string_view(path).substr(plugins_prefix.size());
        const std::string_view plugin = rest.substr(0, rest.find('/'));
        const std::string_view below = rest.substr(plugin.size());
        // Dead letters belong to the host, whatever the plugin answers itself.
        if (below == "/dead-letters") {
            return is_get ? handle_dead_letter_list(*context_, plugin, request, response)
                          : method_not_allowed(response, Http::Method::Get);
        }
        if (below == "/dead-letters/replay") {
            return method == Http::Method::Post ? handle_dead_letter_replay(*context_, plugin, response)
                                                : method_not_allowed(response, Http::Method::Post);
        }
        if (!is_get) return method_not_allowed(response, Http::Method::Get);
        return handle_plugin_request(*context_, rest, request, response);
    }
    send_error(response, Http::Code::Not_Found, "no such endpoint: " + path);
}

}  // namespace productgraph::http
