// Posting wakes the loop through its eventfd only when the inbox was empty.
#include "http/loop_inbox.hpp"

#include <unistd.h>

namespace productgraph::http {

void LoopInbox::post(uint64_t connection_id)
{
    std::lock_guard lock(mutex_);
    if (closed_) return;
    const bool wake = posted_.empty();
    posted_.push_back(connection_id);
    if (wake) {
        const uint64_t one = 1;
        [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
    }
}

std::vector<uint64_t> LoopInbox::take()
{
    std::vector<uint64_t> taken;
    std::lock_guard lock(mutex_);
    taken.swap(posted_);
    return taken;
}

void LoopInbox::close()
{
    std::lock_guard lock(mutex_);
    closed_ = true;
    posted_.clear();
}

}  // namespace productgraph::http
