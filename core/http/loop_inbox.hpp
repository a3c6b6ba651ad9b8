// The cross-thread door into one event loop: answers finished on another thread
// (the queue's durability thread) name their connection here and wake the loop.
#pragma once

#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace productgraph::http {

class LoopInbox {
public:
    /// `wake_fd` is the loop's eventfd; the loop owns it and calls close() before closing it.
    explicit LoopInbox(int wake_fd) : wake_fd_(wake_fd) {}

    /// Called from any thread: connection `id` has an answer ready.
    void post(uint64_t connection_id);
    /// The loop takes what was posted since the last call.
    std::vector<uint64_t> take();
    /// After this, posts are dropped (the loop is gone; nobody is left to answer).
    void close();

    void set_owner(std::thread::id owner) { owner_ = owner; }
    bool on_owner_thread() const { return std::this_thread::get_id() == owner_; }

private:
    std::mutex mutex_;
    std::vector<uint64_t> posted_;
    int wake_fd_;
    bool closed_ = false;
    std::thread::id owner_;
};

}  // namespace productgraph::http
