// A background thread that runs one task every period until stopped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace productgraph::queue {

/// Runs `task` every `period` on its own thread (the first run after one period).
/// stop() (or destruction) wakes it at once and joins; the task does not run again.
class PeriodicTask {
public:
    PeriodicTask(std::chrono::milliseconds period, std::function<void()> task);
    ~PeriodicTask();
    PeriodicTask(const PeriodicTask &) = delete;
    PeriodicTask &operator=(const PeriodicTask &) = delete;

    void stop();

private:
    void run();

    const std::chrono::milliseconds period_;
    std::function<void()> task_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace productgraph::queue
