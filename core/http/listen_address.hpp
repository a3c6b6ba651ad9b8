// host:port text for the listeners: 0.0.0.0:8080, 127.0.0.1:8081, [::1]:0, [::]:8080.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace productgraph::http {

struct ListenAddress {
    std::string host;  // a numeric IPv4 or IPv6 address, without brackets
    uint16_t port = 0;

    /// "127.0.0.1:8081" or "[::1]:8081".
    std::string text() const;
};

/// Parses "host:port" (IPv6 in brackets). The error says what is wrong, without
/// the variable's name, which the caller adds.
common::Result<ListenAddress> parse_listen_address(std::string_view text);

/// Parses a bare host ("0.0.0.0", "::", "[::]").
common::Result<std::string> parse_listen_host(std::string_view text);

}  // namespace productgraph::http
