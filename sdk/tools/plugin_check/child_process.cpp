// fork, a pipe of tagged lines, poll with a deadline, waitpid: the crash firewall.
#include "child_process.hpp"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace pgraph::check {

void Report::write(char kind, const std::string &line) const
{
    std::string framed = std::string(1, kind) + line;
    for (char &c : framed) {
        if (c == '\n') c = ' ';  // one line per report, whatever the plugin wrote
    }
    framed += '\n';
    for (size_t done = 0; done < framed.size();) {
        const ssize_t n = ::write(fd_, framed.data() + done, framed.size() - done);
        if (n <= 0) return;
        done += static_cast<size_t>(n);
    }
}

namespace {

// The child's exit code when std::terminate ran (an exception nobody caught).
constexpr int exception_exit = 70;

// Returns whether the child reached its end ('D').
bool split_lines(const std::string &text, ChildOutcome &outcome)
{
    bool done = false;
    size_t start = 0;
    for (size_t end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start)) {
        const std::string line = text.substr(start + 1, end - start - 1);
        if (text[start] == 'D')
            done = true;
        else
            (text[start] == 'F' ? outcome.failures : outcome.info).push_back(line);
    }
    return done;
}

}  // namespace

ChildOutcome run_in_child(const std::function<void(const Report &)> &work, std::chrono::milliseconds timeout)
{
    ChildOutcome outcome;
    int fds[2];
    if (pipe(fds) != 0) {
        outcome.failures.push_back(std::string("cannot create a pipe: ") + strerror(errno));
        return outcome;
    }
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
        outcome.failures.push_back(std::string("cannot fork: ") + strerror(errno));
        return outcome;
    }
    if (pid == 0) {
        close(fds[0]);
        const Report report(fds[1]);
        // An exception thrown through a plugin's C frames lands here or in terminate.
        std::set_terminate([] { std::_Exit(exception_exit); });
        try {
            work(report);
        } catch (...) {
            report.failure("an exception escaped from plugin code into the host");
        }
        report.done();
        _exit(0);
    }
    close(fds[1]);
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool timed_out = false;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd readable{fds[0], POLLIN, 0};
        if (poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
        char buffer[4096];
        const ssize_t n = read(fds[0], buffer, sizeof buffer);
        if (n <= 0) break;  // EOF: the child is done (or dead)
        text.append(buffer, static_cast<size_t>(n));
    }
    close(fds[0]);
    if (timed_out) kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    const bool done = split_lines(text, outcome);
    if (timed_out) {
        outcome.failures.push_back("did not finish within " + std::to_string(timeout.count() / 1000) +
                                   " s (a call into the plugin hangs)");
    } else if (WIFSIGNALED(status)) {
        outcome.failures.push_back(std::string("the plugin crashed the host: signal ") +
                                   std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")");
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == exception_exit) {
        outcome.failures.push_back("an exception escaped from plugin code (std::terminate)");
    } else if (!done) {
        outcome.failures.push_back("the plugin ended the host process with exit(" +
                                   std::to_string(WEXITSTATUS(status)) + ")");
    }
    return outcome;
}

}  // namespace pgraph::check
