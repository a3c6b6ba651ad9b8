// Rejection lines for operators: the client got the same reasons in its 202 body,
// but the operator only sees the log.
#include "event/rejection_log.hpp"

#include <string>

#include "common/log.hpp"

namespace productgraph::event {

void log_rejected_events(const ParsedBatch &batch)
{
    if (batch.rejected == 0 || !common::log_enabled(common::LogLevel::debug)) return;
    size_t written = 0;
    size_t position = 0;  // errors of one event are adjacent, in index order
    while (position < batch.errors.size() && written < max_rejection_lines) {
        const size_t index = batch.errors[position].index;
        std::string reasons = batch.errors[position].message;
        for (++position; position < batch.errors.size() && batch.errors[position].index == index; ++position) {
            reasons += "; ";
            reasons += batch.errors[position].message;
        }
        common::log_debug("event rejected", {{"index", index}, {"error", reasons}});
        ++written;
    }
    if (batch.rejected > written) {
        common::log_debug("more events rejected",
                          {{"not_shown", batch.rejected - written}, {"shown_at_most", max_rejection_lines}});
    }
}

}  // namespace productgraph::event
