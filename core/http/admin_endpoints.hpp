// GET /health, GET /ready, GET /v1/plugins and GET /v1/plugins/<name>/... .
#pragma once

#include <string_view>

#include "http/api_context.hpp"
#include "http/http_message.hpp"
#include "http/response_writer.hpp"

namespace productgraph::http {

void handle_health(ResponseWriter &response);
void handle_ready(ApiContext &context, ResponseWriter &response);
void handle_plugin_list(ApiContext &context, ResponseWriter &response);
/// GET /v1/plugins/<name>/dead-letters?limit=N (newest first, default 100).
void handle_dead_letter_list(ApiContext &context, std::string_view plugin, const Request &request,
                             ResponseWriter &response);
/// POST /v1/plugins/<name>/dead-letters/replay.
void handle_dead_letter_replay(ApiContext &context, std::string_view plugin, ResponseWriter &response);
/// `rest` is the path after /v1/plugins/, e.g. "memory/events".
void handle_plugin_request(ApiContext &context, std::string_view rest, const Request &request,
                           ResponseWriter &response);

}  // namespace productgraph::http
