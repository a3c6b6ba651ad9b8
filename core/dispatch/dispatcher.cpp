// Worker lifecycle and the watchdog: a plugin stuck inside publish cannot be
// interrupted, so it is declared failed and its thread abandoned; a failed plugin
// keeps its cursor, and the watchdog moves what passes its share to its dead letters.
#include "dispatch/dispatcher.hpp"

#include "common/log.hpp"
#include "dispatch/failed_backlog.hpp"

namespace productgraph::dispatch {
namespace {

using namespace std::chrono;

int64_t monotonic_now_ms()
{
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

namespace {
// How often the watchdog looks: hang detection needs little precision, but a failed
// plugin's backlog should be shed before ingestion fills the queue.
constexpr milliseconds watchdog_period{20};
}  // namespace

Dispatcher::Dispatcher(queue::EventQueue &queue, WorkerSettings settings, milliseconds hang_grace,
                       std::filesystem::path dead_letter_dir)
    : queue_(queue), settings_(settings), hang_grace_(hang_grace), dead_letter_dir_(std::move(dead_letter_dir))
{}

Dispatcher::~Dispatcher()
{
    stop(steady_clock::now() + seconds(1));
}

common::Result<void> Dispatcher::add_plugin(plugin_host::PluginInstance &plugin)
{
    const std::string name(plugin.name());
    auto dead_letters = DeadLetterStore::open(dead_letter_dir_, name, settings_.dead_letter_max_bytes);
    if (!dead_letters) return tl::unexpected(dead_letters.error());
    Slot &slot = slots_.try_emplace(name).first->second;
    slot.stats = std::make_unique<PluginStats>();
    slot.dead_letters = std::move(*dead_letters);
    const queue::CursorId cursor = queue_.open_cursor(name);
    slot.worker = std::make_unique<DispatchWorker>(plugin, queue_, cursor, *slot.stats, *slot.dead_letters, settings_);
    // An exception out of any call (an HTTP thread's handle_request too) fails it.
    plugin.set_fault_listener([worker = slot.worker.get()](const std::string &reason) { worker->fail(reason); });
    // Crashed during the previous run: it keeps its cursor and events but is not fed.
    if (const auto fault = plugin.fault()) slot.worker->fail(*fault);
    return {};
}

void Dispatcher::start()
{
    for (auto &[name, slot] : slots_) slot.worker->start();
    watchdog_ = std::thread([this] { supervise(); });
}

void Dispatcher::supervise()
{
    const int64_t limit = (settings_.publish_timeout + hang_grace_).count();
    std::unique_lock lock(watchdog_mutex_);
    while (!watchdog_wake_.wait_for(lock, watchdog_period, [this] { return stopping_; })) {
        for (auto &[name, slot] : slots_) {
            const int64_t since = slot.worker->publishing_since_ms();
            if (slot.hung.load() || since == 0 || monotonic_now_ms() - since <= limit) continue;
            slot.hung.store(true);
            slot.worker->fail("publish did not return within " + std::to_string(limit) +
                              " ms; the plugin is treated as hung");
        }
        lock.unlock();
        shed_failed_backlogs();
        lock.lock();
    }
}

void Dispatcher::shed_failed_backlogs()
{
    for (auto &[name, slot] : slots_) {
        if (!slot.stats->failed()) continue;
        // Only once the worker no longer touches the cursor: its loop has ended, or it
        // is stuck inside the plugin (and checks for failure before acknowledging).
        if (!slot.hung.load() && !slot.worker->finished()) continue;
        shed_failed_backlog(queue_, slot.worker->cursor(), settings_.failed_backlog_bytes, *slot.dead_letters,
                            *slot.stats, name);
    }
}

bool Dispatcher::drain(steady_clock::time_point deadline)
{
    while (true) {
        bool drained = true;
        for (auto &[name, slot] : slots_) {
            if (slot.stats->failed()) continue;
            if (queue_.lag(slot.worker->cursor()) > 0 || slot.worker->busy()) drained = false;
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
    for (auto &[name, slot] : slots_) slot.worker->request_stop();
    // The watchdog keeps running meanwhile: a hang it declares now is abandoned below.
    for (auto &[name, slot] : slots_) {
        if (slot.hung.load() || slot.worker->wait_finished(deadline)) continue;
        slot.hung.store(true);
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
    for (auto &[name, slot] : slots_) {
        const uint64_t undelivered = queue_.lag(slot.worker->cursor());
        if (slot.hung.load()) {
            slot.worker->abandon_thread();
        } else {
            slot.worker->join();
        }
        // The instance outlives its worker (the catalog destroys it later): it must
        // not call back into the worker.
        slot.worker->plugin().set_fault_listener(nullptr);
        if (undelivered > 0) {
            common::log_error("shutdown: events not delivered to plugin", {{"plugin", name}, {"events", undelivered}});
        }
    }
}

const PluginStats *Dispatcher::stats_for(std::string_view plugin_name) const
{
    const auto it = slots_.find(plugin_name);
    return it == slots_.end() ? nullptr : it->second.stats.get();
}

uint64_t Dispatcher::lag_for(std::string_view plugin_name) const
{
    const auto it = slots_.find(plugin_name);
    return it == slots_.end() ? 0 : queue_.lag(it->second.worker->cursor());
}

const DeadLetterStore *Dispatcher::dead_letters_for(std::string_view plugin_name) const
{
    const auto it = slots_.find(plugin_name);
    return it == slots_.end() ? nullptr : it->second.dead_letters.get();
}

common::Result<size_t> Dispatcher::replay_dead_letters(std::string_view plugin_name)
{
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
    const auto it = slots_.find(plugin_name);
    if (it == slots_.end()) return false;
    it->second.worker->fail(std::move(reason));
    return true;
}

bool Dispatcher::any_hung() const
{
    for (const auto &[name, slot] : slots_) {
        if (slot.hung.load()) return true;
    }
    return false;
}

}  // namespace productgraph::dispatch
