// The Pistache endpoint: limits, timeouts and threads of the HTTP edge.
#pragma once

#include <cstdint>
#include <memory>

#include <pistache/endpoint.h>

#include "common/result.hpp"
#include "http/api_context.hpp"

namespace productgraph::http {

class HttpServer {
public:
    explicit HttpServer(std::shared_ptr<ApiContext> context);
    ~HttpServer();

    /// Binds and serves on background threads. Returns the bound port (useful with
    /// PORT=0), or an error naming PORT when it cannot listen.
    common::Result<uint16_t> start();
    /// Stops accepting and closes connections; idempotent.
    void shutdown();

private:
    std::shared_ptr<ApiContext> context_;
    std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace productgraph::http
