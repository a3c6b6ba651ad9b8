// Settings to server configurations. The admin listener gets one thread: it serves
// operators and scrapers, not traffic.
#include "http/listeners.hpp"

#include "http/api_handler.hpp"

namespace productgraph::http {
namespace {

ServerLimits limits_from(const HttpSettings &settings)
{
    ServerLimits limits;
    limits.framing.max_header_bytes = settings.max_header_bytes;
    limits.framing.max_header_count = settings.max_header_count;
    limits.framing.max_body_bytes = settings.max_body_bytes;
    limits.header_timeout = settings.header_timeout;
    limits.body_timeout = settings.body_timeout;
    limits.keepalive_timeout = settings.keepalive_timeout;
    limits.retry_after = settings.retry_after;
    return limits;
}

}  // namespace

Listeners::Listeners(std::shared_ptr<ApiContext> context)
    : budget_(std::make_shared<InflightBudget>(context->settings.max_inflight_bytes))
{
    const HttpSettings &settings = context->settings;
    ServerConfig public_config{"public", "PORT", ListenAddress{settings.listen_host, settings.port}, settings.threads,
                               limits_from(settings)};
    ServerConfig admin_config{"admin", "PRODUCTGRAPH_ADMIN_ADDRESS", settings.admin_address, 1, limits_from(settings)};
    public_ = std::make_unique<HttpServer>(std::move(public_config),
                                           std::make_shared<ApiHandler>(context, Listener::public_api), budget_);
    admin_ = std::make_unique<HttpServer>(std::move(admin_config),
                                          std::make_shared<ApiHandler>(context, Listener::admin), budget_);
}

common::Result<Listeners::Ports> Listeners::start()
{
    Ports ports;
    auto public_port = public_->start();
    if (!public_port) return tl::unexpected(public_port.error());
    auto admin_port = admin_->start();
    if (!admin_port) {
        public_->shutdown();
        return tl::unexpected(admin_port.error());
    }
    ports.public_port = *public_port;
    ports.admin_port = *admin_port;
    return ports;
}

void Listeners::shutdown()
{
    public_->shutdown();
    admin_->shutdown();
}

}  // namespace productgraph::http
