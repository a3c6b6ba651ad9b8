// What both batch readers do once an event's members are known: validation, the
// defaults of product-spec §1, the size limit, and packing the accepted events into
// records, one block per request.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "event/batch_parser.hpp"
#include "event/canonical_event.hpp"
#include "event/event_validation.hpp"

namespace productgraph::event {

/// Collects one request's answer. Call validate, then accept or accept_rewritten, for
/// each event in order (or reject), then take once.
class BatchAssembler {
public:
    BatchAssembler(const RequestContext &context, const BatchLimits &limits, size_t event_count);

    /// Validates the event at `index`; on success fills `record`'s views and returns
    /// the defaults its canonical text must start with (valid until the next call).
    std::optional<EventDefaults> validate(std::span<const MemberView> members, size_t index, EventFields &record);

    /// Where an event's canonical text is written when it is not stored as sent.
    std::string &scratch() { return scratch_; }

    /// Accepts the validated event at `index`, whose canonical text is `json` (it
    /// lives as long as the request body), unless it is too large.
    void accept(size_t index, const EventFields &record, std::string_view json);

    /// The same for an event whose canonical text was written to scratch() from `from`.
    void accept_rewritten(size_t index, const EventFields &record, size_t from);

    /// Rejects the event at `index` for a reason found before validation.
    void reject(size_t index, std::string message);

    /// The answer, with every accepted event packed into one block of records.
    ParsedBatch take();

private:
    // Offsets, not views: scratch_ moves as it grows.
    struct ScratchSpan {
        size_t offset = 0;
        size_t size = 0;
    };
    struct Draft {
        EventFields fields;
        std::string_view json;                      // when stored as sent
        std::optional<ScratchSpan> rewritten_json;  // otherwise
        std::optional<ScratchSpan> generated_id;
    };

    bool fits(size_t index, size_t json_size);
    void remember_generated_id();
    std::string_view in_scratch(ScratchSpan span) const;

    const RequestContext &context_;
    const BatchLimits &limits_;
    ParsedBatch batch_;
    std::vector<Draft> drafts_;
    std::string generated_id_;   // the current event's, if it had none
    std::string received_text_;  // the receive time as RFC 3339, formatted once per request
    // Rewritten canonical texts and generated ids until the records are packed;
    // per thread, so its capacity settles at the largest request's.
    static thread_local std::string scratch_;
};

}  // namespace productgraph::event
