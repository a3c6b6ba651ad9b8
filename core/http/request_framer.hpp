// Strict HTTP/1.1 request-head framing over raw bytes: the rules decide where a
// request ends before anything else looks at it, so nothing a client sends can be
// read as a second request (issue 9: smuggling after 413, CL+TE, duplicate CL).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_message.hpp"

namespace productgraph::http {

struct FramingLimits {
    size_t max_header_bytes = 64 * 1024;  // request line plus headers plus the blank line
    size_t max_header_count = 100;
    size_t max_body_bytes = 10 * 1000 * 1000;
};

/// The parsed head of one request. Views point into the bytes given to feed().
struct RequestHead {
    Method method = Method::other;
    std::string_view method_text;
    std::string_view target;
    std::string_view path;
    std::string_view query;
    bool http10 = false;
    std::vector<HeaderField> headers;
    size_t content_length = 0;
    bool keep_alive = true;
    bool expect_continue = false;
    size_t head_bytes = 0;  // bytes up to and including the blank line
};

/// Why the bytes are not a request we will read: answered with `status`, then the
/// connection closes, because after a framing error nothing tells where the next
/// request would start.
struct FramingError {
    Status status = Status::bad_request;
    std::string message;
};

enum class HeadState { incomplete, complete, failed };

/// Frames one request head at a time. Feed it the unconsumed bytes (always from
/// the same start) until it says complete or failed, then reset() for the next.
/// Scanning resumes where it stopped, so a head trickled in byte by byte costs
/// linear time.
class HeadFramer {
public:
    explicit HeadFramer(FramingLimits limits) : limits_(limits) {}

    HeadState feed(std::string_view input, RequestHead &head, FramingError &error);
    void reset();
    /// True once any byte of the next request has been seen.
    bool started() const { return scanned_ > 0; }

private:
    HeadState parse(std::string_view text, RequestHead &head, FramingError &error) const;

    FramingLimits limits_;
    size_t scanned_ = 0;  // bytes already checked for line endings
    size_t lines_ = 0;    // line endings seen so far
    size_t skipped_ = 0;  // bytes of empty lines before the request line (RFC 9112 §2.2 allows them)
    size_t line_start_ = 0;
};

}  // namespace productgraph::http
