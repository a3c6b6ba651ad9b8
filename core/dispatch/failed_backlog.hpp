// Keeps a failed plugin from filling the queue: past its share, its oldest queued
// events move to its dead letters, from which a replay brings them back.
#pragma once

#include <cstdint>
#include <string_view>

#include "dispatch/dead_letter_store.hpp"
#include "dispatch/plugin_stats.hpp"
#include "queue/event_queue.hpp"

namespace productgraph::dispatch {

/// Moves the oldest events at `cursor` to `dead_letters`, with the reason "plugin
/// failed: <its failure>", until the cursor holds at most `limit` bytes of the queue,
/// and acknowledges them (only once they are stored). Returns how many moved.
/// Call only while nothing else reads from or acknowledges `cursor`.
uint64_t shed_failed_backlog(queue::EventQueue &queue, queue::CursorId cursor, uint64_t limit,
                             DeadLetterStore &dead_letters, PluginStats &stats, std::string_view plugin);

}  // namespace productgraph::dispatch
