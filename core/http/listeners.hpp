// The daemon's two listeners: public (events, preflight, health, readiness) and
// private admin (plugins, dead letters, metrics, health, readiness), sharing one
// in-flight body budget.
#pragma once

#include <cstdint>
#include <memory>

#include "common/result.hpp"
#include "http/api_context.hpp"
#include "http/http_server.hpp"

namespace productgraph::http {

class Listeners {
public:
    explicit Listeners(std::shared_ptr<ApiContext> context);

    struct Ports {
        uint16_t public_port = 0;
        uint16_t admin_port = 0;
    };
    /// Binds both (PORT on PRODUCTGRAPH_LISTEN_ADDRESS, then PRODUCTGRAPH_ADMIN_ADDRESS).
    common::Result<Ports> start();
    /// Closes both listening sockets and every connection; idempotent.
    void shutdown();

private:
    std::shared_ptr<InflightBudget> budget_;
    std::unique_ptr<HttpServer> public_;
    std::unique_ptr<HttpServer> admin_;
};

}  // namespace productgraph::http
