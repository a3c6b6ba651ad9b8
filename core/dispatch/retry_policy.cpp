// Backoff arithmetic, kept pure so that its edges are unit-tested.
#include "dispatch/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace productgraph::dispatch {

std::chrono::milliseconds RetryPolicy::delay(uint32_t failures, int64_t retry_after_ms, double random_unit) const
{
    const double doublings = std::min<double>(failures > 0 ? failures - 1 : 0, 40.0);
    const double base =
        std::min(static_cast<double>(initial.count()) * std::pow(2.0, doublings), static_cast<double>(maximum.count()));
    const double spread = 1.0 - jitter + 2.0 * jitter * std::clamp(random_unit, 0.0, 1.0);
    auto wait = static_cast<int64_t>(std::min(base * spread, static_cast<double>(maximum.count())));
    if (retry_after_ms > 0) wait = std::max(wait, std::min<int64_t>(retry_after_ms, retry_after_cap.count()));
    return std::chrono::milliseconds(wait);
}

}  // namespace productgraph::dispatch
