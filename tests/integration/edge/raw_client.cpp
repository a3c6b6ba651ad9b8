// Blocking sockets with poll() deadlines; no sleeps.
#include "raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <stdexcept>

namespace productgraph::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string text)
{
    for (char &c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

RawConnection::RawConnection(int port, const std::string &host)
{
    const bool v6 = host.find(':') != std::string::npos;
    fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    int result = -1;
    if (v6) {
        sockaddr_in6 address{};
        address.sin6_family = AF_INET6;
        address.sin6_port = htons(static_cast<uint16_t>(port));
        inet_pton(AF_INET6, host.c_str(), &address.sin6_addr);
        result = ::connect(fd_, reinterpret_cast<sockaddr *>(&address), sizeof address);
    } else {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<uint16_t>(port));
        inet_pton(AF_INET, host.c_str(), &address.sin_addr);
        result = ::connect(fd_, reinterpret_cast<sockaddr *>(&address), sizeof address);
    }
    if (result != 0) {
        ::close(fd_);
        throw std::runtime_error("connect failed");
    }
}

RawConnection::~RawConnection()
{
    if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(std::string_view bytes)
{
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

void RawConnection::finish_sending()
{
    ::shutdown(fd_, SHUT_WR);
}

bool RawConnection::fill(Clock::time_point deadline)
{
    if (eof_) return false;
    const auto now = Clock::now();
    if (now >= deadline) return false;
    pollfd waiting{fd_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    if (::poll(&waiting, 1, static_cast<int>(left) + 1) <= 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
        eof_ = true;
        return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
}

std::optional<RawResponse> RawConnection::parse_one()
{
    const size_t head_end = buffer_.find("\r\n\r\n");
    if (head_end == std::string::npos) return std::nullopt;
    RawResponse response;
    const std::string head = buffer_.substr(0, head_end);
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) throw std::runtime_error("bad status line");
    response.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos && line_end < head.size()) {
        const size_t next = head.find("\r\n", line_end + 2);
        const std::string line =
            head.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
        const size_t colon = line.find(':');
        if (colon != std::string::npos) {
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            response.headers[lower(line.substr(0, colon))] = value;
        }
        line_end = next;
    }
    const size_t length =
        response.headers.contains("content-length") ? std::stoul(response.headers["content-length"]) : 0;
    if (buffer_.size() < head_end + 4 + length) return std::nullopt;
    response.body = buffer_.substr(head_end + 4, length);
    buffer_.erase(0, head_end + 4 + length);
    return response;
}

std::optional<RawResponse> RawConnection::read_response(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (true) {
        if (auto response = parse_one()) {
            if (response->status == 100) continue;  // interim answers are not the response
            return response;
        }
        if (!fill(deadline)) return std::nullopt;
    }
}

std::vector<RawResponse> RawConnection::read_until_closed(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    std::vector<RawResponse> responses;
    while (true) {
        while (auto response = parse_one()) responses.push_back(std::move(*response));
        if (!fill(deadline)) break;
    }
    return responses;
}

bool RawConnection::read_through(std::string_view expected, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (buffer_.size() < expected.size() && fill(deadline)) {}
    if (!std::string_view(buffer_).starts_with(expected)) return false;
    buffer_.erase(0, expected.size());
    return true;
}

bool RawConnection::closed_by_peer(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (fill(deadline)) {}
    return eof_;
}

std::string raw_request(const std::string &method, const std::string &target, const std::string &extra_headers,
                        const std::string &body)
{
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers;
    if (!body.empty() || method == "POST") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return request + "\r\n" + body;
}

}  // namespace productgraph::testing
