// fork/exec of the daemon with a pipe on stderr; no sleeps, only deadlines.
#include "daemon_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace productgraph::testing {
namespace {

using namespace std::chrono;

std::optional<int> decode_status(int status)
{
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return std::nullopt;
}

}  // namespace

DaemonProcess::DaemonProcess(std::map<std::string, std::string> env)
{
    env.try_emplace("PORT", "0");
    env.try_emplace("PRODUCTGRAPH_ADMIN_ADDRESS", "127.0.0.1:0");
    if (!env.contains("PRODUCTGRAPH_QUEUE_DIR")) {
        std::string pattern = "/tmp/pg-queue-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        scratch_queue_dir_ = pattern;
        env["PRODUCTGRAPH_QUEUE_DIR"] = scratch_queue_dir_;
    }
    std::vector<std::string> entries;
    for (const auto &[name, value] : env) entries.push_back(name + "=" + value);
    // ASan and UBSan settings must reach the daemon in sanitizer builds.
    for (const char *inherited : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "PATH"}) {
        if (const char *value = std::getenv(inherited); value != nullptr && !env.contains(inherited)) {
            entries.push_back(std::string(inherited) + "=" + value);
        }
    }
    std::vector<char *> envp;
    for (std::string &entry : entries) envp.push_back(entry.data());
    envp.push_back(nullptr);

    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        // If the test process dies (a failed assertion under ASan aborts it), the
        // daemon must not outlive it and keep ctest waiting on its output.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pipe_fds[1], STDERR_FILENO);
        const int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) dup2(null_fd, STDOUT_FILENO);
        char *argv[] = {const_cast<char *>(PG_DAEMON_BINARY), nullptr};
        execve(PG_DAEMON_BINARY, argv, envp.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    reader_ = std::thread([this, fd = pipe_fds[0]] { read_stderr(fd); });
}

DaemonProcess::~DaemonProcess()
{
    if (!exit_code_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    if (reader_.joinable()) reader_.join();
    if (!scratch_queue_dir_.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(scratch_queue_dir_, ignored);
    }
}

void DaemonProcess::read_stderr(int fd)
{
    std::string pending;
    char buffer[4096];
    while (true) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        pending.append(buffer, static_cast<size_t>(n));
        size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
            std::lock_guard lock(mutex_);
            lines_.push_back(pending.substr(0, newline));
            pending.erase(0, newline + 1);
            changed_.notify_all();
        }
    }
    close(fd);
    std::lock_guard lock(mutex_);
    if (!pending.empty()) lines_.push_back(pending);
    stderr_closed_ = true;
    changed_.notify_all();
}

std::optional<std::string> DaemonProcess::wait_for_log(const std::string &text, milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    changed_.wait_for(lock, timeout, [&] {
        for (const std::string &line : lines_) {
            if (line.find(text) != std::string::npos) {
                found = line;
                return true;
            }
        }
        return stderr_closed_;
    });
    return found;
}

std::optional<int> DaemonProcess::wait_until_listening(milliseconds timeout)
{
    const auto line = wait_for_log("\"msg\":\"listening\"", timeout);
    if (!line) return std::nullopt;
    const size_t at = line->find("\"port\":");
    if (at == std::string::npos) return std::nullopt;
    port_ = std::stoi(line->substr(at + 7));
    // The private admin listener reports its own port; without one, admin paths
    // are served on the public port.
    const size_t admin_at = line->find("\"admin_port\":");
    admin_port_ = admin_at == std::string::npos ? port_ : std::stoi(line->substr(admin_at + 13));
    return port_;
}

std::optional<int> DaemonProcess::wait_for_exit(milliseconds timeout)
{
    if (exit_code_) return exit_code_;
    const auto deadline = steady_clock::now() + timeout;
    while (steady_clock::now() < deadline) {
        int status = 0;
        const pid_t done = waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            exit_code_ = decode_status(status);
            if (reader_.joinable()) reader_.join();
            return exit_code_;
        }
        std::this_thread::sleep_for(milliseconds(10));
    }
    return std::nullopt;
}

void DaemonProcess::send_signal(int signal)
{
    if (!exit_code_) kill(pid_, signal);
}

std::optional<int> DaemonProcess::stop(int signal, milliseconds timeout)
{
    if (exit_code_) return exit_code_;
    kill(pid_, signal);
    return wait_for_exit(timeout);
}

std::vector<std::string> DaemonProcess::log_lines() const
{
    std::lock_guard lock(mutex_);
    return lines_;
}

std::string DaemonProcess::all_logs() const
{
    std::string joined;
    for (const std::string &line : log_lines()) joined += line + "\n";
    return joined;
}

bool eventually(const std::function<bool()> &condition, milliseconds timeout)
{
    const auto deadline = steady_clock::now() + timeout;
    while (true) {
        if (condition()) return true;
        if (steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(milliseconds(20));
    }
}

}  // namespace productgraph::testing
