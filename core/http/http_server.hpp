// One listener: a bound socket (backlog 4096) and its event-loop threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "http/event_loop.hpp"
#include "http/listen_address.hpp"
#include "http/server_limits.hpp"

namespace productgraph::http {

struct ServerConfig {
    std::string name;              // "public" or "admin": logs and the variable named in bind errors
    std::string address_variable;  // e.g. "PORT" or "PRODUCTGRAPH_ADMIN_ADDRESS"
    ListenAddress address;
    int threads = 2;
    ServerLimits limits;
};

class HttpServer {
public:
    HttpServer(ServerConfig config, std::shared_ptr<RequestHandler> handler, std::shared_ptr<InflightBudget> budget);
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    /// Binds and serves on background threads. Returns the bound port (useful with
    /// port 0), or an error naming the address variable when it cannot listen.
    common::Result<uint16_t> start();
    /// Closes the listening socket and every connection; idempotent.
    void shutdown();

private:
    ServerConfig config_;
    std::shared_ptr<RequestHandler> handler_;
    std::shared_ptr<InflightBudget> budget_;
    ConnectionContext context_;
    int listen_fd_ = -1;
    std::unique_ptr<LoopBalance> balance_;  // outlives loops_, which refer to it
    std::vector<std::unique_ptr<EventLoop>> loops_;
    std::vector<std::thread> threads_;
};

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
uint64_t raise_fd_limit();

}  // namespace productgraph::http
