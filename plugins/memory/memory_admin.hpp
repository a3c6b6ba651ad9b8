// Answers the memory plugin's read-only admin requests (GET /events, GET /stats).
#ifndef PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_ADMIN_HPP
#define PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_ADMIN_HPP

#include "memory_store.hpp"

#include <productgraph/publisher.h>

#include <cstdint>
#include <string_view>

namespace productgraph::memory {

/// Answers GET /events (filtered, newest first) and GET /stats from the store;
/// other paths get 404 and other methods 405, each with a JSON error body.
/// Everything that can throw runs before the first byte reaches the sink, so an
/// exception never leaves a half-written body behind.
void answer_request(const MemoryStore &store, const pgraph_request &request, pgraph_response &response);

/// Sends {"error":"<message>"} with `status`. `message` must need no JSON escaping.
void answer_error(pgraph_response &response, int32_t status, std::string_view message) noexcept;

}  // namespace productgraph::memory

#endif  // PRODUCTGRAPH_PLUGINS_MEMORY_MEMORY_ADMIN_HPP
