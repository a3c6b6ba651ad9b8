// Numeric addresses only: a name would be resolved at start-up and could change under us.
#include "http/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace productgraph::http {

std::string ListenAddress::text() const
{
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

common::Result<std::string> parse_listen_host(std::string_view text)
{
    std::string host(text);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1) return host;
    return common::fail("must be a numeric IPv4 or IPv6 address, got \"" + std::string(text) + "\"");
}

common::Result<ListenAddress> parse_listen_address(std::string_view text)
{
    const size_t colon = text.rfind(':');
    const auto bad = [text] {
        return common::fail("must be host:port with a numeric host (IPv6 in brackets, e.g. [::1]:8081), got \"" +
                            std::string(text) + "\"");
    };
    if (colon == std::string_view::npos || colon == 0) return bad();
    const std::string_view host_text = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    // An IPv6 host must be bracketed, or "::1:8081" would be ambiguous.
    if (host_text.find(':') != std::string_view::npos && host_text.front() != '[') return bad();
    unsigned port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        return bad();
    }
    const auto host = parse_listen_host(host_text);
    if (!host) return bad();
    return ListenAddress{*host, static_cast<uint16_t>(port)};
}

}  // namespace productgraph::http
