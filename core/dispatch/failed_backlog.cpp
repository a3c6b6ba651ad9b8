// Shedding a failed plugin's backlog into its dead letters, oldest first, a chunk at a time.
#include "dispatch/failed_backlog.hpp"

#include <algorithm>
#include <chrono>

#include "common/log.hpp"

namespace productgraph::dispatch {
namespace {

constexpr size_t chunk_events = 1000;

int64_t unix_now_ms()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

uint64_t shed_failed_backlog(queue::EventQueue &queue, queue::CursorId cursor, uint64_t limit,
                             DeadLetterStore &dead_letters, PluginStats &stats, std::string_view plugin)
{
    if (queue.backlog_bytes(cursor) <= limit) return 0;
    // Exactly up to where the rest fits: what stays under the limit stays queued.
    const uint64_t target = queue.offset_to_hold_at_most(cursor, limit);
    const std::string reason = "plugin failed: " + stats.failure();
    uint64_t moved = 0;
    uint64_t dropped = 0;
    while (true) {
        std::vector<queue::QueuedRecord> chunk =
            queue.read(cursor, 0, queue::ReadLimits{chunk_events, 0}, std::chrono::milliseconds(0));
        std::erase_if(chunk, [&](const queue::QueuedRecord &queued) { return queued.offset >= target; });
        if (chunk.empty()) break;
        std::vector<DeadLetter> letters;
        letters.reserve(chunk.size());
        const int64_t now = unix_now_ms();
        for (const queue::QueuedRecord &queued : chunk) letters.push_back(DeadLetter{queued.record, reason, now, 0});
        dropped += dead_letters.add(std::move(letters));  // stored (or counted) before the cursor moves
        queue.acknowledge(cursor, chunk.back().offset + 1);
        queue.reclaim_now();  // ingestion may be waiting for this room
        moved += chunk.size();
    }
    if (moved > 0) {
        stats.failed_backlog_moved += moved;
        stats.dead_letters_dropped += dropped;
        common::log_warn("a failed plugin's backlog passed PRODUCTGRAPH_FAILED_BACKLOG_BYTES; its oldest events moved "
                         "to its dead letters (POST /v1/plugins/<name>/dead-letters/replay once it works again)",
                         {{"plugin", plugin},
                          {"events", moved},
                          {"limit_bytes", limit},
                          {"kept_bytes", queue.backlog_bytes(cursor)},
                          {"kept_events", queue.lag(cursor)}});
    }
    return moved;
}

}  // namespace productgraph::dispatch
