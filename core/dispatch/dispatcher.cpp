// Worker lifecycle and the watchdog: a plugin stuck inside publish cannot be
// interrupted, so it is declared failed and its thread abandoned; a failed plugin
// keeps its cursor, and the watchdog moves what passes its share to its dead letters.
#include "dispatch/dispatcher.hpp"
#include "common/thread_name.hpp"

#include "common/log.hpp"
#include "dispatch/failed_backlog.hpp"

namespace productgraph::dispatch {
namespace {

using namespace std::chrono;

// How often the watchdog looks: hang detection needs little precision, but a failed
// plugin's backlog should be shed before ingestion fills the queue.
constexpr milliseconds watchdog_period{20};

int64_t monotonic_now_ms()
{
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Dispatcher::Dispatcher(queue::EventQueue &queue, WorkerSettings settings, milliseconds hang_grace,
                       std::filesystem::path dead_letter_dir)
    : queue_(queue), settings_(settings), hang_grace_(hang_grace), dead_letter_dir_(std::move(dead_letter_dir))
{}

Dispatcher::~Dispatcher()
{
    stop(steady_clock::now() + seconds(1));
}

void Dispatcher::start()
{
    {
        std::lock_guard lock(slots_mutex_);
        started_ = true;
        for (auto &[name, slot] : slots_) slot.worker->start();
    }
    watchdog_ = std::thread([this] { supervise(); });
}

void Dispatcher::supervise()
{
    common::name_this_thread("pg-watchdog");
    const int64_t limit = (settings_.publish_timeout + hang_grace_).count();
    std::unique_lock lock(watchdog_mutex_);
    while (!watchdog_wake_.wait_for(lock, watchdog_period, [this] { return stopping_; })) {
        lock.unlock();
        {
            std::lock_guard slots_lock(slots_mutex_);
            for (auto &[name, slot] : slots_) {
                const int64_t since = slot.worker->publishing_since_ms();
                if (slot.hung || since == 0 || monotonic_now_ms() - since <= limit) continue;
                slot.hung = true;
                slot.worker->fail("publish did not return within " + std::to_string(limit) +
                                  " ms; the plugin is treated as hung");
            }
        }
        shed_failed_backlogs();
        lock.lock();
    }
}

void Dispatcher::shed_failed_backlogs()
{
    // Held while shedding (rare: a failed plugin past its share), so that a reload
    // cannot retire the slot under it.
    std::lock_guard lock(slots_mutex_);
    for (auto &[name, slot] : slots_) {
        if (!slot.stats->failed()) continue;
        // Only once the worker no longer touches the cursor: its loop has ended, or it
        // is stuck inside the plugin (and checks for failure before acknowledging).
        if (!slot.hung && !slot.worker->finished()) continue;
        shed_failed_backlog(queue_, slot.worker->cursor(), settings_.failed_backlog_bytes, *slot.dead_letters,
                            *slot.stats, name);
    }
}

bool Dispatcher::drain(steady_clock::time_point deadline)
{
    while (true) {
        bool drained = true;
        {
            std::lock_guard lock(slots_mutex_);
            for (auto &[name, slot] : slots_) {
                if (slot.stats->failed()) continue;
                if (queue_.lag(slot.worker->cursor()) > 0 || slot.worker->busy()) drained = false;
            }
        }
        if (drained) return true;
        if (steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(milliseconds(20));
    }
}

void Dispatcher::stop(steady_clock::time_point deadline)
{
    if (stopped_) return;
    stopped_ = true;
    // No reload runs concurrently (both happen on the control thread), so the workers
    // stay valid while waited for without the lock; the watchdog keeps running
    // meanwhile, and a hang it declares now is abandoned below.
    std::vector<std::pair<std::string, DispatchWorker *>> workers;
    {
        std::lock_guard lock(slots_mutex_);
        for (auto &[name, slot] : slots_) {
            slot.worker->request_stop();
            workers.emplace_back(name, slot.worker.get());
        }
    }
    for (const auto &[name, worker] : workers) {
        if (worker->wait_finished(deadline)) continue;
        std::lock_guard lock(slots_mutex_);
        Slot &slot = slots_.at(name);
        if (slot.hung) continue;
        slot.hung = true;
        common::log_error("shutdown: plugin still inside a call at the shutdown deadline; its thread is abandoned and "
                          "its unacknowledged events stay queued for the next start",
                          {{"plugin", name}});
    }
    {
        std::lock_guard lock(watchdog_mutex_);
        stopping_ = true;
    }
    watchdog_wake_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
    std::lock_guard lock(slots_mutex_);
    for (auto &[name, slot] : slots_) {
        const uint64_t undelivered = queue_.lag(slot.worker->cursor());
        if (slot.hung) {
            slot.worker->abandon_thread();
        } else {
            slot.worker->join();
            // The instance outlives its worker (the catalog destroys it later): it must
            // not call back into the worker.
            slot.plugin->set_fault_listener(nullptr);
            slot.plugin.reset();  // the catalog, on this thread, destroys it with the last reference
        }
        if (undelivered > 0) {
            common::log_error("shutdown: events not delivered to plugin", {{"plugin", name}, {"events", undelivered}});
        }
    }
}

std::shared_ptr<const PluginStats> Dispatcher::stats_for(std::string_view plugin_name) const
{
    std::lock_guard lock(slots_mutex_);
    const auto it = slots_.find(plugin_name);
    return it == slots_.end() ? nullptr : it->second.stats;
}

uint64_t Dispatcher::lag_for(std::string_view plugin_name) const
{
    std::lock_guard lock(slots_mutex_);
    const auto it = slots_.find(plugin_name);
    return it == slots_.end() ? 0 : queue_.lag(it->second.worker->cursor());
}

std::shared_ptr<const DeadLetterStore> Dispatcher::dead_letters_for(std::string_view plugin_name) const
{
    std::lock_guard lock(slots_mutex_);
    const auto it = slots_.find(plugin_name);
    return it == slots_.end() ? nullptr : it->second.dead_letters;
}

common::Result<size_t> Dispatcher::replay_dead_letters(std::string_view plugin_name)
{
    std::lock_guard lock(slots_mutex_);
    const auto it = slots_.find(plugin_name);
    if (it == slots_.end()) return common::fail("plugin " + std::string(plugin_name) + " is not enabled");
    if (it->second.stats->failed()) {
        return common::fail("plugin " + std::string(plugin_name) +
                            " has failed; fix it and restart: its dead letters are kept");
    }
    return it->second.dead_letters->start_replay();
}

bool Dispatcher::fail_plugin(std::string_view plugin_name, std::string reason)
{
    std::lock_guard lock(slots_mutex_);
    const auto it = slots_.find(plugin_name);
    if (it == slots_.end()) return false;
    it->second.worker->fail(std::move(reason));
    return true;
}

bool Dispatcher::any_hung() const
{
    std::lock_guard lock(slots_mutex_);
    for (const auto &[name, slot] : slots_) {
        if (slot.hung) return true;
    }
    return abandoned_on_removal_.load();
}

bool Dispatcher::hung(std::string_view plugin_name) const
{
    std::lock_guard lock(slots_mutex_);
    const auto it = slots_.find(plugin_name);
    return it != slots_.end() && it->second.hung;
}

}  // namespace productgraph::dispatch
