// When the disk queue forces appended records to stable storage (PRODUCTGRAPH_FSYNC).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace productgraph::queue {

/// always: append returns after its records are fdatasync'ed (concurrent appends share
/// one sync). interval: a background thread syncs every `interval`; append returns
/// after write(2), so a power loss may drop the last interval. never: write(2) only;
/// a process crash loses nothing (the kernel has the data), a power loss may.
struct FsyncPolicy {
    enum class Mode { always, interval, never };
    Mode mode = Mode::always;
    std::chrono::milliseconds interval{0};  // only for Mode::interval, > 0
};

/// Parses "always", "interval:<ms>" (1..3600000) or "never"; errors name PRODUCTGRAPH_FSYNC.
common::Result<FsyncPolicy> parse_fsync_policy(std::string_view text);

/// The text form parse_fsync_policy accepts, for log lines.
std::string describe(const FsyncPolicy &policy);

}  // namespace productgraph::queue
