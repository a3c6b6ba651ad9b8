// The fast path of batch parsing: recognising a body whose events are already in
// their canonical form, so each can be validated and stored without a DOM and
// copied as sent.
#pragma once

#include <string_view>
#include <vector>

#include "event/batch_parser.hpp"
#include "event/event_validation.hpp"

namespace productgraph::event {

/// One event of a plain batch: its text, exactly as it will be stored, and its
/// top-level members (a range of PlainBatch::members).
struct PlainEvent {
    std::string_view text;
    size_t first_member = 0;
    size_t member_count = 0;
};

struct PlainBatch {
    std::vector<PlainEvent> events;
    std::vector<MemberView> members;  // every event's, in order
};

/// True when `body` (already screened: valid UTF-8, no NUL, no lone surrogate) is
/// `{"events":[...]}` in the form JSON.stringify writes, with every event an object
/// that append_canonical_event would write back byte for byte: no whitespace inside
/// it, only the escapes the canonical writer uses, numbers in their shortest form,
/// nesting within limits.max_nesting_depth, no escape in a known field's value or in
/// any key, no null in a field a default replaces, and at most limits.max_events
/// events. Then `batch` holds every event, and validating their members gives the
/// same errors as the general parser. False means nothing about the body: the
/// general parser must read it (and reports any error). Whitespace is allowed only
/// outside the events.
bool scan_plain_batch(std::string_view body, const BatchLimits &limits, PlainBatch &batch);

}  // namespace productgraph::event
