// The one switch that turns every hook into a no-op, for the overhead benchmark only.
#pragma once

#include <atomic>

namespace productgraph::metrics {

namespace detail {
inline std::atomic<bool> counting{true};
}

/// True unless a benchmark turned counting off. The daemon never does.
inline bool counting_enabled() noexcept
{
    return detail::counting.load(std::memory_order_relaxed);
}

/// bench/metrics_overhead only: compares ingest with and without the hooks in one
/// binary. Call before any thread starts.
inline void set_counting_enabled(bool enabled) noexcept
{
    detail::counting.store(enabled, std::memory_order_relaxed);
}

}  // namespace productgraph::metrics
