// The daemon's own instruments, one instance per process: HTTP requests, events
// accepted and rejected, queue fsync latency. The hooks elsewhere are one line each;
// per-plugin instruments live in dispatch::PluginStats, gauges are read at scrape.
#pragma once

#include <cstdint>
#include <string_view>

#include "metrics/exposition.hpp"
#include "metrics/histogram.hpp"
#include "metrics/label_sets.hpp"
#include "metrics/reject_reason.hpp"
#include "metrics/sharded_counters.hpp"

namespace productgraph::metrics {

class DaemonMetrics {
public:
    DaemonMetrics();

    void count_request(Listener listener, Route route, int status) noexcept
    {
        requests_.add(request_index(listener, route, status_slot(status)));
    }
    void count_accepted(uint64_t events) noexcept { events_.add(accepted_index, events); }
    void count_rejected(RejectReason reason) noexcept { events_.add(rejected_index(reason)); }
    Histogram &queue_fsync() noexcept { return queue_fsync_; }

    uint64_t requests(Listener listener, Route route, int status) const
    {
        return requests_.value(request_index(listener, route, status_slot(status)));
    }
    uint64_t accepted() const { return events_.value(accepted_index); }
    uint64_t rejected(RejectReason reason) const { return events_.value(rejected_index(reason)); }

    /// Writes the families above: requests (only label sets seen so far), events
    /// accepted, events rejected (every reason, zeros included), fsync latency.
    void render(Exposition &out) const;

private:
    static constexpr size_t accepted_index = 0;
    static size_t rejected_index(RejectReason reason) { return 1 + static_cast<size_t>(reason); }
    static size_t request_index(Listener listener, Route route, size_t status)
    {
        return (static_cast<size_t>(listener) * route_count + static_cast<size_t>(route)) * status_slot_count + status;
    }

    ShardedCounters requests_;
    ShardedCounters events_;
    Histogram queue_fsync_;
};

/// The process's instruments.
DaemonMetrics &daemon_metrics();

/// Hook for the HTTP edge (request_completed): one answered request, named as the
/// edge names it. Only the fixed sets in label_sets.hpp become label values.
inline void count_http_request(std::string_view listener, std::string_view route_template, int status) noexcept
{
    daemon_metrics().count_request(listener_of(listener), route_of_template(route_template), status);
}

/// Hook for the intake: `errors` are event::ParsedBatch::errors (grouped by event
/// index). Each rejected event counts once, under its first error's reason.
template <typename EventErrors>
void count_rejected_events(const EventErrors &errors) noexcept
{
    bool any = false;
    size_t previous = 0;
    for (const auto &error : errors) {
        if (any && error.index == previous) continue;
        any = true;
        previous = error.index;
        daemon_metrics().count_rejected(reject_reason_of(error.message));
    }
}

/// Hook for the intake: events the queue took (a 202 is on its way).
inline void count_accepted_events(uint64_t events) noexcept
{
    daemon_metrics().count_accepted(events);
}

/// The daemon's version (the CMake project version) for productgraphd_build_info.
std::string_view daemon_version();

}  // namespace productgraph::metrics
