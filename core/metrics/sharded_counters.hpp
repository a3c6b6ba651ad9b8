// Counters that many threads bump without sharing a cache line: each thread adds to
// its own shard with a relaxed atomic, and a scrape sums the shards.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "metrics/counting_switch.hpp"

namespace productgraph::metrics {

inline constexpr size_t cache_line_bytes = 64;
/// More shards than the daemon has counting threads (HTTP workers, the durability
/// thread), so two threads rarely share one.
inline constexpr size_t shard_count = 8;

/// The shard this thread adds to; threads take shards round-robin on first use.
inline size_t this_thread_shard() noexcept
{
    static std::atomic<size_t> next{0};
    thread_local const size_t shard = next.fetch_add(1, std::memory_order_relaxed) % shard_count;
    return shard;
}

/// A fixed number of counters, indexed 0..size-1 (one per label combination).
/// Each shard holds all of them, so one thread's increments stay in its own lines.
class ShardedCounters {
public:
    explicit ShardedCounters(size_t size);

    void add(size_t index, uint64_t amount = 1) noexcept
    {
        if (!counting_enabled()) return;
        slot(this_thread_shard(), index).fetch_add(amount, std::memory_order_relaxed);
    }

    /// The sum over every shard. Concurrent adds may or may not be included.
    uint64_t value(size_t index) const noexcept;
    size_t size() const { return size_; }

private:
    static constexpr size_t per_line = cache_line_bytes / sizeof(std::atomic<uint64_t>);
    struct alignas(cache_line_bytes) Line {
        std::atomic<uint64_t> slots[per_line];
    };

    std::atomic<uint64_t> &slot(size_t shard, size_t index) const noexcept
    {
        return lines_[shard * lines_per_shard_ + index / per_line].slots[index % per_line];
    }

    size_t size_;
    size_t lines_per_shard_;
    std::unique_ptr<Line[]> lines_;
};

}  // namespace productgraph::metrics
