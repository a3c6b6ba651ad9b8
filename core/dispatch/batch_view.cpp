// Building the ABI structs; each result starts as RETRY so a forgotten entry is re-sent.
#include "dispatch/batch_view.hpp"

#include <cstring>

namespace productgraph::dispatch {
namespace {

pgraph_str view_of(std::string_view s)
{
    return pgraph_str{s.data(), s.size()};
}

std::string_view bounded(const char *text, size_t capacity)
{
    return std::string_view(text, strnlen(text, capacity));
}

}  // namespace

BatchView::BatchView(const std::vector<queue::QueuedRecord> &records, uint32_t attempt, int64_t deadline_unix_ms)
{
    events_.reserve(records.size());
    results_.resize(records.size());
    for (const queue::QueuedRecord &queued : records) {
        const event::EventRecord &record = *queued.record;
        pgraph_event e{};
        e.struct_size = sizeof e;
        e.event_id = view_of(record.event_id());
        e.type = view_of(record.type());
        e.name = view_of(record.name());
        e.user_id = view_of(record.user_id());
        e.device_id = view_of(record.device_id());
        e.session_id = view_of(record.session_id());
        e.client_ip = view_of(record.client_ip());
        e.user_agent = view_of(record.user_agent());
        e.timestamp_ms = record.timestamp_ms();
        e.received_ms = record.received_ms();
        e.json = view_of(record.json());
        events_.push_back(e);
    }
    for (pgraph_event_result &r : results_) {
        r.struct_size = sizeof r;
        r.status = PGRAPH_EVENT_RETRY;
        r.retry_after_ms = 0;
    }
    batch_.struct_size = sizeof batch_;
    batch_.attempt = attempt;
    batch_.events = events_.data();
    batch_.event_count = events_.size();
    batch_.event_size = sizeof(pgraph_event);
    batch_.deadline_unix_ms = deadline_unix_ms;

    result_.struct_size = sizeof result_;
    result_.event_result_size = sizeof(pgraph_event_result);
    result_.events = results_.data();
    result_.message = message_.data();
    result_.message_capacity = message_.size();
}

std::string_view BatchView::event_reason(size_t i) const
{
    return bounded(results_[i].reason, sizeof results_[i].reason);
}

std::string_view BatchView::message() const
{
    return bounded(message_.data(), message_.size());
}

}  // namespace productgraph::dispatch
