// Worker lifecycle and the hang watchdog: a plugin stuck inside publish cannot be
// interrupted, so it is declared failed, its cursor released, its thread abandoned.
#include "dispatch/dispatcher.hpp"

#include "common/log.hpp"

namespace productgraph::dispatch {
namespace {

using namespace std::chrono;

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
    stop();
}

void Dispatcher::start()
{
    {
        std::lock_guard lock(slots_mutex_);
        started_ = true;
        for (auto &[name, slot] : slots_) slot.worker->start();
    }
    watchdog_ = std::thread([this] { watch_for_hangs(); });
}

void Dispatcher::watch_for_hangs()
{
    const int64_t limit = (settings_.publish_timeout + hang_grace_).count();
    std::unique_lock lock(watchdog_mutex_);
    while (!watchdog_wake_.wait_for(lock, milliseconds(100), [this] { return stopping_; })) {
        std::lock_guard slots_lock(slots_mutex_);
        for (auto &[name, slot] : slots_) {
            const int64_t since = slot.worker->publishing_since_ms();
            if (slot.hung || since == 0 || monotonic_now_ms() - since <= limit) continue;
            slot.hung = true;
            slot.worker->fail("publish did not return within " + std::to_string(limit) +
                              " ms; the plugin is treated as hung");
        }
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

void Dispatcher::stop()
{
    {
        std::lock_guard lock(watchdog_mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    watchdog_wake_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
    // Held while joining: the HTTP server is down by now, and no reload runs
    // concurrently (both happen on the control thread).
    std::lock_guard lock(slots_mutex_);
    for (auto &[name, slot] : slots_) slot.worker->request_stop();
    for (auto &[name, slot] : slots_) {
        const uint64_t undelivered = queue_.lag(slot.worker->cursor());
        if (slot.hung) {
            slot.worker->abandon_thread();
            continue;
        }
        slot.worker->join();
        slot.plugin.reset();  // the catalog, on this thread, destroys it with the last reference
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
