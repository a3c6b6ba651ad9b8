// A minimal blocking HTTP client over libcurl for integration tests.
#pragma once

#include <map>
#include <string>

#include <rapidjson/document.h>

namespace productgraph::testing {

struct HttpResponse {
    long status = 0;  // 0 when the request failed at the transport level
    std::string body;
    std::map<std::string, std::string> headers;  // names lower-cased

    /// A response header by lower-case name; empty when absent.
    std::string header(const std::string &name) const
    {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }

    /// The body parsed as JSON (a parse failure gives a document with HasParseError()).
    rapidjson::Document json() const;
};

HttpResponse http_request(const std::string &method, const std::string &url, const std::string &body = "",
                          const std::map<std::string, std::string> &headers = {});

inline HttpResponse http_get(const std::string &url, const std::map<std::string, std::string> &headers = {})
{
    return http_request("GET", url, "", headers);
}

inline HttpResponse http_post(const std::string &url, const std::string &body,
                              const std::map<std::string, std::string> &headers = {})
{
    auto all = headers;
    all.try_emplace("Content-Type", "application/json");
    return http_request("POST", url, body, all);
}

}  // namespace productgraph::testing
