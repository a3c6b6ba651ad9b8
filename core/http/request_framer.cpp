// Request-line and header rules (RFC 9112 §2-§6, strict reading): CRLF line ends only,
// no folded lines, no space before the colon, one Content-Length of digits only,
// no Transfer-Encoding (refused with 411, documented in the README).
#include "http/request_framer.hpp"

#include <cstring>

namespace productgraph::http {
namespace {

constexpr size_t max_leading_empty_lines = 16;

// RFC 9110 §5.6.2 tchar.
bool is_token_char(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool is_token(std::string_view text)
{
    if (text.empty()) return false;
    for (const char c : text) {
        if (!is_token_char(c)) return false;
    }
    return true;
}

// Field values: visible characters, spaces, tabs and obs-text; no other control bytes.
bool is_field_value(std::string_view text)
{
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == '\t') continue;
        if (byte < 0x20 || byte == 0x7f) return false;
    }
    return true;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// Connection: a comma-separated list of tokens, any case.
void read_connection_options(std::string_view value, bool &close, bool &keep_alive)
{
    while (!value.empty()) {
        const size_t comma = value.find(',');
        const std::string_view option = trim(value.substr(0, comma));
        if (equals_ignore_case(option, "close")) close = true;
        if (equals_ignore_case(option, "keep-alive")) keep_alive = true;
        value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    }
}

FramingError fail(Status status, std::string message)
{
    return FramingError{status, std::move(message)};
}

}  // namespace

void HeadFramer::reset()
{
    scanned_ = 0;
    lines_ = 0;
    skipped_ = 0;
    line_start_ = 0;
}

HeadState HeadFramer::feed(std::string_view input, RequestHead &head, FramingError &error)
{
    size_t pos = scanned_;
    size_t line_start = line_start_;
    while (pos < input.size()) {
        const void *found = std::memchr(input.data() + pos, '\n', input.size() - pos);
        if (found == nullptr) {
            pos = input.size();
            break;
        }
        const size_t at = static_cast<size_t>(static_cast<const char *>(found) - input.data());
        if (at == 0 || input[at - 1] != '\r') {
            error = fail(Status::bad_request, "request head: a line ends with a bare LF; lines end with CRLF");
            return HeadState::failed;
        }
        const bool empty_line = at - 1 == line_start;
        pos = at + 1;
        if (empty_line && lines_ == 0) {
            skipped_ = pos;
            line_start = pos;
            if (skipped_ > 2 * max_leading_empty_lines) {
                error = fail(Status::bad_request, "request head: too many empty lines before the request line");
                return HeadState::failed;
            }
            continue;
        }
        if (empty_line) {
            if (pos > limits_.max_header_bytes) break;
            head.head_bytes = pos;
            scanned_ = pos;
            return parse(input.substr(skipped_, pos - skipped_), head, error);
        }
        if (++lines_ > limits_.max_header_count + 1) {
            error = fail(Status::header_fields_too_large,
                         "request head: more than " + std::to_string(limits_.max_header_count) + " header fields");
            return HeadState::failed;
        }
        line_start = pos;
    }
    scanned_ = pos;
    line_start_ = line_start;
    if (pos > limits_.max_header_bytes) {
        error = fail(Status::header_fields_too_large,
                     "request head: larger than the " + std::to_string(limits_.max_header_bytes) + "-byte limit");
        return HeadState::failed;
    }
    return HeadState::incomplete;
}

HeadState HeadFramer::parse(std::string_view text, RequestHead &head, FramingError &error) const
{
    head.headers.clear();
    head.content_length = 0;
    head.expect_continue = false;

    const size_t request_line_end = text.find("\r\n");
    const std::string_view request_line = text.substr(0, request_line_end);
    const size_t first_space = request_line.find(' ');
    const size_t second_space = request_line.find(' ', first_space + 1);
    if (first_space == std::string_view::npos || second_space == std::string_view::npos ||
        request_line.find(' ', second_space + 1) != std::string_view::npos) {
        error = fail(Status::bad_request, "request line: must be METHOD SP target SP HTTP/1.1");
        return HeadState::failed;
    }
    head.method_text = request_line.substr(0, first_space);
    head.target = request_line.substr(first_space + 1, second_space - first_space - 1);
    const std::string_view version = request_line.substr(second_space + 1);
    if (!is_token(head.method_text) || head.method_text.size() > 32) {
        error = fail(Status::bad_request, "request line: the method is not a token");
        return HeadState::failed;
    }
    head.method = parse_method(head.method_text);
    for (const char c : head.target) {
        if (c <= 0x20 || c >= 0x7f) {
            error = fail(Status::bad_request, "request line: the target holds a byte that must be percent-encoded");
            return HeadState::failed;
        }
    }
    const bool asterisk = head.target == "*" && head.method == Method::options;
    if (head.target.empty() || (head.target.front() != '/' && !asterisk)) {
        error = fail(Status::bad_request, "request line: the target must be a path starting with /");
        return HeadState::failed;
    }
    const size_t question = head.target.find('?');
    head.path = head.target.substr(0, question);
    head.query = question == std::string_view::npos ? std::string_view() : head.target.substr(question + 1);
    if (version == "HTTP/1.1") {
        head.http10 = false;
    } else if (version == "HTTP/1.0") {
        head.http10 = true;
    } else if (version.size() == 8 && version.starts_with("HTTP/") && version[5] >= '0' && version[5] <= '9' &&
               version[6] == '.' && version[7] >= '0' && version[7] <= '9') {
        error = fail(Status::version_not_supported, "request line: only HTTP/1.1 and HTTP/1.0 are served");
        return HeadState::failed;
    } else {
        error = fail(Status::bad_request, "request line: the version must be HTTP/1.1 or HTTP/1.0");
        return HeadState::failed;
    }

    bool content_length_seen = false;
    bool transfer_encoding = false;
    bool close = false;
    bool keep_alive = false;
    size_t hosts = 0;
    std::string_view rest = text.substr(request_line_end + 2);
    while (true) {
        const size_t end = rest.find("\r\n");
        const std::string_view line = rest.substr(0, end);
        rest = rest.substr(end + 2);
        if (line.empty()) break;
        if (line.front() == ' ' || line.front() == '\t') {
            error = fail(Status::bad_request, "header: folded lines (obs-fold) are not accepted");
            return HeadState::failed;
        }
        const size_t colon = line.find(':');
        const std::string_view name = line.substr(0, colon);
        if (colon == std::string_view::npos || !is_token(name)) {
            error = fail(Status::bad_request, "header: each line must be name: value, with no space before the colon");
            return HeadState::failed;
        }
        const std::string_view value = trim(line.substr(colon + 1));
        if (!is_field_value(value)) {
            error = fail(Status::bad_request, "header " + std::string(name) + ": holds a control character");
            return HeadState::failed;
        }
        head.headers.push_back(HeaderField{name, value});

        if (equals_ignore_case(name, "Content-Length")) {
            if (content_length_seen) {
                error = fail(Status::bad_request, "Content-Length: sent more than once");
                return HeadState::failed;
            }
            content_length_seen = true;
            if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos) {
                error = fail(Status::bad_request, "Content-Length: must be a decimal number of bytes");
                return HeadState::failed;
            }
            // Digits only, so the value is compared before it could overflow.
            const std::string limit = std::to_string(limits_.max_body_bytes);
            const std::string_view digits = value.substr(std::min(value.find_first_not_of('0'), value.size()));
            if (digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit)) {
                error = fail(Status::payload_too_large, "body: larger than the " + limit + "-byte limit");
                return HeadState::failed;
            }
            head.content_length = digits.empty() ? 0 : std::stoull(std::string(digits));
        } else if (equals_ignore_case(name, "Transfer-Encoding")) {
            transfer_encoding = true;
        } else if (equals_ignore_case(name, "Host")) {
            ++hosts;
        } else if (equals_ignore_case(name, "Connection")) {
            read_connection_options(value, close, keep_alive);
        } else if (equals_ignore_case(name, "Expect")) {
            if (!equals_ignore_case(value, "100-continue")) {
                error = fail(Status::expectation_failed, "Expect: only 100-continue is understood");
                return HeadState::failed;
            }
            head.expect_continue = true;
        }
    }
    if (transfer_encoding && content_length_seen) {
        error = fail(Status::bad_request, "Transfer-Encoding and Content-Length together are refused");
        return HeadState::failed;
    }
    if (transfer_encoding) {
        error = fail(Status::length_required, "Transfer-Encoding is not supported: send the body with Content-Length");
        return HeadState::failed;
    }
    if (hosts > 1 || (!head.http10 && hosts == 0)) {
        error = fail(Status::bad_request, "Host: an HTTP/1.1 request carries exactly one");
        return HeadState::failed;
    }
    head.keep_alive = head.http10 ? keep_alive && !close : !close;
    return HeadState::complete;
}

}  // namespace productgraph::http
