// EventRecord <-> the bytes stored for one record in a segment frame.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "event/event_record.hpp"

namespace productgraph::queue {

/// Layout, little-endian: u8 version (2), i64 timestamp_ms, i64 received_ms, then nine
/// (u32 length, bytes) strings in EventFields order: json, event_id, type, name, user_id,
/// device_id, session_id, client_ip, user_agent. In version 2, one of the six fields
/// from event_id to session_id that is a piece of the JSON is written as
/// (u32 length | 0x80000000, u32 offset into the JSON) instead. A new field means a new
/// version, and decode keeps reading the old ones (version 1: no pieces): segments
/// outlive upgrades.
size_t encoded_record_size(const event::EventRecord &record);

/// Writes the payload of `record`, encoded_record_size(record) bytes, from `at` on;
/// returns where it ends. The queue sizes a request's frames once and fills them in place.
char *encode_record_to(const event::EventRecord &record, char *at);

/// Appends the payload of `record` to `out`.
void encode_record(const event::EventRecord &record, std::string &out);

/// Builds a record from a payload; fails on an unknown version or lengths that do not
/// add up (the frame CRC makes that a bug or a format change, not disk noise).
common::Result<event::EventRecordPtr> decode_record(std::string_view payload);

}  // namespace productgraph::queue
