// JSON responses; the only place that calls ResponseWriter::send.
#include "http/json_response.hpp"

#include <algorithm>
#include <cctype>

#include "common/json_text.hpp"

namespace productgraph::http {

using namespace Pistache;

void set_connection_header(const Http::Request &request, Http::ResponseWriter &response)
{
    bool close = request.version() == Http::Version::Http10;
    if (const auto connection = request.headers().tryGet<Http::Header::Connection>()) {
        close = connection->control() == Http::ConnectionControl::Close;
    }
    response.headers().remove<Http::Header::Connection>();  // replaces Pistache's own guess
    response.headers().add<Http::Header::Connection>(close ? Http::ConnectionControl::Close
                                                           : Http::ConnectionControl::KeepAlive);
}

void send_json(Http::ResponseWriter &response, Http::Code code, const std::string &body)
{
    response.send(code, body, MIME(Application, Json));
}

void send_error(Http::ResponseWriter &response, Http::Code code, std::string_view message)
{
    send_json(response, code, "{\"error\":" + common::json_string(message) + "}");
}

}  // namespace productgraph::http
