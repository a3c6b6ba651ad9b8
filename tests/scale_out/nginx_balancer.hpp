// Debian's nginx on 127.0.0.1 as a round-robin load balancer in front of daemons, for
// the scale-out test: its own prefix, config and logs in a temporary folder.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace productgraph::testing {

/// A free TCP port on 127.0.0.1 right now (bound, read, released).
int free_loopback_port();

class NginxBalancer {
public:
    /// Starts nginx proxying every path to 127.0.0.1:<port> for each of `upstream_ports`;
    /// waits until it accepts connections. Throws when nginx is missing or fails.
    explicit NginxBalancer(const std::vector<int> &upstream_ports);
    ~NginxBalancer();  // stops nginx and removes its folder
    NginxBalancer(const NginxBalancer &) = delete;
    NginxBalancer &operator=(const NginxBalancer &) = delete;

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    /// Per upstream port, how many requests it answered with `status` (access log).
    std::map<int, int> answered_by_upstream(int status) const;
    std::string error_log() const;

private:
    std::filesystem::path prefix_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace productgraph::testing
