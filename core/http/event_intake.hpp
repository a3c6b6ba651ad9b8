// POST /v1/events: authenticate, parse and validate, append to the queue, answer.
#pragma once

#include <pistache/http.h>

#include "http/api_context.hpp"

namespace productgraph::http {

void handle_post_events(ApiContext &context, const Pistache::Http::Request &request,
                        Pistache::Http::ResponseWriter &response);

}  // namespace productgraph::http
