// The standard process_* metrics every Prometheus client exports, read from /proc.
#pragma once

#include <cstdint>
#include <optional>

#include "metrics/exposition.hpp"

namespace productgraph::metrics {

struct ProcessSample {
    double cpu_seconds = 0;  // user + system
    uint64_t resident_bytes = 0;
    uint64_t virtual_bytes = 0;
    double start_time_seconds = 0;  // since the Unix epoch
    uint64_t open_fds = 0;
    uint64_t max_fds = 0;  // the soft RLIMIT_NOFILE
};

/// This process now; nullopt when /proc cannot be read (then nothing is exported).
std::optional<ProcessSample> sample_process();

/// process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds,
/// process_max_fds.
void render_process_metrics(Exposition &out);

}  // namespace productgraph::metrics
