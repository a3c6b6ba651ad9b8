// Address parsing through inet_pton, which accepts exactly the standard text forms
// (inet_aton's "10.1" or "010.0.0.1" would be surprising in a trust list).
#include "http/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "common/environment.hpp"

namespace productgraph::http {
namespace {

constexpr std::array<uint8_t, 12> v4_mapped_prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text)
{
    // inet_pton wants a NUL-terminated string; the longest IPv6 text is 45 bytes.
    char buffer[64];
    if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    IpAddress address;
    if (inet_pton(AF_INET, buffer, address.bytes.data()) == 1) return address;
    if (inet_pton(AF_INET6, buffer, address.bytes.data()) != 1) return std::nullopt;
    if (std::equal(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), address.bytes.begin())) {
        std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
        std::fill(address.bytes.begin() + 4, address.bytes.end(), uint8_t{0});
        return address;
    }
    address.v6 = true;
    return address;
}

bool AddressBlock::contains(const IpAddress &address) const
{
    if (address.v6 != base.v6) return false;
    const unsigned whole_bytes = prefix / 8;
    if (!std::equal(base.bytes.begin(), base.bytes.begin() + whole_bytes, address.bytes.begin())) return false;
    const unsigned rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (address.bytes[whole_bytes] & mask) == base.bytes[whole_bytes];
}

std::optional<AddressBlock> parse_address_block(std::string_view text)
{
    const size_t slash = text.find('/');
    const auto address = parse_ip_address(text.substr(0, slash));
    if (!address) return std::nullopt;
    // An IPv4-mapped base is an IPv4 block; its prefix counts IPv4 bits.
    const bool written_as_v6 = text.substr(0, slash).find(':') != std::string_view::npos;
    const unsigned max_prefix = address->v6 ? 128 : 32;
    AddressBlock block{*address, max_prefix};
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        unsigned prefix = 0;
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
        if (written_as_v6 && !address->v6) {
            // ::ffff:10.0.0.0/104 is 10.0.0.0/8.
            if (prefix < 96 || prefix > 128) return std::nullopt;
            prefix -= 96;
        }
        if (prefix > max_prefix) return std::nullopt;
        block.prefix = prefix;
    }
    for (unsigned bit = block.prefix; bit < max_prefix; ++bit) {
        block.base.bytes[bit / 8] = static_cast<uint8_t>(block.base.bytes[bit / 8] & ~(0x80u >> (bit % 8)));
    }
    return block;
}

common::Result<AddressBlocks> parse_address_blocks(std::string_view list)
{
    AddressBlocks blocks;
    for (const std::string &item : common::split_list(list)) {
        const auto block = parse_address_block(item);
        if (!block) {
            return common::fail("\"" + item + "\" is not an IPv4 or IPv6 address or CIDR block (e.g. 10.0.0.0/8)");
        }
        blocks.push_back(*block);
    }
    if (blocks.empty()) return common::fail("empty: list addresses or CIDR blocks, or leave it unset");
    return blocks;
}

}  // namespace productgraph::http
