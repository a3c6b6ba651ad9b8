// Backoff: doubling, the cap, jitter bounds and Retry-After as a floor.
#include <doctest/doctest.h>

#include "dispatch/retry_policy.hpp"

using productgraph::dispatch::RetryPolicy;
using namespace std::chrono_literals;

TEST_CASE("backoff doubles from the initial delay up to the cap")
{
    RetryPolicy policy;
    policy.initial = 100ms;
    policy.maximum = 1000ms;
    policy.jitter = 0.0;
    CHECK(policy.delay(1, 0, 0.5) == 100ms);
    CHECK(policy.delay(2, 0, 0.5) == 200ms);
    CHECK(policy.delay(4, 0, 0.5) == 800ms);
    CHECK(policy.delay(5, 0, 0.5) == 1000ms);
    CHECK(policy.delay(1000, 0, 0.5) == 1000ms);
}

TEST_CASE("jitter spreads the delay within its bounds and never past the cap")
{
    RetryPolicy policy;
    policy.initial = 1000ms;
    policy.maximum = 60'000ms;
    policy.jitter = 0.2;
    CHECK(policy.delay(1, 0, 0.0) == 800ms);
    CHECK(policy.delay(1, 0, 0.999).count() >= 1199);
    CHECK(policy.delay(1, 0, 0.5) == 1000ms);
    CHECK(policy.delay(50, 0, 0.999) == 60'000ms);
}

TEST_CASE("a provider's retry_after is honoured as a floor")
{
    RetryPolicy policy;
    policy.initial = 100ms;
    policy.jitter = 0.0;
    CHECK(policy.delay(1, 30'000, 0.5) == 30'000ms);
    CHECK(policy.delay(1, 10, 0.5) == 100ms);
}

TEST_CASE("an absurd retry_after is capped")
{
    RetryPolicy policy;
    policy.retry_after_cap = 3'600'000ms;
    CHECK(policy.delay(1, int64_t{1} << 50, 0.5) == 3'600'000ms);
}
