// The shard layout and the scrape-side sum.
#include "metrics/sharded_counters.hpp"

namespace productgraph::metrics {

ShardedCounters::ShardedCounters(size_t size)
    : size_(size), lines_per_shard_((size + per_line - 1) / per_line),
      lines_(new Line[shard_count * lines_per_shard_]())
{}

uint64_t ShardedCounters::value(size_t index) const noexcept
{
    uint64_t total = 0;
    for (size_t shard = 0; shard < shard_count; ++shard) total += slot(shard, index).load(std::memory_order_relaxed);
    return total;
}

}  // namespace productgraph::metrics
