// Live counters and state of one plugin's dispatch, read by the admin endpoints and metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "metrics/histogram.hpp"

namespace productgraph::dispatch {

class PluginStats {
public:
    std::atomic<uint64_t> delivered{0};
    std::atomic<uint64_t> retried{0};   // events sent again after a RETRY
    std::atomic<uint64_t> rejected{0};  // events moved to the dead letters after a REJECT
    std::atomic<uint64_t> expired{0};   // events moved to the dead letters past the retry budget
    // Events of a failed plugin moved from the queue to its dead letters because its
    // backlog passed PRODUCTGRAPH_FAILED_BACKLOG_BYTES.
    std::atomic<uint64_t> failed_backlog_moved{0};
    // Dead letters that did not fit under PRODUCTGRAPH_DEAD_LETTER_MAX_BYTES and were
    // dropped (each drop is also logged at error level). The only way an accepted
    // event is lost.
    std::atomic<uint64_t> dead_letters_dropped{0};
    std::atomic<uint64_t> publish_calls{0};
    metrics::Histogram publish_duration{metrics::publish_latency_bounds};  // each publish call, for /metrics

    /// Marks the plugin failed for good with a reason. Returns false when it had
    /// already failed (the first reason wins).
    bool fail(std::string reason)
    {
        std::lock_guard lock(mutex_);
        if (failed_) return false;
        failed_ = true;
        failure_ = std::move(reason);
        failed_flag_.store(true);
        return true;
    }
    /// Lock-free: read on every loop of the worker.
    bool failed() const { return failed_flag_.load(); }
    std::string failure() const
    {
        std::lock_guard lock(mutex_);
        return failure_;
    }

private:
    mutable std::mutex mutex_;
    bool failed_ = false;
    std::string failure_;
    std::atomic<bool> failed_flag_{false};
};

}  // namespace productgraph::dispatch
