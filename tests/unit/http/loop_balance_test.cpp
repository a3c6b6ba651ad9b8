// New connections are spread over a listener's event loops: a burst of clients
// connecting at once must not all land on the loop the kernel happened to wake.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/http_server.hpp"
#include "http/loop_balance.hpp"

using namespace productgraph::http;

namespace {

// Answers every request with 200 and counts which thread (event loop) served it.
class ThreadCountingHandler : public RequestHandler {
public:
    void on_request(Request &, ResponseWriter response) override
    {
        {
            std::lock_guard lock(mutex_);
            ++served_[std::this_thread::get_id()];
        }
        response.send(Status::ok, "{}");
    }
    std::vector<int> counts()
    {
        std::lock_guard lock(mutex_);
        std::vector<int> out;
        for (const auto &[thread, count] : served_) out.push_back(count);
        return out;
    }

private:
    std::mutex mutex_;
    std::map<std::thread::id, int> served_;
};

int connect_to(uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    return fd;
}

// Sends one GET and reads until the end of the answer's head and its 2-byte body.
std::string get(int fd)
{
    const std::string request = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";
    REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
    std::string answer;
    char buffer[1024];
    while (answer.find("\r\n\r\n{}") == std::string::npos) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        answer.append(buffer, static_cast<size_t>(n));
    }
    return answer;
}

}  // namespace

TEST_CASE("a new connection goes to the loop serving the fewest and stays with its own loop on a tie")
{
    LoopBalance balance(3);
    CHECK(balance.assign(1) == 1);  // all equal: the accepting loop keeps it
    CHECK(balance.assign(1) == 0);  // loop 1 now serves one more than loops 0 and 2
    CHECK(balance.assign(1) == 2);
    CHECK(balance.assign(0) == 0);
    CHECK(balance.open_connections(0) == 2);
    balance.closed(0);
    balance.closed(0);
    CHECK(balance.assign(2) == 0);  // loop 0 serves none again
}

TEST_CASE("a burst of connections is served evenly by both event loops")
{
    auto handler = std::make_shared<ThreadCountingHandler>();
    HttpServer server(ServerConfig{"public", "PORT", ListenAddress{"127.0.0.1", 0}, 2, ServerLimits{}}, handler,
                      std::make_shared<InflightBudget>(size_t{1} << 20));
    const auto port = server.start();
    REQUIRE(port.has_value());

    // Every connection is open before any request is sent, as a load generator does.
    std::vector<int> fds;
    for (int i = 0; i < 16; ++i) fds.push_back(connect_to(*port));
    for (const int fd : fds) CHECK(get(fd).rfind("HTTP/1.1 200", 0) == 0);
    for (const int fd : fds) ::close(fd);
    server.shutdown();

    const std::vector<int> counts = handler->counts();
    REQUIRE(counts.size() == 2);
    // Two loops accepting at the same moment may both pick the same one: one off at most.
    CHECK(counts[0] >= 7);
    CHECK(counts[1] >= 7);
}
