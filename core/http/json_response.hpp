// JSON answers: every error the daemon sends is {"error":"..."}.
#pragma once

#include <string_view>

#include "http/response_writer.hpp"

namespace productgraph::http {

/// Sends `body` (JSON text) with `code`.
void send_json(ResponseWriter &response, Status code, std::string_view body);

/// Sends {"error": message} with `code`; the message is also the access log's reason.
void send_error(ResponseWriter &response, Status code, std::string_view message);

}  // namespace productgraph::http
