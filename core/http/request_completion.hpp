// The one function every answered request passes through: the access log and the
// request counters of /metrics.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace productgraph::http {

/// One answered request. `route` is a fixed template ("/v1/events",
/// "/v1/plugins/{name}/dead-letters", "unmatched", "framing"), never a raw path.
struct CompletedRequest {
    std::string_view listener;  // "public" or "admin"
    std::string_view method;
    std::string_view path;
    std::string_view route;
    std::string_view ip;
    int status = 0;
    size_t bytes = 0;  // response body bytes
    std::chrono::microseconds duration{0};
    std::string_view reason;  // the error message of a 4xx, else empty
};

/// PRODUCTGRAPH_ACCESS_LOG=true, or DEBUG=true: one JSON line per request. Set once at start-up.
void set_access_log(bool enabled);
bool access_log_enabled();

/// Called on the connection's loop thread when the answer is handed to the socket.
void request_completed(const CompletedRequest &request);

}  // namespace productgraph::http
