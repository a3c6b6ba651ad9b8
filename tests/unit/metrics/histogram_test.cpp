// Histogram buckets: le semantics at the bounds, cumulative counts, sum and count.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "metrics/histogram.hpp"

using namespace productgraph::metrics;
using namespace std::chrono_literals;

TEST_CASE("an observation equal to a bound falls in that bound's bucket")
{
    Histogram histogram{0.001, 0.01};
    histogram.observe(1ms);
    histogram.observe(1ms + 1ns);
    histogram.observe(20ms);
    const HistogramSnapshot snapshot = histogram.snapshot();
    REQUIRE(snapshot.cumulative.size() == 3);
    CHECK(snapshot.cumulative[0] == 1);
    CHECK(snapshot.cumulative[1] == 2);
    CHECK(snapshot.cumulative[2] == 3);
    CHECK(snapshot.count == 3);
    CHECK(snapshot.sum_seconds == doctest::Approx(0.022000001));
}

TEST_CASE("a negative duration counts as zero")
{
    Histogram histogram{0.001};
    histogram.observe(-5ms);
    const HistogramSnapshot snapshot = histogram.snapshot();
    CHECK(snapshot.cumulative[0] == 1);
    CHECK(snapshot.sum_seconds == 0.0);
}

TEST_CASE("timed records the duration of the call and passes its result through")
{
    Histogram histogram{publish_latency_bounds};
    const int result = timed(histogram, [] {
        std::this_thread::sleep_for(2ms);
        return 42;
    });
    CHECK(result == 42);
    const HistogramSnapshot snapshot = histogram.snapshot();
    CHECK(snapshot.count == 1);
    CHECK(snapshot.sum_seconds >= 0.002);
    CHECK(snapshot.cumulative[0] == 0);  // not under 1 ms
}

TEST_CASE("concurrent observations are all counted and the snapshot stays cumulative")
{
    Histogram histogram{fsync_latency_bounds};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&histogram, t] {
            for (int i = 0; i < 10'000; ++i) histogram.observe(std::chrono::microseconds(50 * (t + 1) * (i % 7)));
        });
    }
    for (std::thread &thread : threads) thread.join();
    const HistogramSnapshot snapshot = histogram.snapshot();
    CHECK(snapshot.count == 40'000);
    CHECK(snapshot.cumulative.back() == snapshot.count);
    for (size_t i = 1; i < snapshot.cumulative.size(); ++i) CHECK(snapshot.cumulative[i] >= snapshot.cumulative[i - 1]);
}
