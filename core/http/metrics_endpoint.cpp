// Placeholder until the metrics renderer is wired in: an honest 501, not an empty scrape.
#include "http/metrics_endpoint.hpp"

#include "http/json_response.hpp"

namespace productgraph::http {

void handle_metrics(ApiContext &, const Request &, ResponseWriter &response)
{
    send_error(response, Status::not_implemented, "metrics are not available in this build yet");
}

}  // namespace productgraph::http
