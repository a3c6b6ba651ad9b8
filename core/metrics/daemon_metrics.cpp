// Rendering of the daemon-wide families. Request series appear once seen (2 listeners
// x 11 routes x 32 statuses would be mostly zeros); reason series always appear, so an
// alert on a rate works from the first scrape.
#include "metrics/daemon_metrics.hpp"

namespace productgraph::metrics {

DaemonMetrics::DaemonMetrics()
    : requests_(listener_count * route_count * status_slot_count), events_(1 + reject_reason_count),
      queue_fsync_(fsync_latency_bounds)
{}

void DaemonMetrics::render(Exposition &out) const
{
    out.family("productgraphd_http_requests_total", MetricType::counter,
               "HTTP requests answered, by listener, route template and status code.");
    for (size_t listener = 0; listener < listener_count; ++listener) {
        for (size_t route = 0; route < route_count; ++route) {
            for (size_t status = 0; status < status_slot_count; ++status) {
                const uint64_t value =
                    requests_.value(request_index(static_cast<Listener>(listener), static_cast<Route>(route), status));
                if (value == 0) continue;
                out.sample("productgraphd_http_requests_total",
                           {{"listener", listener_label(static_cast<Listener>(listener))},
                            {"route", route_label(static_cast<Route>(route))},
                            {"status", status_label(status)}},
                           value);
            }
        }
    }

    out.family("productgraphd_events_accepted_total", MetricType::counter,
               "Events the queue took and acknowledged with 202.");
    out.sample("productgraphd_events_accepted_total", {}, events_.value(accepted_index));

    out.family("productgraphd_events_rejected_total", MetricType::counter,
               "Events rejected by validation (listed by index in a 202 answer), by the reason of their first "
               "error.");
    for (size_t reason = 0; reason < reject_reason_count; ++reason) {
        out.sample("productgraphd_events_rejected_total",
                   {{"reason", reject_reason_label(static_cast<RejectReason>(reason))}},
                   events_.value(rejected_index(static_cast<RejectReason>(reason))));
    }

    out.family("productgraphd_queue_fsync_duration_seconds", MetricType::histogram,
               "fdatasync of durable queue segment files (under PRODUCTGRAPH_FSYNC=always a 202 waits for it, "
               "after the group's write).");
    out.histogram("productgraphd_queue_fsync_duration_seconds", {}, queue_fsync_.snapshot());
}

DaemonMetrics &daemon_metrics()
{
    static DaemonMetrics instance;
    return instance;
}

std::string_view daemon_version()
{
    return PG_VERSION;
}

}  // namespace productgraph::metrics
