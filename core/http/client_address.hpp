// Which address an event came from: the peer, or X-Forwarded-For behind a trusted proxy.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace productgraph::http {

/// The client IP: `peer` itself unless `peer` is a trusted proxy, in which case the
/// right-most address in `forwarded_for` that is not itself a trusted proxy (the
/// left part of the header is whatever the client claimed, so it is not believed).
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<std::string> &trusted_proxies);

}  // namespace productgraph::http
