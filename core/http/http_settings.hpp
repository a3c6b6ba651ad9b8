// Everything the HTTP edge is configured with (read from PRODUCTGRAPH_* variables).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "http/ip_address.hpp"

namespace productgraph::http {

struct HttpSettings {
    uint16_t port = 8080;
    int threads = 2;
    size_t max_body_bytes = 10 * 1000 * 1000;  // product-spec: 10 MB per body
    std::vector<std::string> api_keys;         // empty: no key needed
    std::vector<std::string> cors_origins{"*"};
    AddressBlocks trusted_proxies;        // peers whose X-Forwarded-For we believe
    std::chrono::seconds retry_after{1};  // advertised on 503 when the queue is full
    std::chrono::seconds header_timeout{10};
    std::chrono::seconds body_timeout{60};
    // project_id of events sent without project_id or product_id.
    std::string default_project_id = "default";
};

}  // namespace productgraph::http
