// IP addresses and CIDR blocks, parsed once so a per-request match is a few byte compares.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace productgraph::http {

/// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a
/// dual-stack socket reports for an IPv4 peer) is stored as the IPv4 address, so
/// "10.0.0.0/8" matches it.
struct IpAddress {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4

    friend bool operator==(const IpAddress &, const IpAddress &) = default;
};

/// The address in `text` ("203.0.113.9", "2001:db8::1", "::ffff:10.0.0.1"), or
/// nullopt. Only the standard forms: no octal or short IPv4, no zone id.
std::optional<IpAddress> parse_ip_address(std::string_view text);

/// An address and a prefix length: "10.0.0.0/8", "2001:db8::/32", or an exact
/// address (a /32 or /128).
struct AddressBlock {
    IpAddress base;       // with the bits past the prefix cleared
    unsigned prefix = 0;  // 0..32 for IPv4, 0..128 for IPv6

    bool contains(const IpAddress &address) const;
};

using AddressBlocks = std::vector<AddressBlock>;

/// The block in `text`, or nullopt when it is not an address with an optional
/// "/<prefix>" in range. Bits past the prefix are ignored ("10.1.2.3/8" is 10.0.0.0/8).
std::optional<AddressBlock> parse_address_block(std::string_view text);

/// A comma-separated list of blocks (blanks around items ignored). The error names
/// the first item that is not an address or CIDR block, or says the list is empty.
common::Result<AddressBlocks> parse_address_blocks(std::string_view list);

}  // namespace productgraph::http
