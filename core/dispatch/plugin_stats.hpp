// Live counters and state of one plugin's dispatch, read by the admin endpoints.
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
    std::atomic<uint64_t> retried{0};    // events sent again after a RETRY
    std::atomic<uint64_t> rejected{0};   // events moved to the dead letters after a REJECT
    std::atomic<uint64_t> expired{0};    // events moved to the dead letters past the retry budget
    std::atomic<uint64_t> abandoned{0};  // events never delivered because the plugin failed
    std::atomic<uint64_t> publish_calls{0};
    metrics::Histogram publish_duration{metrics::publish_latency_bounds};  // each publish call, for /metrics

    /// Marks the plugin failed for good with a reason (first reason wins).
    void fail(std::string reason)
    {
        std::lock_guard lock(mutex_);
        if (failed_) return;
        failed_ = true;
        failure_ = std::move(reason);
    }
    bool failed() const
    {
        std::lock_guard lock(mutex_);
        return failed_;
    }
    std::string failure() const
    {
        std::lock_guard lock(mutex_);
        return failure_;
    }

private:
    mutable std::mutex mutex_;
    bool failed_ = false;
    std::string failure_;
};

}  // namespace productgraph::dispatch
