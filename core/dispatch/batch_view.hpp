// Lends queued records to a plugin as a pgraph_batch of views, with result buffers.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include <productgraph/publisher.h>

#include "queue/event_queue.hpp"

namespace productgraph::dispatch {

/// Valid while the records it was built from are alive and unchanged.
class BatchView {
public:
    BatchView(const std::vector<queue::QueuedRecord> &records, uint32_t attempt, int64_t deadline_unix_ms);
    BatchView(const BatchView &) = delete;
    BatchView &operator=(const BatchView &) = delete;

    const pgraph_batch &batch() const { return batch_; }
    pgraph_publish_result &result() { return result_; }

    pgraph_event_status event_status(size_t i) const { return results_[i].status; }
    /// The plugin's own delay for event i (ABI 1.1), 0 when it gave none.
    int64_t event_retry_after_ms(size_t i) const { return results_[i].retry_after_ms; }
    /// The plugin's reason for event i (NUL-terminated inside the buffer, so bounded).
    std::string_view event_reason(size_t i) const;
    /// The plugin's message for the whole batch.
    std::string_view message() const;

private:
    std::vector<pgraph_event> events_;
    std::vector<pgraph_event_result> results_;
    std::array<char, 512> message_{};
    pgraph_batch batch_{};
    pgraph_publish_result result_{};
};

}  // namespace productgraph::dispatch
