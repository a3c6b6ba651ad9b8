// libcurl easy interface, one handle per request: tests value clarity over speed.
#include "http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

namespace productgraph::testing {
namespace {

size_t append_body(char *data, size_t size, size_t count, void *target)
{
    static_cast<std::string *>(target)->append(data, size * count);
    return size * count;
}

size_t append_header(char *data, size_t size, size_t count, void *target)
{
    const std::string line(data, size * count);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(0, 1);
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
        (*static_cast<std::map<std::string, std::string> *>(target))[name] = value;
    }
    return size * count;
}

}  // namespace

rapidjson::Document HttpResponse::json() const
{
    rapidjson::Document document;
    document.Parse(body.c_str(), body.size());
    return document;
}

HttpResponse http_request(const std::string &method, const std::string &url, const std::string &body,
                          const std::map<std::string, std::string> &headers)
{
    HttpResponse response;
    CURL *curl = curl_easy_init();
    if (curl == nullptr) return response;
    curl_slist *header_list = curl_slist_append(nullptr, "Expect:");  // Pistache has no 100-continue
    for (const auto &[name, value] : headers) {
        header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (!body.empty() || method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
    if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    curl_slist_free_all(header_list);
    curl_easy_cleanup(curl);
    return response;
}

}  // namespace productgraph::testing
