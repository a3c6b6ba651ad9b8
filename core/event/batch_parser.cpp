// Batch parsing, by one of two readers with the same results. Most bodies are plain
// (compact JSON.stringify output): plain_batch_scanner checks and splits them in one
// pass, and their events are stored as sent. Every other body goes to RapidJSON's
// iterative in-situ parser (no recursion on hostile nesting, no copies of strings)
// and is re-serialised to the canonical form (compact_json). Both feed the same
// validator (event_validation) and the same defaults, so the answer is the same.
#include "event/batch_parser.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "event/batch_assembler.hpp"
#include "event/body_screen.hpp"
#include "event/canonical_event.hpp"
#include "event/event_validation.hpp"
#include "event/plain_batch_scanner.hpp"

namespace productgraph::event {
namespace {

// UTF-8 is validated beforehand (screen_body), far faster than RapidJSON's
// per-character check; the iterative parser never recurses on hostile nesting.
constexpr unsigned parse_flags = rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag;

using Value = rapidjson::Value;

constexpr size_t arena_size = 256 * 1024;
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
