// The shared second half of batch parsing; see batch_assembler.hpp.
#include "event/batch_assembler.hpp"

#include "event/timestamp.hpp"
#include "event/uuid_v7.hpp"

namespace productgraph::event {
namespace {

// One huge request must not pin its size in every HTTP thread for good.
constexpr size_t scratch_kept_bytes = 1024 * 1024;

}  // namespace

thread_local std::string BatchAssembler::scratch_;

BatchAssembler::BatchAssembler(const RequestContext &context, const BatchLimits &limits, size_t event_count)
    : context_(context), limits_(limits)
{
    drafts_.reserve(event_count);
    scratch_.clear();
}

std::optional<EventDefaults> BatchAssembler::validate(std::span<const MemberView> members, size_t index,
                                                      EventFields &record)
{
    MissingFields missing;
    generated_id_.clear();
    if (!validate_members(members, index, limits_, record, missing, batch_.errors)) {
        ++batch_.rejected;
        return std::nullopt;
    }
    EventDefaults defaults;
    if (missing.event_id) {
        append_uuid_v7(generated_id_, context_.received_ms);
        defaults.event_id = generated_id_;
    }
    if (missing.project_id) defaults.project_id = context_.default_project_id;
    if (missing.timestamp) {
        if (received_text_.empty()) append_rfc3339_ms(received_text_, context_.received_ms);
        defaults.timestamp = received_text_;
        record.timestamp_ms = context_.received_ms;
    }
    return defaults;
}

void BatchAssembler::accept(size_t index, const EventFields &record, std::string_view json)
{
    if (!fits(index, json.size())) return;
    drafts_.push_back(Draft{record, json, {}, {}});
    remember_generated_id();
}

void BatchAssembler::accept_rewritten(size_t index, const EventFields &record, size_t from)
{
    if (!fits(index, scratch_.size() - from)) {
        scratch_.resize(from);
        return;
    }
    drafts_.push_back(Draft{record, {}, ScratchSpan{from, scratch_.size() - from}, {}});
    remember_generated_id();
}

void BatchAssembler::reject(size_t index, std::string message)
{
    batch_.errors.push_back(EventError{index, std::move(message)});
    ++batch_.rejected;
}

ParsedBatch BatchAssembler::take()
{
    thread_local std::vector<EventFields> fields;
    fields.clear();
    for (const Draft &draft : drafts_) {
        EventFields &one = fields.emplace_back(draft.fields);
        one.json = draft.rewritten_json ? in_scratch(*draft.rewritten_json) : draft.json;
        if (draft.generated_id) one.event_id = in_scratch(*draft.generated_id);
        one.client_ip = context_.client_ip;
        one.user_agent = context_.user_agent;
        one.received_ms = context_.received_ms;
    }
    batch_.accepted = pack_event_records(fields);
    if (scratch_.capacity() > scratch_kept_bytes) std::string().swap(scratch_);
    return std::move(batch_);
}

bool BatchAssembler::fits(size_t index, size_t json_size)
{
    if (json_size <= limits_.max_event_bytes) return true;
    reject(index, "event: " + std::to_string(json_size) + " bytes, larger than the " +
                      std::to_string(limits_.max_event_bytes / 1024) + " KB limit");
    return false;
}

void BatchAssembler::remember_generated_id()
{
    if (generated_id_.empty()) return;
    drafts_.back().generated_id = ScratchSpan{scratch_.size(), generated_id_.size()};
    scratch_ += generated_id_;
}

std::string_view BatchAssembler::in_scratch(ScratchSpan span) const
{
    return std::string_view(scratch_).substr(span.offset, span.size);
}

}  // namespace productgraph::event
