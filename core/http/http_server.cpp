// Endpoint set-up. Pistache's request limit covers headers and body together and
// defaults to 4 KB, so it is raised to the body limit plus room for headers.
#include "http/http_server.hpp"

#include "http/api_handler.hpp"

namespace productgraph::http {

using namespace Pistache;

namespace {
constexpr size_t header_allowance = 64 * 1024;
}

HttpServer::HttpServer(std::shared_ptr<ApiContext> context) : context_(std::move(context)) {}

HttpServer::~HttpServer()
{
    shutdown();
}

common::Result<uint16_t> HttpServer::start()
{
    const HttpSettings &settings = context_->settings;
    try {
        endpoint_ = std::make_unique<Http::Endpoint>(Address(Ipv4::any(), Port(settings.port)));
        // One byte over the body limit still reaches our handler, which answers 413
        // with a JSON body; only far larger requests meet Pistache's own plain 413.
        auto options = Http::Endpoint::options()
                           .threads(settings.threads)
                           .flags(Tcp::Options::ReuseAddr)
                           .maxRequestSize(settings.max_body_bytes + header_allowance)
                           .headerTimeout(settings.header_timeout)
                           .bodyTimeout(settings.body_timeout);
        endpoint_->init(options);
        endpoint_->setHandler(std::make_shared<ApiHandler>(context_));
        endpoint_->serveThreaded();
        return static_cast<uint16_t>(endpoint_->getPort());
    } catch (const std::exception &e) {
        endpoint_.reset();
        return common::fail("PORT: cannot listen on port " + std::to_string(settings.port) + ": " + e.what());
    }
}

void HttpServer::shutdown()
{
    if (endpoint_ != nullptr) {
        endpoint_->shutdown();
        endpoint_.reset();
    }
}

}  // namespace productgraph::http
