// Acting on publish results: OK advances, REJECT moves to the dead letters with a log
// line and a counter, RETRY parks only those events until their backoff is over, FATAL
// stops feeding the plugin but keeps its cursor. The cursor advances to the oldest
// event still unresolved.
#include "dispatch/dispatch_worker.hpp"
#include "common/thread_name.hpp"

#include <algorithm>

#include "common/log.hpp"
#include "dispatch/batch_view.hpp"

namespace productgraph::dispatch {
namespace {

using namespace std::chrono;

int64_t monotonic_now_ms()
{
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
int64_t unix_now_ms()
{
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

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

DispatchWorker::DispatchWorker(plugin_host::PluginInstance &plugin, queue::EventQueue &queue, queue::CursorId cursor,
                               PluginStats &stats, DeadLetterStore &dead_letters, WorkerSettings settings)
    : plugin_(plugin), queue_(queue), cursor_(cursor), stats_(stats), dead_letters_(dead_letters), settings_(settings),
      jitter_source_(static_cast<unsigned>(steady_clock::now().time_since_epoch().count()))
{}

DispatchWorker::~DispatchWorker()
{
    request_stop();
    join();
}

void DispatchWorker::start()
{
    thread_ = std::thread([this] { run(); });
}

void DispatchWorker::request_stop()
{
    stop_requested_.store(true);
    std::lock_guard lock(wake_mutex_);
    wake_.notify_all();
}

bool DispatchWorker::wait_finished(steady_clock::time_point deadline)
{
    if (!thread_.joinable()) return true;  // never started
    std::unique_lock lock(wake_mutex_);
    return finished_cv_.wait_until(lock, deadline, [this] { return finished_.load(); });
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
    const std::string shown = plugin_.redact(reason);
    if (!stats_.fail(shown)) return;
    common::log_error("plugin failed; no further events are sent to it, and they stay queued for it until a "
                      "restart with fixed settings",
                      {{"plugin", plugin_.name()}, {"reason", shown}, {"queued_events", queue_.lag(cursor_)}});
    std::lock_guard lock(wake_mutex_);
    wake_.notify_all();
}

void DispatchWorker::run()
{
    common::name_this_thread("pg-out-" + std::string(plugin_.name()));
    const pgraph_publisher_descriptor &descriptor = plugin_.descriptor();
    const queue::ReadLimits limits{descriptor.max_batch_events, descriptor.max_batch_bytes};
    const size_t parked_max = settings_.parked_batches_max * descriptor.max_batch_events;
    while (!should_stop()) {
        const Clock::time_point now = Clock::now();
        if (std::vector<Pending> due = take_due_retries(now); !due.empty()) {
            publish_round(std::move(due));
            continue;
        }
        if (parked_.size() >= parked_max) {
            sleep_until(earliest_due());  // back-pressure: only retries until some resolve
            continue;
        }
        if (std::vector<Pending> replayed = take_replayed(); !replayed.empty()) {
            publish_round(std::move(replayed));
            continue;
        }
        auto wait = milliseconds(200);
        if (!parked_.empty()) {
            wait = std::clamp(duration_cast<milliseconds>(earliest_due() - now), milliseconds(0), wait);
        }
        std::vector<queue::QueuedRecord> batch = queue_.read(cursor_, next_read_offset_, limits, wait);
        if (batch.empty()) continue;
        next_read_offset_ = batch.back().offset + 1;
        std::vector<Pending> round;
        round.reserve(batch.size());
        for (queue::QueuedRecord &queued : batch) {
            const int64_t accepted_ms = queued.record->received_ms();
            round.push_back(Pending{std::move(queued), 1, 0, {}, false, accepted_ms});
        }
        publish_round(std::move(round));
    }
    if (!stats_.failed()) {
        const pgraph_status flushed = plugin_.flush(unix_now_ms() + settings_.publish_timeout.count());
        if (flushed != PGRAPH_OK) {
            common::log_warn("plugin flush failed at shutdown", {{"plugin", plugin_.name()}, {"status", flushed}});
        }
    }
    std::lock_guard lock(wake_mutex_);
    finished_.store(true);
    finished_cv_.notify_all();
}

std::vector<DispatchWorker::Pending> DispatchWorker::take_replayed()
{
    std::vector<Pending> round;
    for (DeadLetter &letter : dead_letters_.next_replay_chunk(plugin_.descriptor().max_batch_events)) {
        Pending pending;
        pending.queued.record = std::move(letter.record);
        pending.replayed = true;
        pending.budget_start_ms = unix_now_ms();  // a replay gets a fresh retry budget
        round.push_back(std::move(pending));
    }
    return round;
}

void DispatchWorker::bury(Pending &pending, std::string reason, std::vector<DeadLetter> &graves)
{
    graves.push_back(DeadLetter{pending.queued.record, std::move(reason), unix_now_ms(), pending.attempt});
    if (pending.replayed) dead_letters_.replay_resolved(1);
}

void DispatchWorker::add_dead_letters(std::vector<DeadLetter> graves)
{
    stats_.dead_letters_dropped += dead_letters_.add(std::move(graves));
}

std::vector<DispatchWorker::Pending> DispatchWorker::take_due_retries(Clock::time_point now)
{
    std::vector<Pending> due;
    // Runs once per loop: sort only when something is due, not on every new batch
    // while thousands of events wait out an outage.
    if (parked_.empty() || earliest_due() > now) return due;
    const pgraph_publisher_descriptor &descriptor = plugin_.descriptor();
    uint64_t bytes = 0;
    // Oldest offsets first, so the cursor can advance as soon as possible.
    std::sort(parked_.begin(), parked_.end(),
              [](const Pending &a, const Pending &b) { return a.queued.offset < b.queued.offset; });
    auto keep = parked_.begin();
    for (auto it = parked_.begin(); it != parked_.end(); ++it) {
        const uint64_t size = it->queued.record->byte_size();
        const bool fits = due.size() < descriptor.max_batch_events && (due.empty() || descriptor.max_batch_bytes == 0 ||
                                                                       bytes + size <= descriptor.max_batch_bytes);
        if (it->due <= now && fits) {
            bytes += size;
            due.push_back(std::move(*it));
        } else {
            *keep++ = std::move(*it);
        }
    }
    parked_.erase(keep, parked_.end());
    return due;
}

void DispatchWorker::publish_round(std::vector<Pending> round)
{
    busy_.store(true);
    std::vector<queue::QueuedRecord> records;
    records.reserve(round.size());
    uint32_t attempt = 1;
    uint32_t failures = 0;
    for (const Pending &pending : round) {
        records.push_back(pending.queued);
        attempt = std::max(attempt, pending.attempt);
        failures = std::max(failures, pending.failures);
    }
    BatchView view(records, attempt, unix_now_ms() + settings_.publish_timeout.count());
    stats_.publish_calls++;
    publishing_since_ms_.store(monotonic_now_ms());
    const pgraph_status status =
        metrics::timed(stats_.publish_duration, [&] { return plugin_.publish(view.batch(), view.result()); });
    publishing_since_ms_.store(0);
    if (stats_.failed()) {  // declared hung while we were inside publish
        busy_.store(false);
        return;
    }

    const std::string message = plugin_.redact(view.message());
    if (common::log_enabled(common::LogLevel::debug)) {
        common::log_debug("dispatch", {{"plugin", plugin_.name()},
                                       {"events", round.size()},
                                       {"attempt", attempt},
                                       {"status", status_name(status)},
                                       {"http_status", view.result().http_status},
                                       {"message", message}});
    }
    std::vector<Pending> retry;
    std::vector<DeadLetter> graves;
    size_t replayed_delivered = 0;
    const auto delivered = [&](const Pending &pending) {
        stats_.delivered++;
        if (pending.replayed) ++replayed_delivered;
    };
    switch (status) {
    case PGRAPH_OK:
        for (const Pending &pending : round) delivered(pending);
        break;
    case PGRAPH_REJECT:
        stats_.rejected += round.size();
        common::log_warn("plugin rejected a batch; its events go to the dead letters",
                         {{"plugin", plugin_.name()}, {"events", round.size()}, {"reason", message}});
        for (Pending &pending : round) bury(pending, "rejected: " + message, graves);
        break;
    case PGRAPH_PARTIAL:
        for (size_t i = 0; i < round.size(); ++i) {
            const pgraph_event_status event_status = view.event_status(i);
            if (event_status == PGRAPH_EVENT_OK) {
                delivered(round[i]);
            } else if (event_status == PGRAPH_EVENT_REJECT) {
                stats_.rejected++;
                const std::string reason = plugin_.redact(view.event_reason(i));
                common::log_warn(
                    "plugin rejected an event; it goes to the dead letters",
                    {{"plugin", plugin_.name()}, {"event_id", round[i].queued.record->event_id()}, {"reason", reason}});
                bury(round[i], "rejected: " + reason, graves);
            } else {
                round[i].own_retry_after_ms = view.event_retry_after_ms(i);
                retry.push_back(std::move(round[i]));  // RETRY, or a status we do not know
            }
        }
        break;
    case PGRAPH_FATAL:
        busy_.store(false);
        fail(message.empty() ? "plugin returned FATAL" : message);
        return;
    case PGRAPH_RETRY: retry = std::move(round); break;
    default:
        common::log_warn("plugin returned an unknown status; retrying",
                         {{"plugin", plugin_.name()}, {"status", status}});
        retry = std::move(round);
    }

    if (replayed_delivered > 0) dead_letters_.replay_resolved(replayed_delivered);

    // Events past the retry budget stop here: dead letters, not another retry.
    const int64_t oldest_allowed_ms = unix_now_ms() - duration_cast<milliseconds>(settings_.retry_max_age).count();
    std::erase_if(retry, [&](Pending &pending) {
        if (pending.budget_start_ms >= oldest_allowed_ms) return false;
        stats_.expired++;
        bury(pending,
             "retry budget of " + std::to_string(settings_.retry_max_age.count()) + " s exhausted after " +
                 std::to_string(pending.attempt) + " attempts: " + message,
             graves);
        return true;
    });
    if (!graves.empty()) {
        common::log_warn("events moved to the dead letters", {{"plugin", plugin_.name()}, {"events", graves.size()}});
        add_dead_letters(std::move(graves));
    }

    if (!retry.empty()) {
        const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_source_);
        const int64_t batch_retry_after = view.result().retry_after_ms;
        const milliseconds delay = settings_.retry.delay(failures + 1, batch_retry_after, unit);
        const Clock::time_point now = Clock::now();
        stats_.retried += retry.size();
        common::log_info("plugin asked to retry", {{"plugin", plugin_.name()},
                                                   {"events", retry.size()},
                                                   {"attempt", attempt},
                                                   {"retry_in_ms", delay.count()},
                                                   {"reason", message}});
        for (Pending &pending : retry) {
            pending.attempt += 1;
            pending.failures += 1;
            // An event's own delay (ABI 1.1) replaces the batch's Retry-After for it.
            pending.due = now + (pending.own_retry_after_ms > 0
                                     ? settings_.retry.delay(pending.failures, pending.own_retry_after_ms, unit)
                                     : delay);
            pending.own_retry_after_ms = 0;
            parked_.push_back(std::move(pending));
        }
    }
    acknowledge_resolved();
    busy_.store(false);
}

void DispatchWorker::acknowledge_resolved()
{
    uint64_t oldest_unresolved = next_read_offset_;
    for (const Pending &pending : parked_) {
        if (!pending.replayed) oldest_unresolved = std::min(oldest_unresolved, pending.queued.offset);
    }
    queue_.acknowledge(cursor_, oldest_unresolved);
}

DispatchWorker::Clock::time_point DispatchWorker::earliest_due() const
{
    Clock::time_point earliest = Clock::time_point::max();
    for (const Pending &pending : parked_) earliest = std::min(earliest, pending.due);
    return earliest;
}

void DispatchWorker::sleep_until(Clock::time_point until)
{
    std::unique_lock lock(wake_mutex_);
    wake_.wait_until(lock, until, [this] { return should_stop(); });
}

}  // namespace productgraph::dispatch
