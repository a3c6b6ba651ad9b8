// Checks made before a request reaches its endpoint: API keys, admin keys and CORS.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_message.hpp"
#include "http/response_writer.hpp"

namespace productgraph::http {

/// True when no keys are configured or `presented` equals one of them. The
/// comparison takes the same time wherever a mismatch is, so timing does not leak keys.
bool api_key_accepted(const std::vector<std::string> &keys, std::optional<std::string_view> presented);

/// Admin requests: true when no admin keys are configured or the request carries
/// `Authorization: Bearer <key>` with one of them (compared as api_key_accepted does).
bool admin_key_accepted(const std::vector<std::string> &keys, const Request &request);

/// The Access-Control-Allow-Origin value for `origin`, or nullopt when the origin is
/// not allowed. "*" in the list allows any origin.
std::optional<std::string> allowed_origin(const std::vector<std::string> &origins, std::string_view origin);

/// True for a request carrying an Origin that is not allowed (a browser on another site).
bool origin_refused(const std::vector<std::string> &origins, const Request &request);

/// Adds the CORS response headers when the request's Origin is allowed.
void add_cors_headers(const std::vector<std::string> &origins, const Request &request, ResponseWriter &response);

/// Answers an OPTIONS preflight: 204 with the allowed methods and headers, or 403
/// with a JSON body for an origin that is not allowed.
void answer_preflight(const std::vector<std::string> &origins, const Request &request, ResponseWriter &response);

}  // namespace productgraph::http
