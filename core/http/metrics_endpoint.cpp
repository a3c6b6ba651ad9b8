// The scrape reads live state at the moment it is asked for: the daemon's counters,
// each plugin's PluginStats and lag, the queue's stats and /proc. Plugin label values
// are names from the plugin catalog (one snapshot per scrape, so a reload in between
// never mixes two catalogs); a later file that duplicates a name is left out, so no
// series appears twice. A reload that replaces a plugin starts its counters again,
// which Prometheus reads as a counter reset.
#include "http/metrics_endpoint.hpp"

#include <array>
#include <limits>

#include <productgraph/publisher.h>

#include "metrics/daemon_metrics.hpp"
#include "metrics/process_metrics.hpp"

namespace productgraph::http {
namespace {

using metrics::Exposition;
using metrics::MetricType;

// One per-plugin counter family: its name, help, and how to read it.
struct PluginCounter {
    std::string_view name;
    std::string_view help;
    uint64_t (*read)(const dispatch::PluginStats &stats);
};

constexpr std::array plugin_counters = {
    PluginCounter{"productgraphd_plugin_delivered_events_total", "Events the plugin acknowledged as delivered.",
                  [](const dispatch::PluginStats &s) { return s.delivered.load(); }},
    PluginCounter{"productgraphd_plugin_retried_events_total",
                  "Events sent again after the plugin answered RETRY (once per retry).",
                  [](const dispatch::PluginStats &s) { return s.retried.load(); }},
    PluginCounter{"productgraphd_plugin_rejected_events_total", "Events the plugin answered REJECT for.",
                  [](const dispatch::PluginStats &s) { return s.rejected.load(); }},
    PluginCounter{"productgraphd_plugin_dead_lettered_events_total",
                  "Events moved to the plugin's dead letters: rejected, or past PRODUCTGRAPH_RETRY_MAX_AGE.",
                  [](const dispatch::PluginStats &s) { return s.rejected.load() + s.expired.load(); }},
    PluginCounter{"productgraphd_plugin_abandoned_events_total",
                  "Queued events the plugin will never get because it failed.",
                  [](const dispatch::PluginStats &s) { return s.abandoned.load(); }},
    PluginCounter{"productgraphd_plugin_publish_calls_total", "Calls into the plugin's publish.",
                  [](const dispatch::PluginStats &s) { return s.publish_calls.load(); }},
};

constexpr std::array<plugin_host::PluginState, 3> plugin_states = {
    plugin_host::PluginState::enabled, plugin_host::PluginState::disabled, plugin_host::PluginState::failed};

// A plugin that failed after start-up (FATAL, hung) is reported as failed.
plugin_host::PluginState current_state(const ApiContext &context, const plugin_host::PluginEntry &entry)
{
    const auto stats = context.dispatcher->stats_for(entry.name);
    return stats != nullptr && stats->failed() ? plugin_host::PluginState::failed : entry.state;
}

void render_plugins(const ApiContext &context, Exposition &out)
{
    const plugin_host::PluginRegistry::Snapshot catalog = context.plugins->snapshot();
    // A file that never loaded has no name, and a duplicate's name belongs to the
    // earlier file: both show in /v1/plugins, not here.
    const auto named = [](const plugin_host::PluginEntry &entry) { return !entry.name.empty() && !entry.duplicate; };

    out.family("productgraphd_plugin_state", MetricType::gauge,
               "1 for the state each plugin is in (enabled, disabled or failed), 0 for the others.");
    for (const plugin_host::PluginEntry &entry : *catalog) {
        if (!named(entry)) continue;
        const plugin_host::PluginState state = current_state(context, entry);
        for (const plugin_host::PluginState candidate : plugin_states) {
            out.sample("productgraphd_plugin_state",
                       {{"plugin", entry.name}, {"state", plugin_host::state_name(candidate)}},
                       uint64_t{candidate == state ? 1u : 0u});
        }
    }

    for (const PluginCounter &counter : plugin_counters) {
        out.family(counter.name, MetricType::counter, counter.help);
        for (const plugin_host::PluginEntry &entry : *catalog) {
            const auto stats = named(entry) ? context.dispatcher->stats_for(entry.name) : nullptr;
            if (stats != nullptr) out.sample(counter.name, {{"plugin", entry.name}}, counter.read(*stats));
        }
    }

    out.family("productgraphd_plugin_queue_lag_events", MetricType::gauge,
               "Events in the queue the plugin has not acknowledged yet.");
    for (const plugin_host::PluginEntry &entry : *catalog) {
        if (named(entry) && context.dispatcher->stats_for(entry.name) != nullptr) {
            out.sample("productgraphd_plugin_queue_lag_events", {{"plugin", entry.name}},
                       context.dispatcher->lag_for(entry.name));
        }
    }

    out.family("productgraphd_plugin_dead_letters", MetricType::gauge,
               "Dead letters kept for the plugin (listed and replayed through the admin API).");
    for (const plugin_host::PluginEntry &entry : *catalog) {
        const auto store = named(entry) ? context.dispatcher->dead_letters_for(entry.name) : nullptr;
        if (store != nullptr) out.sample("productgraphd_plugin_dead_letters", {{"plugin", entry.name}}, store->count());
    }

    out.family("productgraphd_plugin_publish_duration_seconds", MetricType::histogram,
               "Duration of each call into the plugin's publish.");
    for (const plugin_host::PluginEntry &entry : *catalog) {
        const auto stats = named(entry) ? context.dispatcher->stats_for(entry.name) : nullptr;
        if (stats != nullptr) {
            out.histogram("productgraphd_plugin_publish_duration_seconds", {{"plugin", entry.name}},
                          stats->publish_duration.snapshot());
        }
    }
}

void render_queue(const ApiContext &context, Exposition &out)
{
    const queue::QueueStats stats = context.queue->stats();
    const auto gauge = [&out](std::string_view name, std::string_view help, uint64_t value) {
        out.family(name, MetricType::gauge, help);
        out.sample(name, {}, value);
    };
    const auto counter = [&out](std::string_view name, std::string_view help, uint64_t value) {
        out.family(name, MetricType::counter, help);
        out.sample(name, {}, value);
    };
    gauge("productgraphd_queue_events", "Events held in the queue (some enabled plugin has not acknowledged them).",
          stats.depth_events);
    gauge("productgraphd_queue_bytes", "Bytes the queue holds (segment bytes on disk, or event JSON in memory).",
          stats.depth_bytes);
    // The durable queue is bounded by bytes only; its event capacity is +Inf.
    out.family("productgraphd_queue_capacity_events", MetricType::gauge,
               "Events the queue can hold (+Inf for the durable queue, bounded by bytes only).");
    out.sample("productgraphd_queue_capacity_events", {},
               stats.capacity_events == std::numeric_limits<uint64_t>::max()
                   ? std::numeric_limits<double>::infinity()
                   : static_cast<double>(stats.capacity_events));
    gauge("productgraphd_queue_capacity_bytes", "Bytes the queue can hold (PRODUCTGRAPH_QUEUE_MAX_BYTES).",
          stats.capacity_bytes);
    gauge("productgraphd_queue_refusing",
          "1 while the latest append was refused for space and nothing was freed since (/ready is 503).",
          uint64_t{stats.refusing ? 1u : 0u});
    counter("productgraphd_queue_appended_events_total", "Events ever appended to the queue.", stats.appended_total);
    counter("productgraphd_queue_refused_events_total",
            "Events refused with 503 because the queue was full (the client keeps them).", stats.refused_full_total);
}

void render_build_info(Exposition &out)
{
    const std::string abi = std::to_string(PGRAPH_ABI_MAJOR) + "." + std::to_string(PGRAPH_ABI_MINOR);
    out.family("productgraphd_build_info", MetricType::gauge,
               "Always 1: the daemon's version and the plugin ABI (major.minor) it speaks.");
    out.sample("productgraphd_build_info", {{"version", metrics::daemon_version()}, {"abi", abi}}, uint64_t{1});
}

}  // namespace

MetricsPage render_metrics(const ApiContext &context)
{
    Exposition out;
    metrics::daemon_metrics().render(out);
    render_queue(context, out);
    render_plugins(context, out);
    metrics::render_process_metrics(out);
    render_build_info(out);
    return MetricsPage{out.take(), metrics::exposition_content_type};
}

void handle_metrics(ApiContext &context, const Request &, ResponseWriter &response)
{
    const MetricsPage page = render_metrics(context);
    response.send(Status::ok, page.body, page.content_type);
}

}  // namespace productgraph::http
