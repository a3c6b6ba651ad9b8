// A Prometheus histogram of durations: fixed bucket bounds, relaxed atomic counts on
// their own cache lines, read as a consistent cumulative snapshot at scrape.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "metrics/counting_switch.hpp"
#include "metrics/sharded_counters.hpp"

namespace productgraph::metrics {

/// Bounds for a call to a provider over the network (seconds).
inline constexpr std::array<double, 14> publish_latency_bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                                  0.25,  0.5,    1,     2.5,  5,     10,   30};
/// Bounds for one fdatasync (seconds): ~0.3 ms on this machine's disk, seconds on a
/// saturated one.
inline constexpr std::array<double, 14> fsync_latency_bounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                                0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};

/// What a scrape reads: cumulative counts per bound, then +Inf, which equals count.
struct HistogramSnapshot {
    std::vector<double> bounds;        // seconds, ascending; +Inf is implicit
    std::vector<uint64_t> cumulative;  // one per bound, then one for +Inf
    uint64_t count = 0;
    double sum_seconds = 0;
};

class Histogram {
public:
    static constexpr size_t max_bounds = 16;

    /// `bounds_seconds`: ascending upper bounds, at most max_bounds.
    explicit Histogram(std::initializer_list<double> bounds_seconds);
    template <size_t N>
    explicit Histogram(const std::array<double, N> &bounds_seconds) : Histogram(bounds_seconds.data(), N)
    {}

    void observe(std::chrono::nanoseconds duration) noexcept
    {
        if (!counting_enabled()) return;
        const uint64_t ns = duration.count() < 0 ? 0 : static_cast<uint64_t>(duration.count());
        size_t bucket = 0;
        while (bucket < bound_count_ && ns > bounds_ns_[bucket]) ++bucket;
        buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
        sum_ns_.fetch_add(ns, std::memory_order_relaxed);
    }

    HistogramSnapshot snapshot() const;

private:
    Histogram(const double *bounds_seconds, size_t count);

    size_t bound_count_ = 0;
    std::array<double, max_bounds> bounds_seconds_{};
    std::array<uint64_t, max_bounds> bounds_ns_{};
    // Non-cumulative counts; the last is the +Inf bucket. The count is their sum, so
    // a scrape never shows _count different from the +Inf bucket.
    alignas(cache_line_bytes) std::array<std::atomic<uint64_t>, max_bounds + 1> buckets_{};
    std::atomic<uint64_t> sum_ns_{0};
};

/// Runs `call` and records how long it took; returns what it returned.
template <typename Call>
auto timed(Histogram &histogram, Call &&call)
{
    if (!counting_enabled()) return call();
    const auto started = std::chrono::steady_clock::now();
    auto result = call();
    histogram.observe(std::chrono::steady_clock::now() - started);
    return result;
}

}  // namespace productgraph::metrics
