// Spreads a listener's connections evenly over its event loops.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "http/loop_inbox.hpp"

namespace productgraph::http {

/// Every loop accepts from the shared listening socket, and whichever the kernel wakes
/// first may take a whole burst of new connections: 64 clients connecting at once
/// could all land on one loop and leave the others idle. So the loop that accepts a
/// connection hands it to the loop serving the fewest (through that loop's inbox)
/// and keeps it only when no loop serves fewer than it does.
class LoopBalance {
public:
    explicit LoopBalance(size_t loops);

    /// Loop `index` takes handed-over connections through `inbox`; set before any loop runs.
    void attach(size_t index, std::shared_ptr<LoopInbox> inbox);
    /// Which loop serves a connection that loop `self` accepted: `self` unless another
    /// serves fewer. The connection is counted there from now on.
    size_t assign(size_t self);
    /// A connection that loop `index` served is closed.
    void closed(size_t index);
    LoopInbox &inbox(size_t index) const { return *inboxes_[index]; }
    size_t open_connections(size_t index) const { return open_[index].load(std::memory_order_relaxed); }

private:
    std::unique_ptr<std::atomic<size_t>[]> open_;
    std::vector<std::shared_ptr<LoopInbox>> inboxes_;
};

}  // namespace productgraph::http
