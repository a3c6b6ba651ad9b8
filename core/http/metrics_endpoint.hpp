// GET /metrics on the admin listener: the Prometheus scrape.
#pragma once

#include <string>
#include <string_view>

#include "http/api_context.hpp"
#include "http/http_message.hpp"
#include "http/response_writer.hpp"

namespace productgraph::http {

/// A rendered scrape: the body and the Content-Type it must be sent with.
struct MetricsPage {
    std::string body;
    std::string_view content_type;
};

/// Everything an operator alerts on, in the text exposition format 0.0.4: requests,
/// events, per-plugin counters, lag, state and publish latency, queue size and
/// fsync latency, process and build info.
MetricsPage render_metrics(const ApiContext &context);

/// Answers a scrape with render_metrics' page and 200.
void handle_metrics(ApiContext &context, const Request &request, ResponseWriter &response);

}  // namespace productgraph::http
