// Capped exponential backoff with jitter, honouring a provider's Retry-After.
#pragma once

#include <chrono>
#include <cstdint>

namespace productgraph::dispatch {

struct RetryPolicy {
    std::chrono::milliseconds initial{500};
    std::chrono::milliseconds maximum{60'000};
    double jitter = 0.2;                                   // the delay is spread over [1 - jitter, 1 + jitter] x base
    std::chrono::milliseconds retry_after_cap{3'600'000};  // never trust a plugin for more than an hour

    /// Delay before retry number `failures` (1 = after the first failure).
    /// `random_unit` is a number in [0, 1) from the caller's generator, so tests can
    /// pin it. A positive `retry_after_ms` is a floor, up to retry_after_cap.
    std::chrono::milliseconds delay(uint32_t failures, int64_t retry_after_ms, double random_unit) const;
};

}  // namespace productgraph::dispatch
