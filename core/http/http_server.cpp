// Socket set-up and the loop threads. Each loop accepts from the same listening
// socket (EPOLLEXCLUSIVE wakes one), so there is no acceptor thread to hand off from.
#include "http/http_server.hpp"
#include "common/thread_name.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace productgraph::http {
namespace {

// issue 9: 128 left a burst of 1,000 connects waiting for a SYN retry. The kernel
// caps this at net.core.somaxconn.
constexpr int listen_backlog = 4096;

struct AddressInfo {
    addrinfo *list = nullptr;
    ~AddressInfo()
    {
        if (list != nullptr) freeaddrinfo(list);
    }
};

common::Result<int> open_listening_socket(const ListenAddress &address)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    AddressInfo info;
    const std::string port = std::to_string(address.port);
    if (const int error = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &info.list); error != 0) {
        return common::fail(gai_strerror(error));
    }
    const int fd = ::socket(info.list->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return common::fail(std::strerror(errno));
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, info.list->ai_addr, info.list->ai_addrlen) != 0 || ::listen(fd, listen_backlog) != 0) {
        const int error = errno;
        ::close(fd);
        return common::fail(std::strerror(error));
    }
    return fd;
}

uint16_t bound_port(int fd)
{
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) return 0;
    if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in &>(address).sin_port);
    return ntohs(reinterpret_cast<sockaddr_in6 &>(address).sin6_port);
}

}  // namespace

uint64_t raise_fd_limit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

HttpServer::HttpServer(ServerConfig config, std::shared_ptr<RequestHandler> handler,
                       std::shared_ptr<InflightBudget> budget)
    : config_(std::move(config)), handler_(std::move(handler)), budget_(std::move(budget))
{
    context_.listener = config_.name;
    context_.limits = &config_.limits;
    context_.handler = handler_.get();
    context_.budget = budget_.get();
}

HttpServer::~HttpServer()
{
    shutdown();
}

common::Result<uint16_t> HttpServer::start()
{
    auto fd = open_listening_socket(config_.address);
    if (!fd) {
        return common::fail(config_.address_variable + ": cannot listen on " + config_.address.text() + ": " +
                            fd.error().message);
    }
    listen_fd_ = *fd;
    try {
        balance_ = std::make_unique<LoopBalance>(static_cast<size_t>(config_.threads));
        for (int i = 0; i < config_.threads; ++i) {
            loops_.push_back(std::make_unique<EventLoop>(listen_fd_, context_, *balance_, static_cast<size_t>(i)));
        }
    } catch (const std::exception &e) {
        shutdown();
        return common::fail(config_.address_variable + ": cannot start the " + config_.name + " listener: " + e.what());
    }
    for (size_t i = 0; i < loops_.size(); ++i) {
        threads_.emplace_back([raw = loops_[i].get(), name = "pg-" + config_.name + "-" + std::to_string(i)] {
            common::name_this_thread(name);
            raw->run();
        });
    }
    return bound_port(listen_fd_);
}

void HttpServer::shutdown()
{
    for (auto &loop : loops_) loop->stop();
    for (auto &thread : threads_) thread.join();
    threads_.clear();
    loops_.clear();  // closes every connection
    if (listen_fd_ >= 0) {
        ::close(listen_fd_);
        listen_fd_ = -1;
    }
}

}  // namespace productgraph::http
