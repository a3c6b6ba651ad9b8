// The publish loop: requests go out in order; answers mark events; 413 halves a
// request; a retryable answer stops the call so the host can back off.
#include "mixpanel_delivery.hpp"

#include "mixpanel_gzip.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <span>

namespace productgraph::mixpanel {
namespace {

constexpr std::size_t max_logged_answer = 512;
constexpr std::size_t max_logged_names = 10;

std::string fatal_hint(const MixpanelSettings &settings)
{
    if (settings.api == ApiMode::track) return "; check MIXPANEL_TOKEN";
    if (settings.uses_service_account()) {
        return "; check MIXPANEL_SERVICE_ACCOUNT_USERNAME, MIXPANEL_SERVICE_ACCOUNT_SECRET and MIXPANEL_PROJECT_ID";
    }
    return "; check MIXPANEL_TOKEN";
}

std::string failure_reason(const FailedRecord &record)
{
    if (record.field.empty() && record.message.empty()) return "refused by Mixpanel";
    if (record.field.empty()) return record.message;
    if (record.message.empty()) return record.field + ": invalid";
    return record.field + ": " + record.message;
}

std::string joined_names(const std::vector<std::string> &names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < max_logged_names; ++i) {
        if (i > 0) out += ", ";
        out += names[i];
    }
    if (names.size() > max_logged_names) out += ", ...";
    return out;
}

// Sets the call's status from the per-event results: OK, RETRY when nothing moved,
// REJECT when every event was refused for one reason (one log line instead of one
// per event), otherwise PARTIAL.
void summarise(DeliveryReport &report, const std::string &retry_reason, std::int64_t backoff_ms)
{
    std::size_t delivered = 0, rejected = 0, left = 0;
    for (const EventResult &event : report.events) {
        if (event.status == PGRAPH_EVENT_OK) {
            ++delivered;
        } else if (event.status == PGRAPH_EVENT_REJECT) {
            ++rejected;
        } else {
            ++left;
        }
    }
    const std::size_t count = report.events.size();
    if (left > 0) report.retry_after_ms = backoff_ms;
    const bool one_reason = std::all_of(report.events.begin(), report.events.end(), [&](const EventResult &e) {
        return e.status == PGRAPH_EVENT_REJECT && e.reason == report.events.front().reason;
    });
    if (delivered == count) {
        report.status = PGRAPH_OK;
        report.message = count == 0 ? "nothing to send" : std::to_string(count) + " events delivered";
    } else if (left == count) {
        report.status = PGRAPH_RETRY;
        report.message = retry_reason;
    } else if (one_reason) {
        report.status = PGRAPH_REJECT;
        report.message = report.events.front().reason;
    } else {
        report.status = PGRAPH_PARTIAL;
        report.message = std::to_string(delivered) + " delivered, " + std::to_string(rejected) + " rejected, " +
                         std::to_string(left) + " left to retry";
        if (!retry_reason.empty()) report.message += " (" + retry_reason + ")";
    }
}

}  // namespace

std::int64_t retry_backoff_ms(std::uint32_t attempt, std::int64_t initial_ms, double unit)
{
    std::int64_t base = initial_ms;
    for (std::uint32_t i = 1; i < attempt && base < max_retry_delay_ms; ++i) base *= 2;
    base = std::min(base, max_retry_delay_ms);
    const double jitter = static_cast<double>(initial_ms) * (0.5 + 2.0 * std::clamp(unit, 0.0, 1.0));
    return base + static_cast<std::int64_t>(jitter);
}

// The formatted events of a batch, in batch order; events that could not be
// formatted are already rejected and absent here.
struct Delivery::Pending {
    std::vector<std::string> json;
    std::vector<std::string> insert_ids;
    std::vector<std::size_t> batch_index;
};

Delivery::Delivery(MixpanelSettings settings, const pgraph_host &host)
    : settings_(std::move(settings)), host_(host), log_(&host), client_(settings_), random_(std::random_device{}())
{}

std::int64_t Delivery::now_unix_ms() const
{
    if (host_.now_unix_ms != nullptr) return host_.now_unix_ms(host_.context);
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

CredentialCheck Delivery::verify(std::int64_t deadline_unix_ms)
{
    if (settings_.api == ApiMode::track) return classify_credential_check(settings_.api, HttpReply{});
    const HttpReply reply = client_.post("[]", false, std::max<std::int64_t>(1, deadline_unix_ms - now_unix_ms()));
    CredentialCheck check = classify_credential_check(settings_.api, reply);
    check.reason = redact(std::move(check.reason));
    return check;
}

std::string Delivery::redact(std::string text) const
{
    for (const std::string *secret : {&settings_.token, &settings_.service_account_secret}) {
        if (secret->empty()) continue;
        constexpr std::string_view marker = "[redacted]";
        // Search on after the marker: a secret inside "[redacted]" would otherwise loop forever.
        for (std::size_t at = text.find(*secret); at != std::string::npos;
             at = text.find(*secret, at + marker.size())) {
            text.replace(at, secret->size(), marker);
        }
    }
    return text;
}

Delivery::Pending Delivery::format_batch(const pgraph_batch &batch, DeliveryReport &report) const
{
    Pending pending;
    pending.json.reserve(batch.event_count);
    const FormatOptions options{settings_.api, settings_.token};
    for (std::size_t i = 0; i < batch.event_count; ++i) {
        const pgraph_event &event = *pgraph_batch_event(&batch, i);
        std::optional<FormattedEvent> formatted = format_event(event, options);
        if (!formatted) {
            report.events[i] = {PGRAPH_EVENT_REJECT, "event JSON is not an object"};
            continue;
        }
        if (!formatted->dropped_properties.empty()) {
            log_.warn("event " + std::string(pgraph::view(event.event_id)) + ": Mixpanel keeps fewer than 255 " +
                      "properties; dropped " + std::to_string(formatted->dropped_properties.size()) + ": " +
                      joined_names(formatted->dropped_properties));
        }
        pending.json.push_back(std::move(formatted->json));
        pending.insert_ids.push_back(std::move(formatted->insert_id));
        pending.batch_index.push_back(i);
    }
    return pending;
}

void Delivery::log_exchange(const RequestSpan &span, std::size_t body_bytes, std::size_t sent_bytes,
                            const HttpReply &reply) const
{
    if (!log_.enabled(PGRAPH_LOG_DEBUG)) return;
    std::string line = "POST " + client_.path() + ": ";
    line += reply.status == 0 ? "no answer (" + reply.transport_error + ")" : "HTTP " + std::to_string(reply.status);
    line += " in " + std::to_string(reply.elapsed_ms) + " ms; " + std::to_string(span.size()) + " events, " +
            std::to_string(body_bytes) + " bytes";
    if (sent_bytes != body_bytes) line += " (" + std::to_string(sent_bytes) + " gzipped)";
    line += "; answer: " + reply.body.substr(0, max_logged_answer);
    if (reply.body.size() > max_logged_answer) line += "...";
    log_.debug(redact(std::move(line)));
}

// Marks the events of a strict 400: Mixpanel ingested every row it did not list, the
// listed ones are refused, and a retry would fail again (providers.md §2.5).
void Delivery::settle_failed_records(const RequestSpan &span, const std::vector<FailedRecord> &failed,
                                     const Pending &pending, DeliveryReport &report) const
{
    std::vector<bool> refused(span.size(), false);
    std::size_t unmatched = 0;
    for (const FailedRecord &record : failed) {
        std::optional<std::size_t> offset;
        if (record.index && *record.index < span.size()) {
            offset = *record.index;
        } else if (!record.insert_id.empty()) {
            const auto first = pending.insert_ids.begin() + static_cast<std::ptrdiff_t>(span.begin);
            const auto last = pending.insert_ids.begin() + static_cast<std::ptrdiff_t>(span.end);
            const auto found = std::find(first, last, record.insert_id);
            if (found != last) offset = static_cast<std::size_t>(found - first);
        }
        if (!offset) {
            ++unmatched;
            continue;
        }
        refused[*offset] = true;
        report.events[pending.batch_index[span.begin + *offset]] = {PGRAPH_EVENT_REJECT,
                                                                    redact(failure_reason(record))};
    }
    for (std::size_t offset = 0; offset < span.size(); ++offset) {
        if (!refused[offset]) report.events[pending.batch_index[span.begin + offset]] = {PGRAPH_EVENT_OK, {}};
    }
    if (unmatched > 0) {
        log_.warn(std::to_string(unmatched) + " of Mixpanel's failed_records match no event of the request");
    }
}

DeliveryReport Delivery::publish(const pgraph_batch &batch)
{
    DeliveryReport report;
    report.events.resize(batch.event_count);
    const Pending pending = format_batch(batch, report);
    auto mark_span = [&](const RequestSpan &span, pgraph_event_status status, const std::string &reason) {
        for (std::size_t p = span.begin; p < span.end; ++p) report.events[pending.batch_index[p]] = {status, reason};
    };

    const std::vector<RequestSpan> planned = plan_requests(pending.json);
    std::deque<RequestSpan> work(planned.begin(), planned.end());
    std::string retry_reason;
    std::int64_t retry_after_header = 0;
    while (!work.empty()) {
        const RequestSpan span = work.front();
        work.pop_front();
        const std::int64_t time_left = batch.deadline_unix_ms - now_unix_ms();
        if (time_left <= 0) {
            retry_reason = "publish deadline reached with requests left to send";
            break;
        }
        const std::string body = request_body(std::span(pending.json).subspan(span.begin, span.size()));
        const bool gzipped = settings_.api == ApiMode::import;
        const std::string compressed = gzipped ? gzip_compress(body) : std::string();
        const HttpReply reply = client_.post(gzipped ? compressed : body, gzipped, time_left);
        log_exchange(span, body.size(), gzipped ? compressed.size() : body.size(), reply);
        report.http_status = static_cast<std::int32_t>(reply.status);

        Classification answer = classify(settings_.api, reply);
        answer.reason = redact(std::move(answer.reason));
        switch (answer.verdict) {
        case Verdict::delivered: mark_span(span, PGRAPH_EVENT_OK, {}); break;
        case Verdict::partially_failed: settle_failed_records(span, answer.failed, pending, report); break;
        case Verdict::rejected: mark_span(span, PGRAPH_EVENT_REJECT, answer.reason); break;
        case Verdict::too_large:
            if (span.size() > 1) {
                const std::size_t middle = span.begin + span.size() / 2;
                work.push_front(RequestSpan{middle, span.end});
                work.push_front(RequestSpan{span.begin, middle});
            } else {
                const pgraph_event &event = *pgraph_batch_event(&batch, pending.batch_index[span.begin]);
                log_.warn("event " + std::string(pgraph::view(event.event_id)) +
                          " dropped: Mixpanel refuses it even alone (HTTP 413, " + std::to_string(body.size()) +
                          " bytes)");
                mark_span(span, PGRAPH_EVENT_REJECT, "too large for Mixpanel (HTTP 413)");
            }
            break;
        case Verdict::retry:
            retry_reason = answer.reason;
            retry_after_header = reply.retry_after_ms.value_or(0);
            work.clear();  // Mixpanel is down or throttling: the rest waits for the retry
            break;
        case Verdict::fatal:
            report.status = PGRAPH_FATAL;
            report.message = answer.reason + fatal_hint(settings_);
            return report;
        }
    }

    const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
    const std::int64_t backoff =
        std::max(retry_backoff_ms(batch.attempt, settings_.retry_initial_ms, unit), retry_after_header);
    summarise(report, retry_reason, backoff);
    return report;
}

}  // namespace productgraph::mixpanel
