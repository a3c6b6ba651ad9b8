// Bound checking and the scrape-side snapshot.
#include "metrics/histogram.hpp"

#include <cassert>
#include <cmath>

namespace productgraph::metrics {

Histogram::Histogram(std::initializer_list<double> bounds_seconds)
    : Histogram(bounds_seconds.begin(), bounds_seconds.size())
{}

Histogram::Histogram(const double *bounds_seconds, size_t count) : bound_count_(count)
{
    assert(count <= max_bounds);
    for (size_t i = 0; i < count; ++i) {
        assert(bounds_seconds[i] > 0 && (i == 0 || bounds_seconds[i] > bounds_seconds[i - 1]));
        bounds_seconds_[i] = bounds_seconds[i];
        bounds_ns_[i] = static_cast<uint64_t>(std::llround(bounds_seconds[i] * 1e9));
    }
}

HistogramSnapshot Histogram::snapshot() const
{
    HistogramSnapshot out;
    out.bounds.reserve(bound_count_);
    out.cumulative.reserve(bound_count_ + 1);
    uint64_t running = 0;
    for (size_t i = 0; i <= bound_count_; ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        out.cumulative.push_back(running);
        if (i < bound_count_) out.bounds.push_back(bounds_seconds_[i]);
    }
    out.count = running;
    out.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return out;
}

}  // namespace productgraph::metrics
