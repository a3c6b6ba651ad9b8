// Status phrases, method names, header and query look-ups.
#include "http/http_message.hpp"

namespace productgraph::http {
namespace {

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out.push_back(' ');
        } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

}  // namespace

bool equals_ignore_case(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view reason_phrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: break;
    }
    if (status < 300) return "OK";
    if (status < 400) return "Redirect";
    if (status < 500) return "Client Error";
    return "Server Error";
}

std::string_view method_name(Method method)
{
    switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::delete_: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::other: break;
    }
    return "OTHER";
}

Method parse_method(std::string_view text)
{
    // Methods are case-sensitive (RFC 9110 §9.1).
    if (text == "GET") return Method::get;
    if (text == "POST") return Method::post;
    if (text == "HEAD") return Method::head;
    if (text == "OPTIONS") return Method::options;
    if (text == "PUT") return Method::put;
    if (text == "PATCH") return Method::patch;
    if (text == "DELETE") return Method::delete_;
    return Method::other;
}

std::optional<std::string_view> Request::header(std::string_view name) const
{
    for (const HeaderField &field : headers) {
        if (equals_ignore_case(field.name, name)) return field.value;
    }
    return std::nullopt;
}

std::optional<std::string> Request::query_value(std::string_view name) const
{
    std::string_view rest = query;
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        const size_t eq = pair.find('=');
        if (percent_decode(pair.substr(0, eq)) != name) continue;
        return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    return std::nullopt;
}

}  // namespace productgraph::http
