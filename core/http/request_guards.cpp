// API key and CORS handling for browsers calling the daemon cross-origin.
#include "http/request_guards.hpp"

#include "http/json_response.hpp"

namespace productgraph::http {

using namespace Pistache;

bool api_key_accepted(const std::vector<std::string> &keys, std::optional<std::string_view> presented)
{
    if (keys.empty()) return true;
    if (!presented) return false;
    bool match = false;
    for (const std::string &key : keys) {
        unsigned char difference = key.size() == presented->size() ? 0 : 1;
        for (size_t i = 0; i < key.size(); ++i) {
            const char theirs = i < presented->size() ? (*presented)[i] : '\0';
            difference |= static_cast<unsigned char>(key[i] ^ theirs);
        }
        match |= difference == 0;
    }
    return match;
}

std::optional<std::string> allowed_origin(const std::vector<std::string> &origins, std::string_view origin)
{
    for (const std::string &allowed : origins) {
        if (allowed == "*") return std::string("*");
        if (allowed == origin) return std::string(origin);
    }
    return std::nullopt;
}

void add_cors_headers(const std::vector<std::string> &origins, const Http::Request &request,
                      Http::ResponseWriter &response)
{
    const auto origin = request.headers().tryGetRaw("Origin");
    if (!origin) return;
    if (const auto allowed = allowed_origin(origins, origin->value())) {
        response.headers().add<Http::Header::AccessControlAllowOrigin>(*allowed);
        if (*allowed != "*") response.headers().add<VaryHeader>("Origin");
    }
}

void answer_preflight(const std::vector<std::string> &origins, const Http::Request &request,
                      Http::ResponseWriter response)
{
    set_connection_header(request, response);
    const auto origin = request.headers().tryGetRaw("Origin");
    if (origin && !allowed_origin(origins, origin->value())) {
        send_error(response, Http::Code::Forbidden, "origin " + origin->value() + " is not allowed");
        return;
    }
    add_cors_headers(origins, request, response);
    response.headers()
        .add<Http::Header::AccessControlAllowMethods>("GET, POST, OPTIONS")
        .add<Http::Header::AccessControlAllowHeaders>("Content-Type, X-PG-API-Key")
        .add<MaxAgeHeader>(600);
    response.send(Http::Code::No_Content);
}

}  // namespace productgraph::http
