// The intake path. An event is acknowledged (202) only once the queue holds it;
// a full queue refuses the whole request with 503 so the client keeps it and retries.
#include "http/event_intake.hpp"

#include <chrono>

#include "common/json_text.hpp"
#include "common/log.hpp"
#include "event/batch_parser.hpp"
#include "event/rejection_log.hpp"
#include "http/client_address.hpp"
#include "http/json_response.hpp"
#include "http/request_guards.hpp"
#include "metrics/daemon_metrics.hpp"

namespace productgraph::http {
namespace {

std::string accepted_body(size_t accepted, const event::ParsedBatch &batch)
{
    std::string body = "{\"accepted\":" + std::to_string(accepted) + ",\"rejected\":" + std::to_string(batch.rejected) +
                       ",\"errors\":[";
    for (size_t i = 0; i < batch.errors.size(); ++i) {
        if (i > 0) body.push_back(',');
        body += "{\"index\":" + std::to_string(batch.errors[i].index) + ",\"error\":";
        common::append_json_string(body, batch.errors[i].message);
        body.push_back('}');
    }
    body += "]}";
    return body;
}

event::RequestContext request_context(const ApiContext &context, const Request &request)
{
    event::RequestContext info;
    const auto forwarded = request.header("X-Forwarded-For");
    info.client_ip =
        client_address(request.peer_ip, forwarded.value_or(std::string_view()), context.settings.trusted_proxies);
    if (const auto agent = request.header("User-Agent")) info.user_agent = *agent;
    info.default_project_id = context.settings.default_project_id;
    info.received_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return info;
}

}  // namespace

void handle_post_events(ApiContext &context, Request &request, ResponseWriter &response)
{
    const auto key = request.header("X-PG-API-Key");
    if (!api_key_accepted(context.settings.api_keys, key)) {
        send_error(response, Status::unauthorized, key ? "X-PG-API-Key: not a valid key" : "X-PG-API-Key: required");
        return;
    }
    if (request.body.size() > context.settings.max_body_bytes) {
        send_error(response, Status::payload_too_large,
                   "body: " + std::to_string(request.body.size()) + " bytes, larger than the 10 MB limit");
        return;
    }
    if (!context.accepting.load()) {
        response.add_header("Retry-After", std::to_string(context.settings.retry_after.count()));
        send_error(response, Status::service_unavailable, "shutting down: send the events again later");
        return;
    }

    // Parsed in place, straight from the buffer the edge framed it into (it
    // keeps Request::body_padding spare bytes for the parser's SIMD reads).
    auto parsed = event::parse_batch(request.body, request_context(context, request));
    if (!parsed) {
        send_error(response, Status::bad_request, parsed.error().message);
        return;
    }
    metrics::count_rejected_events(parsed->errors);
    const size_t accepted = parsed->accepted.size();
    if (common::log_enabled(common::LogLevel::debug)) {
        common::log_debug("events received", {{"accepted", accepted}, {"rejected", parsed->rejected}});
    }
    event::log_rejected_events(*parsed);
    if (accepted == 0) {
        send_json(response, Status::accepted, accepted_body(0, *parsed));
        return;
    }
    // The 202 goes out only once the queue holds the events as durably as it
    // promises. The answer may come from the queue's durability thread, so this
    // worker thread is free for other connections while the disk syncs.
    auto writer = std::make_shared<ResponseWriter>(std::move(response));
    auto answer = std::make_shared<std::string>(accepted_body(accepted, *parsed));
    const long retry_after = context.settings.retry_after.count();
    context.queue->append_async(
        std::move(parsed->accepted), [writer, answer, accepted, retry_after](queue::AppendStatus status) {
            if (status == queue::AppendStatus::appended) {
                metrics::count_accepted_events(accepted);  // before the 202, so a scrape after it sees them
                send_json(*writer, Status::accepted, *answer);
                return;
            }
            const bool full = status == queue::AppendStatus::full;
            if (full) common::log_warn("queue full: refusing events with 503", {{"events", accepted}});
            writer->add_header("Retry-After", std::to_string(retry_after));
            send_error(*writer, Status::service_unavailable,
                       full ? "queue is full: nothing was accepted, send the events again later"
                            : "shutting down: send the events again later");
        });
}

}  // namespace productgraph::http
