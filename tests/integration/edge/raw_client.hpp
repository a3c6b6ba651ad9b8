// A raw TCP client for edge tests: sends exact bytes, reads exact answers, and
// tells whether the daemon closed the connection.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace productgraph::testing {

struct RawResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;

    std::string header(const std::string &name) const
    {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class RawConnection {
public:
    /// Connects to 127.0.0.1:`port` (or `host`), blocking; throws on failure.
    explicit RawConnection(int port, const std::string &host = "127.0.0.1");
    ~RawConnection();
    RawConnection(const RawConnection &) = delete;
    RawConnection &operator=(const RawConnection &) = delete;

    /// Sends all of `bytes`; false once the daemon has closed or reset.
    bool send(std::string_view bytes);
    /// Shuts our sending side (the daemon reads EOF after what was sent).
    void finish_sending();
    /// Reads one complete response (Content-Length framed), or nullopt on close or timeout.
    std::optional<RawResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /// Reads responses until the daemon closes the connection or `timeout` passes.
    std::vector<RawResponse> read_until_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /// True when the daemon has closed (EOF or reset) within `timeout`, with no more bytes.
    bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /// Reads until the bytes received so far start with `expected`, and consumes them.
    bool read_through(std::string_view expected, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /// Bytes received and not yet parsed as a response.
    const std::string &pending() const { return buffer_; }

private:
    bool fill(std::chrono::steady_clock::time_point deadline);  // false on EOF, error or deadline
    std::optional<RawResponse> parse_one();

    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
};

/// A request with Host and the given extra header lines ("Name: value\r\n" each).
std::string raw_request(const std::string &method, const std::string &target, const std::string &extra_headers = "",
                        const std::string &body = "");

}  // namespace productgraph::testing
