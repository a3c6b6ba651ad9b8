// Acting on publish results: OK advances, REJECT drops with a log line and a counter,
// RETRY backs off and re-sends only what is left, FATAL stops feeding the plugin.
#include "dispatch/dispatch_worker.hpp"

#include "common/log.hpp"
#include "dispatch/batch_view.hpp"

namespace productgraph::dispatch {
namespace {

using namespace std::chrono;

int64_t monotonic_now_ms() { return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count(); }
int64_t unix_now_ms() { return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(); }

std::string_view status_name(pgraph_status status)
{
    switch (status) {
    case PGRAPH_OK: return "ok";
    case PGRAPH_PARTIAL: return "partial";
    case PGRAPH_RETRY: return "retry";
    case PGRAPH_REJECT: return "reject";
    case PGRAPH_FATAL: return "fatal";
    default: return "unknown";
    }
}

}  // namespace

DispatchWorker::DispatchWorker(plugin_host::PluginInstance &plugin, queue::EventQueue &queue,
                               queue::CursorId cursor, PluginStats &stats, WorkerSettings settings)
    : plugin_(plugin), queue_(queue), cursor_(cursor), stats_(stats), settings_(settings),
      jitter_source_(static_cast<unsigned>(steady_clock::now().time_since_epoch().count()))
{
}

DispatchWorker::~DispatchWorker()
{
    request_stop();
    join();
}

void DispatchWorker::start() { thread_ = std::thread([this] { run(); }); }

void DispatchWorker::request_stop()
{
    stop_requested_.store(true);
    std::lock_guard lock(wake_mutex_);
    wake_.notify_all();
}

void DispatchWorker::join()
{
    if (thread_.joinable()) thread_.join();
}

void DispatchWorker::abandon_thread()
{
    if (thread_.joinable()) thread_.detach();
    plugin_.abandon();
}

void DispatchWorker::fail(std::string reason)
{
    if (stats_.failed()) return;
    const std::string shown = plugin_.redact(reason);
    stats_.fail(shown);
    const uint64_t abandoned = queue_.release_cursor(cursor_);
    stats_.abandoned += abandoned;
    common::log_error("plugin failed; no further events are sent to it",
                      {{"plugin", plugin_.name()}, {"reason", shown}, {"undelivered_events", abandoned}});
    std::lock_guard lock(wake_mutex_);
    wake_.notify_all();
}

void DispatchWorker::run()
{
    const pgraph_publisher_descriptor &descriptor = plugin_.descriptor();
    const queue::ReadLimits limits{descriptor.max_batch_events, descriptor.max_batch_bytes};
    while (!should_stop()) {
        std::vector<queue::QueuedRecord> batch = queue_.read(cursor_, limits, milliseconds(200));
        if (batch.empty()) continue;
        busy_.store(true);
        const uint64_t next_offset = batch.back().offset + 1;
        if (deliver(std::move(batch))) queue_.acknowledge(cursor_, next_offset);
        busy_.store(false);
    }
    if (!stats_.failed()) {
        const pgraph_status flushed = plugin_.flush(unix_now_ms() + settings_.publish_timeout.count());
        if (flushed != PGRAPH_OK) {
            common::log_warn("plugin flush failed at shutdown", {{"plugin", plugin_.name()}, {"status", flushed}});
        }
    }
}

bool DispatchWorker::deliver(std::vector<queue::QueuedRecord> pending)
{
    uint32_t failures = 0;
    for (uint32_t attempt = 1; !pending.empty(); ++attempt) {
        if (stats_.failed()) return false;
        BatchView view(pending, attempt, unix_now_ms() + settings_.publish_timeout.count());
        stats_.publish_calls++;
        publishing_since_ms_.store(monotonic_now_ms());
        const pgraph_status status = plugin_.publish(view.batch(), view.result());
        publishing_since_ms_.store(0);
        if (stats_.failed()) return false;  // declared hung while we were inside publish

        const std::string message = plugin_.redact(view.message());
        if (common::log_enabled(common::LogLevel::debug)) {
            common::log_debug("dispatch", {{"plugin", plugin_.name()},
                                           {"events", pending.size()},
                                           {"attempt", attempt},
                                           {"status", status_name(status)},
                                           {"http_status", view.result().http_status},
                                           {"message", message}});
        }
        std::vector<queue::QueuedRecord> retry;
        switch (status) {
        case PGRAPH_OK: stats_.delivered += pending.size(); break;
        case PGRAPH_REJECT:
            stats_.rejected += pending.size();
            common::log_warn("plugin rejected a batch; its events are dropped",
                             {{"plugin", plugin_.name()}, {"events", pending.size()}, {"reason", message}});
            break;
        case PGRAPH_PARTIAL:
            for (size_t i = 0; i < pending.size(); ++i) {
                const pgraph_event_status event_status = view.event_status(i);
                if (event_status == PGRAPH_EVENT_OK) {
                    stats_.delivered++;
                } else if (event_status == PGRAPH_EVENT_REJECT) {
                    stats_.rejected++;
                    common::log_warn("plugin rejected an event; it is dropped",
                                     {{"plugin", plugin_.name()},
                                      {"event_id", pending[i].record->event_id},
                                      {"reason", plugin_.redact(view.event_reason(i))}});
                } else {
                    retry.push_back(pending[i]);  // RETRY, or a status we do not know
                }
            }
            break;
        case PGRAPH_FATAL: fail(message.empty() ? "plugin returned FATAL" : message); return false;
        case PGRAPH_RETRY: retry = std::move(pending); break;
        default:
            common::log_warn("plugin returned an unknown status; retrying",
                             {{"plugin", plugin_.name()}, {"status", status}});
            retry = std::move(pending);
        }
        pending = std::move(retry);
        if (pending.empty()) break;

        ++failures;
        stats_.retried += pending.size();
        const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_source_);
        const milliseconds delay = settings_.retry.delay(failures, view.result().retry_after_ms, unit);
        common::log_info("plugin asked to retry", {{"plugin", plugin_.name()},
                                                   {"events", pending.size()},
                                                   {"attempt", attempt},
                                                   {"retry_in_ms", delay.count()},
                                                   {"reason", message}});
        if (!wait_before_retry(delay)) return false;
    }
    return true;
}

bool DispatchWorker::wait_before_retry(milliseconds delay)
{
    std::unique_lock lock(wake_mutex_);
    return !wake_.wait_for(lock, delay, [this] { return should_stop(); });
}

}  // namespace productgraph::dispatch
