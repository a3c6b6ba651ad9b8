// Sharded counters: no increment is lost across threads, and each index is its own.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "metrics/sharded_counters.hpp"

using namespace productgraph::metrics;

TEST_CASE("increments from many threads on the same counter all add up")
{
    ShardedCounters counters(3);
    std::vector<std::thread> threads;
    for (int t = 0; t < 12; ++t) {
        threads.emplace_back([&counters] {
            for (int i = 0; i < 20'000; ++i) counters.add(1);
        });
    }
    for (std::thread &thread : threads) thread.join();
    CHECK(counters.value(1) == 12 * 20'000);
    CHECK(counters.value(0) == 0);
    CHECK(counters.value(2) == 0);
}

TEST_CASE("counters beyond the first cache line keep their own values")
{
    ShardedCounters counters(20);
    for (size_t i = 0; i < counters.size(); ++i) counters.add(i, i * 10);
    for (size_t i = 0; i < counters.size(); ++i) CHECK(counters.value(i) == i * 10);
}

TEST_CASE("the benchmark switch turns adds into no-ops")
{
    ShardedCounters counters(1);
    set_counting_enabled(false);
    counters.add(0, 5);
    set_counting_enabled(true);
    counters.add(0, 2);
    CHECK(counters.value(0) == 2);
}
