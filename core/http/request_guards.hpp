// Checks made before a request reaches its endpoint: API keys and CORS.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pistache/http.h>

namespace productgraph::http {

/// True when no keys are configured or `presented` equals one of them. The
/// comparison takes the same time wherever a mismatch is, so timing does not leak keys.
bool api_key_accepted(const std::vector<std::string> &keys, std::optional<std::string_view> presented);

/// The Access-Control-Allow-Origin value for `origin`, or nullopt when the origin is
/// not allowed. "*" in the list allows any origin.
std::optional<std::string> allowed_origin(const std::vector<std::string> &origins, std::string_view origin);

/// Adds the CORS response headers when the request's Origin is allowed.
void add_cors_headers(const std::vector<std::string> &origins, const Pistache::Http::Request &request,
                      Pistache::Http::ResponseWriter &response);

/// Answers an OPTIONS preflight: 204 with the allowed methods and headers, or 403
/// with a JSON body for an origin that is not allowed.
void answer_preflight(const std::vector<std::string> &origins, const Pistache::Http::Request &request,
                      Pistache::Http::ResponseWriter response);

}  // namespace productgraph::http
