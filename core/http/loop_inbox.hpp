// The cross-thread door into one event loop: answers finished on another thread
// (the queue's durability thread) name their connection here, connections another
// loop accepted for this one arrive here, and either wakes the loop.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace productgraph::http {

/// A connection accepted by one loop for another to serve.
struct HandedConnection {
    int fd;
    std::string peer;
};

/// What an inbox held, taken at once so no wake-up is lost between the two.
struct InboxContents {
    std::vector<uint64_t> answers;  // connection ids with an answer ready
    std::vector<HandedConnection> connections;
};

class LoopInbox {
public:
    /// `wake_fd` is the loop's eventfd; the loop owns it and calls close() before closing it.
    explicit LoopInbox(int wake_fd) : wake_fd_(wake_fd) {}

    /// Called from any thread: connection `id` has an answer ready.
    void post(uint64_t connection_id);
    /// Called from another loop: serve this connection (the inbox owns `fd` from now on).
    void hand_over(HandedConnection connection);
    /// The loop takes what was posted and handed over since the last call.
    InboxContents take();
    /// After this, posts are dropped and handed-over connections closed (the loop is
    /// gone; nobody is left to answer).
    void close();

    void set_owner(std::thread::id owner) { owner_ = owner; }
    bool on_owner_thread() const { return std::this_thread::get_id() == owner_; }

private:
    // Under mutex_: writes the eventfd if nothing was waiting, so a busy loop is woken once.
    void wake_if_idle();

    std::mutex mutex_;
    InboxContents waiting_;
    int wake_fd_;
    bool closed_ = false;
    std::thread::id owner_;
};

}  // namespace productgraph::http
