// Posting wakes the loop through its eventfd only when the inbox was empty.
#include "http/loop_inbox.hpp"

#include <unistd.h>

namespace productgraph::http {

void LoopInbox::wake_if_idle()
{
    if (waiting_.answers.size() + waiting_.connections.size() != 1) return;  // the loop was woken already
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

void LoopInbox::post(uint64_t connection_id)
{
    std::lock_guard lock(mutex_);
    if (closed_) return;
    waiting_.answers.push_back(connection_id);
    wake_if_idle();
}

void LoopInbox::hand_over(HandedConnection connection)
{
    std::lock_guard lock(mutex_);
    if (closed_) {
        ::close(connection.fd);
        return;
    }
    waiting_.connections.push_back(std::move(connection));
    wake_if_idle();
}

InboxContents LoopInbox::take()
{
    InboxContents taken;
    std::lock_guard lock(mutex_);
    std::swap(taken, waiting_);
    return taken;
}

void LoopInbox::close()
{
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (const HandedConnection &connection : waiting_.connections) ::close(connection.fd);
    waiting_ = {};
}

}  // namespace productgraph::http
