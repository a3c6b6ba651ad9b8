// POST /v1/events: authenticate, parse and validate, append to the queue, answer.
#pragma once

#include "http/api_context.hpp"
#include "http/http_message.hpp"
#include "http/response_writer.hpp"

namespace productgraph::http {

/// The body is parsed in place (the request owns it, with padding for the parser).
void handle_post_events(ApiContext &context, Request &request, ResponseWriter &response);

}  // namespace productgraph::http
