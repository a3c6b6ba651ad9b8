// The publish loop: a bounded work list of requests, each answer turned into per-event results.
#include "amplitude_delivery.hpp"

#include <algorithm>
#include <deque>

namespace productgraph::amplitude {
namespace {

struct PendingRequest {
    std::vector<std::size_t> indexes;  // batch indexes, in request order
    int resends = 0;                   // how often these events were re-sent after a 429
};

// Event ids come from clients; keep log lines short whatever they send.
std::string short_id(std::string_view id)
{
    return std::string(id.substr(0, 128));
}

// A thread's formatted events and request body, kept from one publish to the next so
// that their buffers are reused instead of allocated for every event.
struct Buffers {
    std::vector<FormattedEvent> formatted;
    std::string body;
    bool in_use = false;  // a delivery inside a delivery (only a test could) gets its own
};

// Buffers above this are given back after a publish rather than held by the thread.
constexpr std::size_t kept_buffer_bytes = 64 * 1024;

Buffers &thread_buffers()
{
    thread_local Buffers buffers;
    return buffers;
}

class Delivery {
public:
    Delivery(std::span<const EventView> events, std::uint32_t attempt, const DeliverySettings &settings,
             const pgraph::HostLog &log)
        : events_(events), attempt_(attempt), settings_(settings), log_(log),
          envelope_(settings.api_key, settings.min_id_length),
          buffers_(thread_buffers().in_use ? own_buffers_ : thread_buffers()), formatted_(buffers_.formatted)
    {
        buffers_.in_use = true;
        report_.events.resize(events.size());
    }

    ~Delivery()
    {
        for (std::size_t i = 0; i < std::min(events_.size(), formatted_.size()); ++i) {
            if (formatted_[i].json.capacity() > kept_buffer_bytes) std::string().swap(formatted_[i].json);
        }
        if (buffers_.body.capacity() > settings_.limits.max_body_bytes + kept_buffer_bytes) {
            std::string().swap(buffers_.body);
        }
        buffers_.in_use = false;
    }

    Delivery(const Delivery &) = delete;
    Delivery &operator=(const Delivery &) = delete;

    DeliveryReport run(std::int64_t deadline_unix_ms, const UnixClock &now, const SendRequest &send)
    {
        std::deque<PendingRequest> work;
        for (std::vector<std::size_t> &request : plan()) work.push_back(PendingRequest{std::move(request), 0});
        while (!work.empty()) {
            if (report_.requests_sent >= settings_.max_requests) {
                problem_ = "sent " + std::to_string(report_.requests_sent) + " requests in one publish; the rest later";
                log_.warn("amplitude: " + problem_);
                break;
            }
            std::chrono::milliseconds timeout = settings_.request_timeout;
            if (deadline_unix_ms > 0) {
                const std::chrono::milliseconds left(deadline_unix_ms - now());
                if (left < settings_.min_request_time) {
                    problem_ = "publish deadline reached before every request was sent";
                    break;
                }
                timeout = std::min(timeout, left);
            }
            PendingRequest request = std::move(work.front());
            work.pop_front();
            if (!send_one(request, timeout, send, work)) return std::move(report_);
        }
        finish();
        return std::move(report_);
    }

private:
    // Formats every event and packs the sendable ones; the others are rejected here.
    std::vector<std::vector<std::size_t>> plan()
    {
        // Only the first events_.size() entries belong to this batch; the rest wait for a larger one.
        if (formatted_.size() < events_.size()) formatted_.resize(events_.size());
        std::vector<std::size_t> sendable;
        sendable.reserve(events_.size());
        for (std::size_t i = 0; i < events_.size(); ++i) {
            format_event_into(events_[i], formatted_[i]);
            const FormattedEvent &event = formatted_[i];
            // A retried event was reported on its first attempt already.
            for (const std::string &note : event.notes) {
                if (attempt_ <= 1) log_.info("amplitude: event " + short_id(events_[i].event_id) + ": " + note);
            }
            if (event.sendable()) {
                sendable.push_back(i);
            } else {
                mark(i, PGRAPH_EVENT_REJECT, event.reject_reason);
            }
        }
        RequestPlan plan = plan_requests(formatted_, sendable, envelope_, settings_.limits);
        for (const std::size_t i : plan.too_large) {
            const std::string reason = "event is " + std::to_string(formatted_[i].json.size()) +
                                       " bytes as JSON: too large for one Amplitude request";
            log_.warn("amplitude: event " + short_id(events_[i].event_id) + ": " + reason);
            mark(i, PGRAPH_EVENT_REJECT, reason);
        }
        return std::move(plan.requests);
    }

    // Sends one request and acts on the answer; false when the instance cannot go on.
    bool send_one(const PendingRequest &request, std::chrono::milliseconds timeout, const SendRequest &send,
                  std::deque<PendingRequest> &work)
    {
        std::string &body = buffers_.body;
        envelope_.write_body(formatted_, request.indexes, body);
        const HttpReply reply = send(body, timeout);
        ++report_.requests_sent;
        report_.http_status = static_cast<std::int32_t>(reply.status);
        if (log_.enabled(PGRAPH_LOG_DEBUG)) {
            const std::string answer =
                reply.status == 0
                    ? "no answer (" + redact(reply.transport_error, settings_.api_key) + ")"
                    : "status " + std::to_string(reply.status) + ": " + loggable_body(reply.body, settings_.api_key);
            log_.debug("amplitude: " + std::to_string(request.indexes.size()) + " events, " +
                       std::to_string(body.size()) + " bytes, " + std::to_string(reply.latency.count()) + " ms, " +
                       answer);
        }

        std::vector<SentIdentity> identities;
        identities.reserve(request.indexes.size());
        for (const std::size_t i : request.indexes) {
            identities.push_back(SentIdentity{formatted_[i].user_id, formatted_[i].device_id});
        }
        Verdict verdict = classify_response(reply, identities, settings_.api_key);
        switch (verdict.outcome) {
        case Outcome::delivered: mark_all(request, PGRAPH_EVENT_OK, {}); break;
        case Outcome::retry:
            problem_ = verdict.reason;
            mark_all(request, PGRAPH_EVENT_RETRY, verdict.reason);
            break;
        case Outcome::throttled:
            problem_ = verdict.reason;
            throttled_ = true;
            mark_all(request, PGRAPH_EVENT_RETRY, verdict.reason);
            break;
        case Outcome::rejected:
            log_.warn("amplitude: " + std::to_string(request.indexes.size()) + " events rejected: " + verdict.reason);
            mark_all(request, PGRAPH_EVENT_REJECT, verdict.reason);
            break;
        case Outcome::fatal:
            report_.status = PGRAPH_FATAL;
            report_.message = verdict.reason;
            return false;
        case Outcome::split: split(request, verdict.reason, work); break;
        case Outcome::per_event: apply(request, verdict, work); break;
        }
        return true;
    }

    void split(const PendingRequest &request, const std::string &reason, std::deque<PendingRequest> &work)
    {
        if (request.indexes.size() == 1) {
            const std::size_t i = request.indexes.front();
            log_.warn("amplitude: event " + short_id(events_[i].event_id) + " rejected on its own: " + reason);
            mark(i, PGRAPH_EVENT_REJECT, reason);
            return;
        }
        const auto middle = request.indexes.begin() + static_cast<std::ptrdiff_t>(request.indexes.size() / 2);
        work.push_front(PendingRequest{{middle, request.indexes.end()}, request.resends});
        work.push_front(PendingRequest{{request.indexes.begin(), middle}, request.resends});
    }

    void apply(const PendingRequest &request, const Verdict &verdict, std::deque<PendingRequest> &work)
    {
        PendingRequest again{{}, request.resends + 1};
        for (std::size_t k = 0; k < request.indexes.size(); ++k) {
            const std::size_t i = request.indexes[k];
            switch (verdict.actions[k]) {
            case EventAction::reject: mark(i, PGRAPH_EVENT_REJECT, verdict.reasons[k]); break;
            case EventAction::retry: mark(i, PGRAPH_EVENT_RETRY, verdict.reason); break;
            case EventAction::throttle:
                throttled_ = true;
                mark(i, PGRAPH_EVENT_RETRY, verdict.reason);
                report_.events[i].retry_after_ms = settings_.throttle_retry.count();
                break;
            case EventAction::resend:
                mark(i, PGRAPH_EVENT_RETRY, verdict.reason);
                again.indexes.push_back(i);
                break;
            }
        }
        problem_ = verdict.reason;
        log_.info("amplitude: " + verdict.reason);
        if (again.indexes.empty()) return;
        if (again.resends > settings_.max_resends) {
            log_.info("amplitude: " + std::to_string(again.indexes.size()) +
                      " events were re-sent too often in this publish; the host retries them");
            return;
        }
        work.push_front(std::move(again));
    }

    void mark(std::size_t i, pgraph_event_status status, std::string_view reason)
    {
        report_.events[i] = EventOutcome{status, std::string(reason)};
    }

    void mark_all(const PendingRequest &request, pgraph_event_status status, std::string_view reason)
    {
        for (const std::size_t i : request.indexes) mark(i, status, reason);
    }

    void finish()
    {
        std::size_t ok = 0, rejected = 0, retry = 0;
        for (const EventOutcome &event : report_.events) {
            if (event.status == PGRAPH_EVENT_OK)
                ++ok;
            else if (event.status == PGRAPH_EVENT_REJECT)
                ++rejected;
            else
                ++retry;
        }
        const std::size_t n = report_.events.size();
        if (retry > 0 && throttled_) report_.retry_after_ms = settings_.throttle_retry.count();
        if (ok == n) {
            report_.status = PGRAPH_OK;
        } else if (retry == n) {
            report_.status = PGRAPH_RETRY;
            report_.message = problem_;
        } else if (rejected == n) {
            report_.status = PGRAPH_REJECT;
            report_.message = report_.events.front().reason;
        } else {
            report_.status = PGRAPH_PARTIAL;
            report_.message = std::to_string(ok) + " of " + std::to_string(n) + " delivered, " +
                              std::to_string(rejected) + " rejected, " + std::to_string(retry) + " to retry" +
                              (problem_.empty() ? "" : "; " + problem_);
        }
    }

    std::span<const EventView> events_;
    std::uint32_t attempt_;
    const DeliverySettings &settings_;
    const pgraph::HostLog &log_;
    RequestEnvelope envelope_;
    Buffers own_buffers_;
    Buffers &buffers_;
    std::vector<FormattedEvent> &formatted_;
    DeliveryReport report_;
    std::string problem_;  // the last reason events were left to retry
    bool throttled_ = false;
};

}  // namespace

DeliveryReport deliver(std::span<const EventView> events, std::uint32_t attempt, const DeliverySettings &settings,
                       std::int64_t deadline_unix_ms, const UnixClock &now, const SendRequest &send,
                       const pgraph::HostLog &log)
{
    return Delivery(events, attempt, settings, log).run(deadline_unix_ms, now, send);
}

}  // namespace productgraph::amplitude
