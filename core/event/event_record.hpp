// One accepted, normalised event: the canonical JSON plus the fields every plugin needs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace productgraph::event {

/// The parts of an event while it is being built; views only need to live until
/// the EventRecord constructor returns.
struct EventFields {
    std::string_view json;  // canonical compact JSON object, field names as sent
    std::string_view event_id;
    std::string_view type;
    std::string_view name;
    std::string_view user_id;
    std::string_view device_id;
    std::string_view session_id;
    std::string_view client_ip;
    std::string_view user_agent;
    int64_t timestamp_ms = 0;
    int64_t received_ms = 0;
};

/// Built once at the edge and immutable afterwards; shared by every plugin's
/// cursor. All text lives in one buffer: either the record's own (one allocation
/// per event) or a slice of its request's block (pack_event_records: one allocation
/// per request), which matters at hundreds of thousands of events per second.
class EventRecord {
public:
    /// A record owning a copy of the fields' text.
    explicit EventRecord(const EventFields &fields);
    /// A record whose text is copied to `storage` (storage_size(fields) bytes), which
    /// its owner keeps alive and unchanged as long as the record.
    EventRecord(const EventFields &fields, char *storage);

    static size_t storage_size(const EventFields &fields);

    /// Views of this record's parts, e.g. to copy it into a record of its own.
    EventFields fields() const;

    /// Where `part` (one of this record's views) starts inside json(), when it is a
    /// piece of it: the id, type, name and user, device and session ids usually are,
    /// and are then neither copied nor stored twice.
    /// Inline: the queue asks it for six fields of every record it writes.
    std::optional<uint32_t> offset_in_json(std::string_view part) const
    {
        const std::string_view whole = json();
        const std::less_equal<const char *> not_after;  // a total order, even across unrelated buffers
        if (part.empty() || !not_after(whole.data(), part.data()) ||
            !not_after(part.data() + part.size(), whole.data() + whole.size())) {
            return std::nullopt;
        }
        return static_cast<uint32_t>(part.data() - whole.data());
    }

    std::string_view json() const { return view(json_); }
    std::string_view event_id() const { return view(event_id_); }
    std::string_view type() const { return view(type_); }
    std::string_view name() const { return view(name_); }
    std::string_view user_id() const { return view(user_id_); }
    std::string_view device_id() const { return view(device_id_); }
    std::string_view session_id() const { return view(session_id_); }
    std::string_view client_ip() const { return view(client_ip_); }
    std::string_view user_agent() const { return view(user_agent_); }
    int64_t timestamp_ms() const { return timestamp_ms_; }
    int64_t received_ms() const { return received_ms_; }

    /// What the record weighs for queue and batch limits.
    size_t byte_size() const { return json_.length; }

private:
    struct Span {
        uint32_t offset = 0;
        uint32_t length = 0;
    };
    void pack(const EventFields &fields, char *storage);
    std::string_view view(Span span) const { return std::string_view(text_ + span.offset, span.length); }

    std::unique_ptr<char[]> owned_;  // null when the text lives in a request's block
    const char *text_ = nullptr;
    Span json_, event_id_, type_, name_, user_id_, device_id_, session_id_, client_ip_, user_agent_;
    int64_t timestamp_ms_ = 0;
    int64_t received_ms_ = 0;
};

using EventRecordPtr = std::shared_ptr<const EventRecord>;

/// Records for all of `fields` sharing one block of memory: the block is freed when
/// the last of them is. For the events of one request, which travel together; a
/// record kept much longer than its neighbours (a dead letter) should be copied into
/// one of its own, or it keeps the whole block alive.
std::vector<EventRecordPtr> pack_event_records(const std::vector<EventFields> &fields);

}  // namespace productgraph::event
