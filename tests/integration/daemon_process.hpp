// Runs the real productgraphd binary for a test: its own environment, a free port,
// its stderr captured line by line, stopped by signal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace productgraph::testing {

class DaemonProcess {
public:
    /// Starts productgraphd with exactly `env` (plus PORT=0 and a fresh temporary
    /// PRODUCTGRAPH_QUEUE_DIR unless given, so parallel tests never share a queue).
    /// Does not wait.
    explicit DaemonProcess(std::map<std::string, std::string> env);
    ~DaemonProcess();  // SIGKILLs a daemon still running
    DaemonProcess(const DaemonProcess &) = delete;
    DaemonProcess &operator=(const DaemonProcess &) = delete;

    /// Waits for the "listening" line; returns the port, or nullopt if the daemon
    /// exited or the deadline passed.
    std::optional<int> wait_until_listening(std::chrono::milliseconds timeout = std::chrono::seconds(15));
    /// Sends `signal` and waits for the exit; returns the exit code (128+n if killed).
    std::optional<int> stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(20));
    /// Sends `signal` without waiting (to watch what the daemon does meanwhile).
    void send_signal(int signal);
    /// Waits for the process to exit by itself; returns its exit code.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

    /// Waits until a captured stderr line contains `text`; returns that line.
    std::optional<std::string> wait_for_log(const std::string &text,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::vector<std::string> log_lines() const;
    std::string all_logs() const;
    int port() const { return port_; }
    /// For benches that read /proc/<pid> (CPU time, VmHWM).
    pid_t pid() const { return pid_; }
    /// The public listener: events, health, readiness.
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int admin_port() const { return admin_port_; }
    /// The private admin listener: /v1/plugins..., /metrics, health, readiness.
    std::string admin_url() const { return "http://127.0.0.1:" + std::to_string(admin_port_); }

private:
    void read_stderr(int fd);

    std::string scratch_queue_dir_;  // removed with the process object
    pid_t pid_ = -1;
    int port_ = 0;
    int admin_port_ = 0;
    std::optional<int> exit_code_;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool stderr_closed_ = false;
};

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()> &condition, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace productgraph::testing
