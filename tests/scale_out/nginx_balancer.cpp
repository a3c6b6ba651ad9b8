// Debian's nginx as the scale-out test's load balancer (see nginx_balancer.hpp).
#include "nginx_balancer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "daemon_process.hpp"

namespace productgraph::testing {
namespace {

constexpr const char *nginx_binary = "/usr/sbin/nginx";

bool accepts_connections(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected = ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

// Round robin; a replica that refuses connections is skipped for 1 s. POSTs are retried
// on another replica after a connection error: safe, because the providers de-duplicate
// by insert id, and it is what an operator would configure.
std::string config(const std::filesystem::path &prefix, int port, const std::vector<int> &upstream_ports)
{
    std::ostringstream out;
    out << "worker_processes 1;\n"
        << "pid " << (prefix / "nginx.pid").string() << ";\n"
        << "error_log " << (prefix / "error.log").string() << " warn;\n"
        << "events { worker_connections 1024; }\n"
        << "http {\n"
        << "  log_format upstream '$upstream_addr|$upstream_status';\n"
        << "  access_log " << (prefix / "access.log").string() << " upstream;\n";
    for (const char *temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
        out << "  " << temp << "_temp_path " << (prefix / temp).string() << ";\n";
    }
    out << "  upstream ingestion {\n";
    for (const int upstream : upstream_ports) {
        out << "    server 127.0.0.1:" << upstream << " max_fails=1 fail_timeout=1s;\n";
    }
    out << "    keepalive 16;\n  }\n"
        << "  server {\n"
        << "    listen 127.0.0.1:" << port << ";\n"
        << "    client_max_body_size 10m;\n"
        << "    client_body_buffer_size 1m;\n"
        << "    location / {\n"
        << "      proxy_pass http://ingestion;\n"
        << "      proxy_http_version 1.1;\n"
        << "      proxy_set_header Connection \"keep-alive\";\n"
        << "      proxy_next_upstream error timeout non_idempotent;\n"
        << "    }\n  }\n}\n";
    return out.str();
}

}  // namespace

int free_loopback_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        ::close(fd);
        throw std::runtime_error("no free loopback port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

NginxBalancer::NginxBalancer(const std::vector<int> &upstream_ports)
{
    if (::access(nginx_binary, X_OK) != 0) {
        throw std::runtime_error("nginx is not installed (packaging/dev/install-deps.sh installs it)");
    }
    std::string pattern = "/tmp/pg-nginx-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    prefix_ = pattern;
    // Started as root, nginx's worker runs as `nobody` and must reach its temp folders.
    std::filesystem::permissions(prefix_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                              std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                              std::filesystem::perms::others_exec);
    port_ = free_loopback_port();
    std::ofstream(prefix_ / "nginx.conf") << config(prefix_, port_, upstream_ports);

    pid_ = ::fork();
    if (pid_ == 0) {
        const std::string prefix = prefix_.string() + "/";
        const std::string conf = (prefix_ / "nginx.conf").string();
        ::execl(nginx_binary, nginx_binary, "-p", prefix.c_str(), "-c", conf.c_str(), "-g", "daemon off;",
                static_cast<char *>(nullptr));
        ::_exit(127);
    }
    const bool up = eventually([&] { return accepts_connections(port_); }, std::chrono::seconds(10));
    if (!up) {
        const std::string log = error_log();
        throw std::runtime_error("nginx did not start: " + log);
    }
}

NginxBalancer::~NginxBalancer()
{
    if (pid_ > 0) {
        ::kill(pid_, SIGQUIT);  // graceful: the master waits for its worker
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(prefix_, ignored);
}

std::map<int, int> NginxBalancer::answered_by_upstream(int status) const
{
    // Each line is "<addr>[, <addr>...]|<status>[, <status>...]": a retried request lists
    // every replica it tried, and the last one gave the answer.
    const auto last_item = [](const std::string &list) {
        const auto comma = list.rfind(", ");
        return comma == std::string::npos ? list : list.substr(comma + 2);
    };
    std::map<int, int> counts;
    std::ifstream log(prefix_ / "access.log");
    for (std::string line; std::getline(log, line);) {
        const auto bar = line.find('|');
        if (bar == std::string::npos) continue;
        const std::string address = last_item(line.substr(0, bar));
        const auto colon = address.rfind(':');
        if (colon == std::string::npos || last_item(line.substr(bar + 1)) != std::to_string(status)) continue;
        counts[std::stoi(address.substr(colon + 1))]++;
    }
    return counts;
}

std::string NginxBalancer::error_log() const
{
    std::ifstream log(prefix_ / "error.log");
    return std::string(std::istreambuf_iterator<char>(log), {});
}

}  // namespace productgraph::testing
