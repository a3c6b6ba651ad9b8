// DEBUG=true: why each rejected event of a request was rejected.
#pragma once

#include <cstddef>

#include "event/batch_parser.hpp"

namespace productgraph::event {

/// The most lines log_rejected_events writes for one request; a 1,000-event batch
/// of garbage must not write 1,000 lines.
constexpr size_t max_rejection_lines = 20;

/// When debug logging is on, writes one "event rejected" line per rejected event
/// of `batch` (its index and all its reasons, "; "-separated), at most
/// max_rejection_lines, then one "more events rejected" line with the count of
/// those not shown. Does nothing otherwise, at the cost of one load.
void log_rejected_events(const ParsedBatch &batch);

}  // namespace productgraph::event
