// The request and status types every handler sees; framed by request_framer, owned by the connection.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace productgraph::http {

enum class Method { get, head, post, put, patch, delete_, options, other };

/// The statuses the daemon sends itself; a plugin's own status is cast in as is.
enum class Status : int {
    ok = 200,
    accepted = 202,
    no_content = 204,
    bad_request = 400,
    unauthorized = 401,
    forbidden = 403,
    not_found = 404,
    method_not_allowed = 405,
    request_timeout = 408,
    conflict = 409,
    length_required = 411,
    payload_too_large = 413,
    unsupported_media_type = 415,
    expectation_failed = 417,
    header_fields_too_large = 431,
    internal_server_error = 500,
    not_implemented = 501,
    bad_gateway = 502,
    service_unavailable = 503,
    version_not_supported = 505,
};

/// "Not Found" for 404; a generic phrase for codes we never name.
std::string_view reason_phrase(int status);
std::string_view method_name(Method method);
Method parse_method(std::string_view text);

/// One header line as received: views into the connection's receive buffer.
struct HeaderField {
    std::string_view name;
    std::string_view value;  // optional whitespace around it already trimmed
};

/// A framed request. The views stay valid only while the handler runs; a handler
/// that answers later copies what it needs. The body is the request's own buffer,
/// with at least `body_padding` spare bytes of capacity, so it can be parsed in place.
struct Request {
    static constexpr size_t body_padding = 64;

    Method method = Method::other;
    std::string_view method_text;
    std::string_view target;  // as sent: path plus ?query
    std::string_view path;
    std::string_view query;  // without the '?'
    bool http10 = false;
    std::span<const HeaderField> headers;
    std::string body;
    std::string_view peer_ip;  // the TCP peer; client_address() applies X-Forwarded-For

    /// The first header named `name` (case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;
    /// The percent-decoded value of query parameter `name`, or nullopt when absent.
    std::optional<std::string> query_value(std::string_view name) const;
};

/// Case-insensitive ASCII comparison, for header names and tokens.
bool equals_ignore_case(std::string_view a, std::string_view b);

}  // namespace productgraph::http
