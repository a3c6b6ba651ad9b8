// Parsing the PRODUCTGRAPH_FSYNC text.
#include "queue/fsync_policy.hpp"

#include <charconv>

namespace productgraph::queue {

common::Result<FsyncPolicy> parse_fsync_policy(std::string_view text)
{
    if (text == "always") return FsyncPolicy{FsyncPolicy::Mode::always, {}};
    if (text == "never") return FsyncPolicy{FsyncPolicy::Mode::never, {}};
    constexpr std::string_view prefix = "interval:";
    if (text.substr(0, prefix.size()) == prefix) {
        const std::string_view digits = text.substr(prefix.size());
        int64_t ms = 0;
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
        if (error == std::errc() && end == digits.data() + digits.size() && ms >= 1 && ms <= 3'600'000) {
            return FsyncPolicy{FsyncPolicy::Mode::interval, std::chrono::milliseconds(ms)};
        }
    }
    return common::fail("PRODUCTGRAPH_FSYNC: must be always, interval:<ms> (1 to 3600000) or never, got \"" +
                        std::string(text) + "\"");
}

std::string describe(const FsyncPolicy &policy)
{
    switch (policy.mode) {
    case FsyncPolicy::Mode::always: return "always";
    case FsyncPolicy::Mode::interval: return "interval:" + std::to_string(policy.interval.count());
    case FsyncPolicy::Mode::never: return "never";
    }
    return "always";
}

}  // namespace productgraph::queue
