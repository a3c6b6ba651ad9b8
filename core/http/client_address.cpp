// X-Forwarded-For walking, right to left, stopping at the first untrusted hop.
#include "http/client_address.hpp"

#include <algorithm>

#include "common/environment.hpp"

namespace productgraph::http {
namespace {

bool is_trusted(std::string_view text, const AddressBlocks &trusted)
{
    const auto address = parse_ip_address(text);
    return address && std::any_of(trusted.begin(), trusted.end(),
                                  [&](const AddressBlock &block) { return block.contains(*address); });
}

}  // namespace

std::string client_address(std::string_view peer, std::string_view forwarded_for, const AddressBlocks &trusted_proxies)
{
    if (forwarded_for.empty() || !is_trusted(peer, trusted_proxies)) return std::string(peer);
    const std::vector<std::string> hops = common::split_list(forwarded_for);
    std::string_view believed = peer;
    for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
        const auto address = parse_ip_address(*hop);
        if (!address) break;  // garbage from the client or a proxy: not an address to report
        believed = *hop;
        if (!std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                         [&](const AddressBlock &block) { return block.contains(*address); })) {
            break;
        }
    }
    return std::string(believed);
}

}  // namespace productgraph::http
