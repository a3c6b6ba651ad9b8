// Runs one piece of work in a forked child so that a crash, an abort or a hang in
// plugin code is reported by the parent instead of taking it down.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace pgraph::check {

/// Where a child writes what it found: one line per call.
class Report {
public:
    explicit Report(int fd) : fd_(fd) {}
    void info(const std::string &line) const { write('I', line); }
    void failure(const std::string &line) const { write('F', line); }
    /// The work finished: a child that exits without saying so was ended by the plugin.
    void done() const { write('D', ""); }

private:
    void write(char kind, const std::string &line) const;
    int fd_;
};

/// What a child said and how it ended.
struct ChildOutcome {
    std::vector<std::string> info;
    std::vector<std::string> failures;  // including a crash, a non-zero exit or a timeout
};

/// Forks, runs `work` in the child (which then _exits), and collects its report.
/// The child is killed after `timeout`; a signal or a timeout becomes a failure.
ChildOutcome run_in_child(const std::function<void(const Report &)> &work, std::chrono::milliseconds timeout);

}  // namespace pgraph::check
