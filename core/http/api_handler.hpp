// The Pistache handler: routes by method and path without Pistache's Router, whose
// 0.0.5 route table is mutated from worker threads (toolchain.md §3.7) and which
// copies every request body.
#pragma once

#include <memory>

#include <pistache/http.h>

#include "http/api_context.hpp"

namespace productgraph::http {

class ApiHandler : public Pistache::Http::Handler {
public:
    HTTP_PROTOTYPE(ApiHandler)

    explicit ApiHandler(std::shared_ptr<ApiContext> context) : context_(std::move(context)) {}

    void onRequest(const Pistache::Http::Request &request, Pistache::Http::ResponseWriter response) override;

private:
    void route(const Pistache::Http::Request &request, Pistache::Http::ResponseWriter &response);
    std::shared_ptr<ApiContext> context_;
};

}  // namespace productgraph::http
