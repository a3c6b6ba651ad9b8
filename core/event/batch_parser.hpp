// Parses and validates one POST /v1/events body into normalised EventRecords.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "event/event_record.hpp"

namespace productgraph::event {

/// What the request, not the body, says about its events.
struct RequestContext {
    std::string client_ip;
    std::string user_agent;
    int64_t received_ms = 0;  // also the timestamp of an event sent without one
    // project_id of an event sent without project_id or product_id
    // (PRODUCTGRAPH_DEFAULT_PROJECT_ID); must outlive the parse_batch call.
    std::string_view default_project_id = "default";
};

/// The contract's limits (product-spec §1), adjustable for tests.
struct BatchLimits {
    size_t max_events = 1000;
    size_t max_event_bytes = 100 * 1024;
    int max_nesting_depth = 32;  // levels inside one event; deeper JSON is hostile
};

/// One invalid event, reported by its index in the batch.
struct EventError {
    size_t index = 0;
    std::string message;  // "<field>: <reason>", e.g. "session.id: required"
};

struct ParsedBatch {
    std::vector<EventRecordPtr> accepted;
    std::vector<EventError> errors;  // possibly several per rejected event
    size_t rejected = 0;             // number of rejected events
};

/// Parses `body` in place (it is modified) and validates each event. Fails only
/// for the whole request: invalid JSON or UTF-8 (lone surrogates included), a body
/// that is not exactly one JSON document plus whitespace, wrong shape, too many
/// events. Events without event_id, event.timestamp or project_id get the
/// defaults of product-spec §1 (a UUIDv7, the receive time, the default project),
/// written into their canonical JSON ahead of the fields as sent.
///
/// Two readers give the same answer: a one-pass scanner for the plain bodies most
/// clients send, and RapidJSON for every other. `reader` exists so tests can compare them.
enum class BatchReader { fastest, general_only };
common::Result<ParsedBatch> parse_batch(std::string &body, const RequestContext &context,
                                        const BatchLimits &limits = {}, BatchReader reader = BatchReader::fastest);

}  // namespace productgraph::event
