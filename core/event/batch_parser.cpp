// Batch parsing, by one of two readers with the same results. Most bodies are plain
// (compact JSON.stringify output): plain_batch_scanner checks and splits them in one
// pass, and their events are stored as sent. Every other body goes to RapidJSON's
// iterative in-situ parser (no recursion on hostile nesting, no copies of strings)
// and is re-serialised to the canonical form (compact_json). Both feed the same
// validator (event_validation) and the same defaults, so the answer is the same.
#include "event/batch_parser.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <optional>

#include "event/body_screen.hpp"
#include "event/canonical_event.hpp"
#include "event/event_validation.hpp"
#include "event/plain_batch_scanner.hpp"
#include "event/timestamp.hpp"
#include "event/uuid_v7.hpp"

namespace productgraph::event {
namespace {

// UTF-8 is validated beforehand (screen_body), far faster than RapidJSON's
// per-character check; the iterative parser never recurses on hostile nesting.
constexpr unsigned parse_flags = rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag;

using Value = rapidjson::Value;

constexpr size_t arena_size = 256 * 1024;
constexpr size_t scratch_kept_bytes = 1024 * 1024;
constexpr size_t simd_padding = 16;

// Depth below `v`, but never descends further than `remaining` levels, so a
// hostile document costs at most max_nesting_depth stack frames.
bool nesting_exceeds(const Value &v, int remaining)
{
    if (!v.IsObject() && !v.IsArray()) return false;
    if (remaining <= 0) return true;
    if (v.IsObject()) {
        for (const auto &member : v.GetObject()) {
            if (nesting_exceeds(member.value, remaining - 1)) return true;
        }
    } else {
        for (const auto &item : v.GetArray()) {
            if (nesting_exceeds(item, remaining - 1)) return true;
        }
    }
    return false;
}

JsonKind kind_of(const Value &v)
{
    if (v.IsNull()) return JsonKind::null;
    if (v.IsBool()) return JsonKind::boolean;
    if (v.IsString()) return JsonKind::string;
    if (v.IsInt64() || v.IsUint64()) return JsonKind::integer;
    if (v.IsNumber()) return JsonKind::number;
    return v.IsObject() ? JsonKind::object : JsonKind::array;
}

// The steps after reading that both readers share: validation, defaults, the size
// limit, and packing the accepted events into records, one block per request.
class BatchAssembler {
public:
    BatchAssembler(const RequestContext &context, const BatchLimits &limits, size_t event_count)
        : context_(context), limits_(limits)
    {
        drafts_.reserve(event_count);
        scratch_.clear();
    }

    /// Validates the event at `index`; on success fills `record`'s views and returns
    /// the defaults its canonical text must start with (valid until the next call).
    std::optional<EventDefaults> validate(std::span<const MemberView> members, size_t index, EventFields &record)
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

    /// Where an event's canonical text is written when it is not stored as sent.
    std::string &scratch() { return scratch_; }

    /// Accepts the validated event at `index`, whose canonical text is `json` (it
    /// lives as long as the request body), unless it is too large.
    void accept(size_t index, const EventFields &record, std::string_view json)
    {
        if (!fits(index, json.size())) return;
        drafts_.push_back(Draft{record, json, {}, {}});
        remember_generated_id();
    }

    /// The same for an event whose canonical text was written to scratch() from `from`.
    void accept_rewritten(size_t index, const EventFields &record, size_t from)
    {
        if (!fits(index, scratch_.size() - from)) {
            scratch_.resize(from);
            return;
        }
        drafts_.push_back(Draft{record, {}, ScratchSpan{from, scratch_.size() - from}, {}});
        remember_generated_id();
    }

    /// Rejects the event at `index` for a reason found before validation.
    void reject(size_t index, std::string message)
    {
        batch_.errors.push_back(EventError{index, std::move(message)});
        ++batch_.rejected;
    }

    ParsedBatch take()
    {
        thread_local std::vector<EventFields> fields;
        fields.clear();
        for (Draft &draft : drafts_) {
            EventFields &one = fields.emplace_back(draft.fields);
            one.json = draft.rewritten_json ? in_scratch(*draft.rewritten_json) : draft.json;
            if (draft.generated_id) one.event_id = in_scratch(*draft.generated_id);
            one.client_ip = context_.client_ip;
            one.user_agent = context_.user_agent;
            one.received_ms = context_.received_ms;
        }
        batch_.accepted = pack_event_records(fields);
        // One huge request must not pin its size in every HTTP thread for good.
        if (scratch_.capacity() > scratch_kept_bytes) std::string().swap(scratch_);
        return std::move(batch_);
    }

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

    bool fits(size_t index, size_t json_size)
    {
        if (json_size <= limits_.max_event_bytes) return true;
        reject(index, "event: " + std::to_string(json_size) + " bytes, larger than the " +
                          std::to_string(limits_.max_event_bytes / 1024) + " KB limit");
        return false;
    }

    void remember_generated_id()
    {
        if (generated_id_.empty()) return;
        drafts_.back().generated_id = ScratchSpan{scratch_.size(), generated_id_.size()};
        scratch_ += generated_id_;
    }

    std::string_view in_scratch(ScratchSpan span) const
    {
        return std::string_view(scratch_).substr(span.offset, span.size);
    }

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

thread_local std::string BatchAssembler::scratch_;

ParsedBatch assemble_plain_batch(const PlainBatch &plain, const RequestContext &context, const BatchLimits &limits)
{
    BatchAssembler assembler(context, limits, plain.events.size());
    const std::span<const MemberView> all_members(plain.members);
    for (size_t i = 0; i < plain.events.size(); ++i) {
        const PlainEvent &event = plain.events[i];
        EventFields record;
        const auto defaults =
            assembler.validate(all_members.subspan(event.first_member, event.member_count), i, record);
        if (!defaults) continue;
        if (!defaults->any()) {
            assembler.accept(i, record, event.text);  // already canonical: stored as sent
            continue;
        }
        const size_t from = assembler.scratch().size();
        append_canonical_event(assembler.scratch(), event.text, *defaults);
        assembler.accept_rewritten(i, record, from);
    }
    return assembler.take();
}

common::Result<ParsedBatch> parse_general_batch(std::string &body, const RequestContext &context,
                                                const BatchLimits &limits)
{
    // A per-thread arena: a typical batch's DOM fits, so parsing does not touch
    // malloc (the allocator spills into the heap only for larger documents).
    thread_local std::unique_ptr<char[]> arena(new char[arena_size]);
    rapidjson::MemoryPoolAllocator<> value_allocator(arena.get(), arena_size);
    rapidjson::Document document(&value_allocator);
    document.ParseInsitu<parse_flags>(body.data());
    if (document.GetParseError() == rapidjson::kParseErrorDocumentRootNotSingular) {
        return common::fail("invalid JSON at byte " + std::to_string(document.GetErrorOffset()) +
                            ": more data after the JSON document; the body must be one JSON document followed "
                            "only by whitespace");
    }
    if (document.HasParseError()) {
        return common::fail(std::string("invalid JSON at byte ") + std::to_string(document.GetErrorOffset()) + ": " +
                            rapidjson::GetParseError_En(document.GetParseError()));
    }
    if (!document.IsObject()) return common::fail("body: must be a JSON object with an \"events\" array");
    const auto events_it = document.FindMember("events");
    if (events_it == document.MemberEnd() || !events_it->value.IsArray()) {
        return common::fail("events: required, must be an array");
    }
    const auto events = events_it->value.GetArray();
    if (events.Size() > limits.max_events) {
        return common::fail("events: " + std::to_string(events.Size()) + " events in one batch, at most " +
                            std::to_string(limits.max_events) + " are allowed");
    }

    BatchAssembler assembler(context, limits, events.Size());
    thread_local std::vector<MemberView> members;
    for (rapidjson::SizeType i = 0; i < events.Size(); ++i) {
        const Value &event = events[i];
        EventFields record;
        if (!event.IsObject()) {
            assembler.reject(i, "event: must be an object");
            continue;
        }
        members.clear();
        for (const auto &member : event.GetObject()) {
            const bool container = member.value.IsObject() || member.value.IsArray();
            members.push_back(MemberView{
                std::string_view(member.name.GetString(), member.name.GetStringLength()),
                member.value.IsString() ? std::string_view(member.value.GetString(), member.value.GetStringLength())
                                        : std::string_view{},
                kind_of(member.value), container && nesting_exceeds(member.value, limits.max_nesting_depth)});
        }
        const auto defaults = assembler.validate(members, i, record);
        if (!defaults) continue;
        const size_t from = assembler.scratch().size();
        append_canonical_event(assembler.scratch(), event, *defaults);
        assembler.accept_rewritten(i, record, from);
    }
    return assembler.take();
}

}  // namespace

common::Result<ParsedBatch> parse_batch(std::string &body, const RequestContext &context, const BatchLimits &limits,
                                        BatchReader reader)
{
    // RapidJSON's SSE2 scanning reads whole 16-byte blocks and may run past the
    // terminating NUL; give it room inside the allocation.
    if (body.capacity() < body.size() + simd_padding) body.reserve(body.size() + simd_padding);
    if (auto fault = screen_body(body)) return common::fail(std::move(*fault));
    thread_local PlainBatch plain;
    if (reader == BatchReader::fastest && scan_plain_batch(body, limits, plain))
        return assemble_plain_batch(plain, context, limits);
    return parse_general_batch(body, context, limits);
}

}  // namespace productgraph::event
