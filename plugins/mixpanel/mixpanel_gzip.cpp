// zlib deflate/inflate with the gzip wrapper (windowBits 15 + 16).
#include "mixpanel_gzip.hpp"

#define ZLIB_CONST
#include <zlib.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <stdexcept>

namespace productgraph::mixpanel {
namespace {

constexpr int gzip_window_bits = 15 + 16;
constexpr std::size_t step = 64 * 1024;

// zlib counts in uInt; feed larger inputs in pieces.
uInt piece(std::size_t left)
{
    return static_cast<uInt>(std::min<std::size_t>(left, std::numeric_limits<uInt>::max()));
}

struct DeflateEnd {
    void operator()(z_stream *stream) const { deflateEnd(stream); }
};
struct InflateEnd {
    void operator()(z_stream *stream) const { inflateEnd(stream); }
};

}  // namespace

std::string gzip_compress(std::string_view data, int level)
{
    z_stream stream{};
    if (deflateInit2(&stream, level, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("gzip: deflateInit2 failed");
    }
    const std::unique_ptr<z_stream, DeflateEnd> cleanup(&stream);

    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
    stream.next_in = reinterpret_cast<const Bytef *>(data.data());
    std::size_t in_left = data.size();
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        if (stream.total_out == out.size()) out.resize(out.size() + step);
        stream.next_out = reinterpret_cast<Bytef *>(out.data() + stream.total_out);
        stream.avail_out = piece(out.size() - stream.total_out);
        stream.avail_in = piece(in_left);
        const uInt offered = stream.avail_in;
        status = deflate(&stream, stream.avail_in == in_left ? Z_FINISH : Z_NO_FLUSH);
        in_left -= offered - stream.avail_in;
        if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
            throw std::runtime_error("gzip: deflate failed");
        }
    }
    out.resize(stream.total_out);
    return out;
}

std::optional<std::string> gzip_decompress(std::string_view data, std::size_t max_size)
{
    z_stream stream{};
    if (inflateInit2(&stream, gzip_window_bits) != Z_OK) return std::nullopt;
    const std::unique_ptr<z_stream, InflateEnd> cleanup(&stream);

    std::string out;
    stream.next_in = reinterpret_cast<const Bytef *>(data.data());
    std::size_t in_left = data.size();
    while (true) {
        if (stream.total_out == out.size()) {
            if (out.size() > max_size) return std::nullopt;
            out.resize(out.size() + step);
        }
        stream.next_out = reinterpret_cast<Bytef *>(out.data() + stream.total_out);
        stream.avail_out = piece(out.size() - stream.total_out);
        stream.avail_in = piece(in_left);
        const uInt offered = stream.avail_in;
        const int status = inflate(&stream, Z_NO_FLUSH);
        in_left -= offered - stream.avail_in;
        if (status == Z_STREAM_END) break;
        // Z_BUF_ERROR with input left means "more output room"; without, a truncated stream.
        if (status != Z_OK && !(status == Z_BUF_ERROR && in_left > 0 && stream.avail_out == 0)) return std::nullopt;
        if (status == Z_OK && in_left == 0 && stream.avail_out != 0) return std::nullopt;  // truncated
    }
    if (stream.total_out > max_size) return std::nullopt;
    out.resize(stream.total_out);
    return out;
}

}  // namespace productgraph::mixpanel
