// GET /metrics: the Prometheus scrape of the admin listener.
#pragma once

#include <string>
#include <string_view>

#include <pistache/http.h>

#include "http/api_context.hpp"

namespace productgraph::http {

/// A rendered scrape: the body and the Content-Type it must be sent with.
struct MetricsPage {
    std::string body;
    std::string_view content_type;
};

/// Everything an operator alerts on, in the text exposition format 0.0.4: requests,
/// events, per-plugin counters, lag, state and publish latency, queue size and
/// fsync latency, process and build info.
MetricsPage handle_metrics(const ApiContext &context);

/// Answers a scrape with handle_metrics' page and status 200.
void serve_metrics(const ApiContext &context, Pistache::Http::ResponseWriter &response);

}  // namespace productgraph::http
