// Which address an event came from: the peer, or X-Forwarded-For behind a trusted proxy.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/ip_address.hpp"

namespace productgraph::http {

/// The client IP: `peer` itself unless `peer` is inside a trusted proxy block, in
/// which case X-Forwarded-For is walked from the right: trusted hops are skipped
/// and the first untrusted one is the client (the left part of the header is
/// whatever the client claimed, so it is not believed). A hop that is not an IP
/// address ends the walk: the last address believed is used. When every hop is
/// trusted, the left-most is the client.
std::string client_address(std::string_view peer, std::string_view forwarded_for, const AddressBlocks &trusted_proxies);

}  // namespace productgraph::http
