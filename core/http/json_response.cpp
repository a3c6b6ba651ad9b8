// JSON responses; the one place error bodies are built.
#include "http/json_response.hpp"

#include "common/json_text.hpp"

namespace productgraph::http {

void send_json(ResponseWriter &response, Status code, std::string_view body)
{
    response.send(code, body, "application/json");
}

void send_error(ResponseWriter &response, Status code, std::string_view message)
{
    response.set_reason(message);
    send_json(response, code, "{\"error\":" + common::json_string(message) + "}");
}

}  // namespace productgraph::http
