// API key, admin key and CORS handling for browsers calling the daemon cross-origin.
#include "http/request_guards.hpp"

#include "http/json_response.hpp"

namespace productgraph::http {

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

bool admin_key_accepted(const std::vector<std::string> &keys, const Request &request)
{
    if (keys.empty()) return true;
    const auto authorization = request.header("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (!authorization || authorization->size() <= scheme.size() ||
        !equals_ignore_case(authorization->substr(0, scheme.size()), scheme)) {
        return false;
    }
    return api_key_accepted(keys, authorization->substr(scheme.size()));
}

std::optional<std::string> allowed_origin(const std::vector<std::string> &origins, std::string_view origin)
{
    for (const std::string &allowed : origins) {
        if (allowed == "*") return std::string("*");
        if (allowed == origin) return std::string(origin);
    }
    return std::nullopt;
}

bool origin_refused(const std::vector<std::string> &origins, const Request &request)
{
    const auto origin = request.header("Origin");
    return origin && !allowed_origin(origins, *origin);
}

void add_cors_headers(const std::vector<std::string> &origins, const Request &request, ResponseWriter &response)
{
    const auto origin = request.header("Origin");
    if (!origin) return;
    if (const auto allowed = allowed_origin(origins, *origin)) {
        response.add_header("Access-Control-Allow-Origin", *allowed);
        if (*allowed != "*") response.add_header("Vary", "Origin");
    }
}

void answer_preflight(const std::vector<std::string> &origins, const Request &request, ResponseWriter &response)
{
    const auto origin = request.header("Origin");
    if (origin && !allowed_origin(origins, *origin)) {
        send_error(response, Status::forbidden, "origin " + std::string(*origin) + " is not allowed");
        return;
    }
    add_cors_headers(origins, request, response);
    response.add_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    response.add_header("Access-Control-Allow-Headers", "Content-Type, Content-Encoding, X-PG-API-Key");
    response.add_header("Access-Control-Max-Age", "600");
    response.send(Status::no_content);
}

}  // namespace productgraph::http
