// Routes by listener, method and path. The public listener serves only events,
// preflights, health and readiness; the admin listener serves plugins, dead
// letters, metrics, health and readiness, behind PRODUCTGRAPH_ADMIN_KEYS.
#pragma once

#include <memory>

#include "http/api_context.hpp"
#include "http/server_limits.hpp"

namespace productgraph::http {

enum class Listener { public_api, admin };

class ApiHandler : public RequestHandler {
public:
    ApiHandler(std::shared_ptr<ApiContext> context, Listener listener)
        : context_(std::move(context)), listener_(listener)
    {}

    void on_request(Request &request, ResponseWriter response) override;

private:
    void route_public(Request &request, ResponseWriter &response);
    void route_admin(Request &request, ResponseWriter &response);
    std::shared_ptr<ApiContext> context_;
    Listener listener_;
};

}  // namespace productgraph::http
