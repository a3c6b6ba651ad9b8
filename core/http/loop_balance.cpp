// The least-served loop takes each new connection.
#include "http/loop_balance.hpp"

namespace productgraph::http {

LoopBalance::LoopBalance(size_t loops) : open_(std::make_unique<std::atomic<size_t>[]>(loops)), inboxes_(loops) {}

void LoopBalance::attach(size_t index, std::shared_ptr<LoopInbox> inbox)
{
    inboxes_[index] = std::move(inbox);
}

size_t LoopBalance::assign(size_t self)
{
    // Two loops assigning at once may both pick the same one: off by one at worst,
    // and the next connection evens it out.
    size_t chosen = self;
    size_t fewest = open_connections(self);
    for (size_t i = 0; i < inboxes_.size(); ++i) {
        if (open_connections(i) < fewest) {
            chosen = i;
            fewest = open_connections(i);
        }
    }
    open_[chosen].fetch_add(1, std::memory_order_relaxed);
    return chosen;
}

void LoopBalance::closed(size_t index)
{
    open_[index].fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace productgraph::http
