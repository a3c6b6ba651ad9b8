// The periodic background thread behind interval fsync and cursor persistence.
#include "queue/periodic_task.hpp"

namespace productgraph::queue {

PeriodicTask::PeriodicTask(std::chrono::milliseconds period, std::function<void()> task)
    : period_(period), task_(std::move(task)), thread_([this] { run(); })
{}

PeriodicTask::~PeriodicTask()
{
    stop();
}

void PeriodicTask::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void PeriodicTask::run()
{
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
        lock.unlock();
        task_();
        lock.lock();
    }
}

}  // namespace productgraph::queue
