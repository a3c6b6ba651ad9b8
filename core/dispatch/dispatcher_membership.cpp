// Which plugins the dispatcher runs, changed at start-up and by reloads: adding a
// worker, stopping one without losing its place in the queue, and swapping an
// instance for a new one on the same cursor. Kept apart from the worker's delivery
// and failure logic.
#include "dispatch/dispatcher.hpp"

#include "common/log.hpp"

namespace productgraph::dispatch {
namespace {

using namespace std::chrono;

// Without a directory dead letters live in memory; beyond this many per plugin the
// oldest are dropped with a log line.
constexpr size_t dead_letters_in_memory_max = 100'000;

int64_t monotonic_now_ms()
{
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Dispatcher::Slot Dispatcher::make_slot(std::shared_ptr<plugin_host::PluginInstance> plugin,
                                       std::shared_ptr<DeadLetterStore> dead_letters)
{
    Slot slot;
    slot.plugin = std::move(plugin);
    slot.stats = std::make_shared<PluginStats>();
    slot.dead_letters = std::move(dead_letters);
    // The plugin's persisted position, the queue's end for a new name, or where a
    // released cursor of this name stopped.
    const queue::CursorId cursor = queue_.open_cursor(std::string(slot.plugin->name()));
    slot.worker =
        std::make_unique<DispatchWorker>(*slot.plugin, queue_, cursor, *slot.stats, *slot.dead_letters, settings_);
    return slot;
}

common::Result<void> Dispatcher::add_plugin(std::shared_ptr<plugin_host::PluginInstance> plugin)
{
    const std::string name(plugin->name());
    {
        std::lock_guard lock(slots_mutex_);
        if (slots_.contains(name)) return common::fail("plugin " + name + " is already running");
    }
    auto dead_letters = DeadLetterStore::open(dead_letter_dir_, name, dead_letters_in_memory_max);
    if (!dead_letters) return tl::unexpected(dead_letters.error());
    Slot slot = make_slot(std::move(plugin), std::move(*dead_letters));
    std::lock_guard lock(slots_mutex_);
    if (started_) slot.worker->start();
    slots_.emplace(name, std::move(slot));
    return {};
}

uint64_t Dispatcher::remove_plugin(std::string_view plugin_name)
{
    Slots::node_type node;
    {
        std::lock_guard lock(slots_mutex_);
        const auto it = slots_.find(plugin_name);
        if (it == slots_.end()) return 0;
        node = slots_.extract(it);
    }
    const queue::CursorId cursor = node.mapped().worker->cursor();
    const bool was_hung = node.mapped().hung;
    retire(std::move(node));
    if (was_hung) return 0;  // its cursor was released when it was declared hung
    const uint64_t undelivered = queue_.lag(cursor);
    // The position stays on disk for the day it comes back; until then it must not
    // keep the queue from reclaiming space.
    queue_.release_cursor(cursor);
    return undelivered;
}

common::Result<void> Dispatcher::replace_plugin(std::shared_ptr<plugin_host::PluginInstance> plugin)
{
    const std::string name(plugin->name());
    Slots::node_type node;
    {
        std::lock_guard lock(slots_mutex_);
        const auto it = slots_.find(name);
        if (it == slots_.end()) return common::fail("plugin " + name + " is not running");
        if (it->second.hung) {
            return common::fail("plugin " + name + " is stuck inside publish; only a restart can replace it");
        }
        node = slots_.extract(it);
    }
    std::shared_ptr<DeadLetterStore> dead_letters = node.mapped().dead_letters;
    retire(std::move(node));  // the old worker's last acknowledgement is the new one's start
    Slot slot = make_slot(std::move(plugin), std::move(dead_letters));
    std::lock_guard lock(slots_mutex_);
    if (started_) slot.worker->start();
    slots_.emplace(name, std::move(slot));
    return {};
}

void Dispatcher::retire(Slots::node_type node)
{
    Slot &slot = node.mapped();
    slot.worker->request_stop();
    // Wait out the current publish, but no longer than the watchdog would: past that
    // the plugin is hung, here as at any other time.
    const int64_t limit = (settings_.publish_timeout + hang_grace_).count();
    while (!slot.hung) {
        const int64_t since = slot.worker->publishing_since_ms();
        if (since == 0) break;
        if (monotonic_now_ms() - since > limit) {
            slot.hung = true;
            slot.worker->fail("publish did not return within " + std::to_string(limit) +
                              " ms; the plugin is treated as hung");
            break;
        }
        std::this_thread::sleep_for(milliseconds(10));
    }
    if (!slot.hung) {
        slot.worker->join();
        return;
    }
    // Its thread is still inside the plugin and uses this slot's worker, stats, dead
    // letters and instance: they are leaked on purpose, never freed under it.
    slot.worker->abandon_thread();
    abandoned_on_removal_.store(true);
    static_cast<void>(new Slots::node_type(std::move(node)));
}

}  // namespace productgraph::dispatch
