// zlib inflate with a hard output cap; the decoded body keeps Request::body_padding spare bytes.
#include "http/body_decoding.hpp"

#include <zlib.h>

namespace productgraph::http {
namespace {

constexpr int gzip_only_window = 15 + 16;  // zlib: 15-bit window, gzip header required

std::optional<DecodingError> inflate_gzip(std::string &body, size_t max_bytes)
{
    z_stream stream{};
    if (inflateInit2(&stream, gzip_only_window) != Z_OK) {
        return DecodingError{Status::internal_server_error, "internal error"};
    }
    std::string out;
    out.resize(std::min(max_bytes + 1, std::max<size_t>(body.size() * 4, 16 * 1024)));
    stream.next_in = reinterpret_cast<Bytef *>(body.data());
    stream.avail_in = static_cast<uInt>(body.size());
    size_t produced = 0;
    int status = Z_OK;
    while (true) {
        if (produced == out.size()) {
            if (out.size() > max_bytes) break;
            out.resize(std::min(max_bytes + 1, out.size() * 2));
        }
        stream.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        stream.avail_out = static_cast<uInt>(out.size() - produced);
        status = inflate(&stream, Z_NO_FLUSH);
        produced = out.size() - stream.avail_out;
        if (status != Z_OK) break;
        if (stream.avail_in == 0 && stream.avail_out != 0) break;  // input ended mid-stream
    }
    const bool trailing = stream.avail_in != 0;
    inflateEnd(&stream);
    if (produced > max_bytes) {
        return DecodingError{Status::payload_too_large,
                             "body: larger than the " + std::to_string(max_bytes) + "-byte limit once decompressed"};
    }
    if (status != Z_STREAM_END || trailing) {
        return DecodingError{Status::bad_request, "body: not a complete gzip stream"};
    }
    out.resize(produced);
    out.reserve(produced + Request::body_padding);
    body.swap(out);
    return std::nullopt;
}

}  // namespace

std::optional<DecodingError> decode_body(std::string &body, std::optional<std::string_view> encoding, size_t max_bytes)
{
    if (!encoding || encoding->empty() || equals_ignore_case(*encoding, "identity")) return std::nullopt;
    if (equals_ignore_case(*encoding, "gzip") || equals_ignore_case(*encoding, "x-gzip")) {
        return inflate_gzip(body, max_bytes);
    }
    return DecodingError{Status::unsupported_media_type,
                         "Content-Encoding: " + std::string(*encoding) + " is not supported; use gzip or none"};
}

}  // namespace productgraph::http
