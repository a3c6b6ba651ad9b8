// Content-Encoding of request bodies: identity, or gzip inflated under the body limit.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_message.hpp"

namespace productgraph::http {

struct DecodingError {
    Status status;
    std::string message;
};

/// Replaces `body` with its decoded form. `encoding` is the Content-Encoding value
/// (nullopt when absent). Inflating stops as soon as the output passes `max_bytes`
/// (a zip bomb costs at most that much memory) and answers 413; a corrupt stream is
/// 400 and an encoding other than gzip or identity 415.
std::optional<DecodingError> decode_body(std::string &body, std::optional<std::string_view> encoding, size_t max_bytes);

}  // namespace productgraph::http
