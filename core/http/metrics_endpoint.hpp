// GET /metrics on the admin listener (the Prometheus renderer lands separately).
#pragma once

#include "http/api_context.hpp"
#include "http/http_message.hpp"
#include "http/response_writer.hpp"

namespace productgraph::http {

void handle_metrics(ApiContext &context, const Request &request, ResponseWriter &response);

}  // namespace productgraph::http
