// The event API's access variables: API keys, CORS origins, trusted proxies and the
// default project, each read and checked so that a value that can never work stops
// start-up instead of quietly opening or closing the API.
#pragma once

#include <string>
#include <vector>

#include "common/environment.hpp"
#include "common/result.hpp"
#include "http/ip_address.hpp"

namespace productgraph::daemon {

/// PRODUCTGRAPH_API_KEYS: unset -> none (open API). Each key must be visible ASCII
/// without blanks (it travels in the X-PG-API-Key header); set but empty is refused.
common::Result<std::vector<std::string>> read_api_keys(const common::EnvLookup &env);

/// PRODUCTGRAPH_ADMIN_KEYS: the same rules (the key travels as a Bearer token); set
/// but empty is refused rather than leaving the admin listener open.
common::Result<std::vector<std::string>> read_admin_keys(const common::EnvLookup &env);

/// PRODUCTGRAPH_CORS_ORIGINS: unset -> {"*"}. Each item is `*` or an origin exactly
/// as browsers send it: `scheme://host[:port]`, lower case, no path, no trailing '/'.
common::Result<std::vector<std::string>> read_cors_origins(const common::EnvLookup &env);

/// PRODUCTGRAPH_TRUSTED_PROXIES: unset -> none. IPv4/IPv6 addresses and CIDR blocks.
common::Result<http::AddressBlocks> read_trusted_proxies(const common::EnvLookup &env);

/// PRODUCTGRAPH_DEFAULT_PROJECT_ID: unset -> "default". 1 to 256 bytes of valid
/// UTF-8 without control characters or surrounding blanks.
common::Result<std::string> read_default_project_id(const common::EnvLookup &env);

}  // namespace productgraph::daemon
