// X-Forwarded-For walking, right to left, stopping at the first untrusted hop.
#include "http/client_address.hpp"

#include <algorithm>

#include "common/environment.hpp"

namespace productgraph::http {
namespace {

bool is_trusted(std::string_view address, const std::vector<std::string> &trusted)
{
    return std::find(trusted.begin(), trusted.end(), address) != trusted.end();
}

}  // namespace

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<std::string> &trusted_proxies)
{
    if (forwarded_for.empty() || !is_trusted(peer, trusted_proxies)) return std::string(peer);
    const std::vector<std::string> hops = common::split_list(forwarded_for);
    for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
        if (!is_trusted(*hop, trusted_proxies)) return *hop;
    }
    return hops.empty() ? std::string(peer) : hops.front();
}

}  // namespace productgraph::http
