// Everything the HTTP edge is configured with (read from PRODUCTGRAPH_* variables).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "http/ip_address.hpp"
#include "http/listen_address.hpp"

namespace productgraph::http {

struct HttpSettings {
    uint16_t port = 8080;
    std::string listen_host = "0.0.0.0";             // PRODUCTGRAPH_LISTEN_ADDRESS
    ListenAddress admin_address{"127.0.0.1", 8081};  // PRODUCTGRAPH_ADMIN_ADDRESS
    int threads = 2;
    size_t max_body_bytes = 10 * 1000 * 1000;  // product-spec: 10 MB per body
    std::vector<std::string> api_keys;         // empty: no key needed
    std::vector<std::string> admin_keys;       // empty: the admin listener needs no key
    std::vector<std::string> cors_origins{"*"};
    AddressBlocks trusted_proxies;        // peers whose X-Forwarded-For we believe
    std::chrono::seconds retry_after{1};  // advertised on 503 when the queue is full
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{60'000};
    std::chrono::milliseconds keepalive_timeout{60'000};
    size_t max_header_bytes = 64 * 1024;
    size_t max_header_count = 100;
    size_t max_inflight_bytes = 256ull * 1024 * 1024;  // body bytes held by unfinished requests
    bool access_log = false;
    // project_id of events sent without project_id or product_id.
    std::string default_project_id = "default";
};

}  // namespace productgraph::http
