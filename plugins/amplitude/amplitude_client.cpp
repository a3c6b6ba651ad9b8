// libcurl transport and response classification for Amplitude's HTTP V2 and Batch APIs.
#include "amplitude_client.hpp"

#include <curl/curl.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

namespace productgraph::amplitude {
namespace {

using rapidjson::Value;

std::string_view view_of(const Value &string)
{
    return {string.GetString(), string.GetStringLength()};
}

std::string string_member(const Value &object, const char *name)
{
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return {};
    return std::string(view_of(it->value));
}

// Calls `f(index, label)` for every valid index listed under `name`, which holds either
// an array of indexes or an object mapping a field name to an array of indexes.
template <typename F>
void for_each_listed(const Value &body, const char *name, std::size_t count, F &&f)
{
    const auto it = body.FindMember(name);
    if (it == body.MemberEnd()) return;
    const auto each_index = [&](const Value &list, std::string_view label) {
        if (!list.IsArray()) return;
        for (const Value &index : list.GetArray()) {
            if (index.IsUint64() && index.GetUint64() < count) f(static_cast<std::size_t>(index.GetUint64()), label);
        }
    };
    if (it->value.IsArray()) each_index(it->value, {});
    if (it->value.IsObject()) {
        for (const auto &member : it->value.GetObject()) each_index(member.value, view_of(member.name));
    }
}

// The keys of the object member `name`: the users or devices a 429 body names.
std::unordered_set<std::string_view> keys_of(const Value &body, const char *name)
{
    std::unordered_set<std::string_view> keys;
    const auto it = body.FindMember(name);
    if (it != body.MemberEnd() && it->value.IsObject()) {
        for (const auto &member : it->value.GetObject()) keys.insert(view_of(member.name));
    }
    return keys;
}

std::string status_text(long status)
{
    return "Amplitude answered " + std::to_string(status);
}

Verdict whole(Outcome outcome, std::string reason)
{
    return Verdict{outcome, std::move(reason), {}, {}};
}

// A label from the body, short enough for a 128-byte event reason.
std::string label(std::string_view text)
{
    return std::string(text.substr(0, 48));
}

Verdict classify_bad_request(const rapidjson::Document &body, std::span<const SentIdentity> events,
                             std::string_view api_key, std::string_view raw)
{
    if (!body.IsObject()) return whole(Outcome::split, status_text(400) + ": " + loggable_body(raw, api_key, 200));
    // Cut and cleaned: the body is the provider's (or a proxy's) and may be anything.
    const std::string error = loggable_body(string_member(body, "error"), api_key, 200);
    if (const auto missing = body.FindMember("missing_field");
        missing != body.MemberEnd() && !missing->value.IsNull()) {
        const std::string field =
            missing->value.IsString() ? label(redact(view_of(missing->value), api_key)) : "a field";
        return whole(Outcome::fatal, status_text(400) + ": the request lacks " + field + " (" + error + ")");
    }
    // Amplitude answers a bad key with 400 "Invalid API key: <key>", never 401.
    if (error.starts_with("Invalid API key")) {
        return whole(Outcome::fatal, status_text(400) + " Invalid API key: check AMPLITUDE_API_KEY");
    }
    if (error.starts_with("Invalid request path")) {
        return whole(Outcome::fatal, status_text(400) + " Invalid request path: check AMPLITUDE_ENDPOINT");
    }

    Verdict verdict{Outcome::per_event,
                    {},
                    std::vector<EventAction>(events.size(), EventAction::retry),
                    std::vector<std::string>(events.size())};
    std::size_t rejected = 0;
    const auto reject = [&](std::string why) {
        return [&, why](std::size_t i, std::string_view field) {
            if (verdict.actions[i] == EventAction::reject) return;
            verdict.actions[i] = EventAction::reject;
            // The field name comes from the body: redact before cutting, so no key survives.
            verdict.reasons[i] = "Amplitude 400: " + why + (field.empty() ? "" : " " + label(redact(field, api_key)));
            ++rejected;
        };
    };
    for_each_listed(body, "events_with_invalid_fields", events.size(), reject("invalid"));
    for_each_listed(body, "events_with_missing_fields", events.size(), reject("missing"));
    for_each_listed(body, "events_with_invalid_id_lengths", events.size(), reject("shorter than min_id_length:"));
    for_each_listed(body, "silenced_events", events.size(), reject("device silenced"));
    std::size_t throttled = 0;
    for_each_listed(body, "throttled_events", events.size(), [&](std::size_t i, std::string_view) {
        if (verdict.actions[i] != EventAction::retry) return;
        verdict.actions[i] = EventAction::throttle;
        ++throttled;
    });
    // A 400 that names no event: halving finds the culprits.
    if (rejected == 0 && throttled == 0) return whole(Outcome::split, status_text(400) + " " + error);
    verdict.reason = status_text(400) + " " + error + ": " + std::to_string(rejected) + " of " +
                     std::to_string(events.size()) + " events rejected";
    return verdict;
}

Verdict classify_throttled(const rapidjson::Document &body, std::span<const SentIdentity> events)
{
    if (!body.IsObject()) return whole(Outcome::throttled, status_text(429));
    Verdict verdict{Outcome::per_event,
                    {},
                    std::vector<EventAction>(events.size(), EventAction::resend),
                    std::vector<std::string>(events.size())};
    const auto quota_users = keys_of(body, "exceeded_daily_quota_users");
    const auto quota_devices = keys_of(body, "exceeded_daily_quota_devices");
    std::size_t rejected = 0, throttled = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const SentIdentity &event = events[i];
        const bool user_over = !event.user_id.empty() && quota_users.contains(event.user_id);
        const bool device_over = !event.device_id.empty() && quota_devices.contains(event.device_id);
        if (!user_over && !device_over) continue;
        verdict.actions[i] = EventAction::reject;
        verdict.reasons[i] =
            user_over ? "Amplitude 429: user over its daily quota" : "Amplitude 429: device over its daily quota";
        ++rejected;
    }
    const auto throttle = [&](std::size_t i) {
        if (verdict.actions[i] != EventAction::resend) return;
        verdict.actions[i] = EventAction::throttle;
        ++throttled;
    };
    const bool lists_events = body.HasMember("throttled_events");
    for_each_listed(body, "throttled_events", events.size(), [&](std::size_t i, std::string_view) { throttle(i); });
    if (!lists_events) {
        // Without throttled_events, the throttled users and devices say which events wait.
        const auto users = keys_of(body, "throttled_users");
        const auto devices = keys_of(body, "throttled_devices");
        for (std::size_t i = 0; i < events.size(); ++i) {
            if ((!events[i].user_id.empty() && users.contains(events[i].user_id)) ||
                (!events[i].device_id.empty() && devices.contains(events[i].device_id))) {
                throttle(i);
            }
        }
    }
    if (rejected == 0 && throttled == 0) return whole(Outcome::throttled, status_text(429));
    verdict.reason = status_text(429) + ": " + std::to_string(throttled) + " throttled, " + std::to_string(rejected) +
                     " over daily quota, of " + std::to_string(events.size()) + " events";
    return verdict;
}

}  // namespace

std::string redact(std::string_view text, std::string_view secret)
{
    std::string out(text);
    if (secret.empty()) return out;
    constexpr std::string_view marker = "[redacted]";
    // Search on after the marker: a secret inside "[redacted]" would otherwise loop forever.
    for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + marker.size())) {
        out.replace(at, secret.size(), marker);
    }
    return out;
}

std::string loggable_body(std::string_view body, std::string_view secret, std::size_t max_bytes)
{
    std::string out = redact(body, secret);
    for (char &c : out) {
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    if (out.size() > max_bytes) {
        // Back up to a UTF-8 boundary so the log line stays valid text.
        std::size_t cut = max_bytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
        out += "…";
    }
    return out;
}

Verdict classify_response(const HttpReply &reply, std::span<const SentIdentity> events, std::string_view api_key)
{
    const long status = reply.status;
    if (status == 0) {
        return whole(Outcome::retry, "no answer from Amplitude: " + loggable_body(reply.transport_error, api_key, 200));
    }
    if (status >= 200 && status < 300) return whole(Outcome::delivered, status_text(status));
    if (status >= 500 || status == 408) {
        return whole(Outcome::retry, status_text(status) + ": " + loggable_body(reply.body, api_key, 200));
    }
    if (status == 413) return whole(Outcome::split, status_text(413) + " Payload too large");
    if (status == 401) return whole(Outcome::fatal, status_text(401) + " Unauthorized: check AMPLITUDE_API_KEY");
    if (status == 404) return whole(Outcome::fatal, status_text(404) + " Not Found: check AMPLITUDE_ENDPOINT");
    if (status == 400 || status == 429) {
        rapidjson::Document body;
        body.Parse(reply.body.data(), reply.body.size());
        if (body.HasParseError()) body.SetNull();
        if (status == 429) return classify_throttled(body, events);
        return classify_bad_request(body, events, api_key, reply.body);
    }
    if (status >= 400) {
        // 403 is Amplitude's firewall: the same request would be refused again.
        return whole(Outcome::rejected, status_text(status) + ": " + loggable_body(reply.body, api_key, 200));
    }
    return whole(Outcome::retry, status_text(status) + ": " + loggable_body(reply.body, api_key, 200));
}

// ---- Transport -----------------------------------------------------------------

namespace {

struct CurlHandleDeleter {
    void operator()(CURL *handle) const { curl_easy_cleanup(handle); }
};
struct CurlListDeleter {
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};

// libcurl's process-wide set-up, reference-counted by libcurl itself.
class CurlGlobal {
public:
    CurlGlobal()
    {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("libcurl initialisation failed");
        }
    }
    ~CurlGlobal() { curl_global_cleanup(); }
    CurlGlobal(const CurlGlobal &) = delete;
    CurlGlobal &operator=(const CurlGlobal &) = delete;
};

std::size_t append_reply(char *data, std::size_t size, std::size_t count, void *context)
{
    auto *body = static_cast<std::string *>(context);
    const std::size_t bytes = size * count;
    if (body->size() < max_reply_bytes) body->append(data, std::min(bytes, max_reply_bytes - body->size()));
    return bytes;  // the rest of an oversized body is read and discarded
}

template <typename T>
void set_option(CURL *handle, CURLoption option, T value)
{
    const CURLcode code = curl_easy_setopt(handle, option, value);
    if (code != CURLE_OK) throw std::runtime_error(std::string("libcurl option refused: ") + curl_easy_strerror(code));
}

}  // namespace

struct AmplitudeClient::State {
    CurlGlobal global;  // first in, last out
    std::unique_ptr<CURL, CurlHandleDeleter> handle;
    std::unique_ptr<curl_slist, CurlListDeleter> headers;
    std::string url;
    std::string reply_body;
    char error[CURL_ERROR_SIZE] = {};
};

AmplitudeClient::AmplitudeClient(std::string url, std::chrono::milliseconds connect_timeout)
    : state_(std::make_unique<State>())
{
    State &s = *state_;
    s.url = std::move(url);
    s.handle.reset(curl_easy_init());
    if (!s.handle) throw std::runtime_error("libcurl could not create a handle");
    // An empty Expect: stops libcurl from waiting for "100 Continue" before large bodies.
    for (const char *header : {"Content-Type: application/json", "Accept: application/json", "Expect:"}) {
        curl_slist *grown = curl_slist_append(s.headers.get(), header);
        if (grown == nullptr) throw std::runtime_error("libcurl could not build the request headers");
        static_cast<void>(s.headers.release());
        s.headers.reset(grown);
    }
    CURL *h = s.handle.get();
    set_option(h, CURLOPT_URL, s.url.c_str());
    set_option(h, CURLOPT_PROTOCOLS_STR, "http,https");
    set_option(h, CURLOPT_POST, 1L);
    set_option(h, CURLOPT_HTTPHEADER, s.headers.get());
    set_option(h, CURLOPT_USERAGENT, "productgraphd-amplitude/1.0.0");
    set_option(h, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: the host owns signals
    set_option(h, CURLOPT_SSL_VERIFYPEER, 1L);
    set_option(h, CURLOPT_SSL_VERIFYHOST, 2L);
    set_option(h, CURLOPT_FOLLOWLOCATION, 0L);
    set_option(h, CURLOPT_TCP_KEEPALIVE, 1L);
    set_option(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
    set_option(h, CURLOPT_WRITEFUNCTION, append_reply);
    set_option(h, CURLOPT_WRITEDATA, static_cast<void *>(&s.reply_body));
    set_option(h, CURLOPT_ERRORBUFFER, s.error);
}

AmplitudeClient::~AmplitudeClient() = default;

HttpReply AmplitudeClient::post(const std::string &body, std::chrono::milliseconds timeout)
{
    State &s = *state_;
    CURL *h = s.handle.get();
    s.reply_body.clear();
    s.error[0] = '\0';
    set_option(h, CURLOPT_POSTFIELDS, body.data());
    set_option(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    set_option(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<std::int64_t>(timeout.count(), 1)));

    HttpReply reply;
    const CURLcode code = curl_easy_perform(h);
    curl_off_t micros = 0;
    if (curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &micros) == CURLE_OK) {
        reply.latency = std::chrono::milliseconds(micros / 1000);
    }
    if (code != CURLE_OK) {
        reply.transport_error = s.error[0] != '\0' ? std::string(s.error) : std::string(curl_easy_strerror(code));
        return reply;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    reply.status = status;
    reply.body = std::move(s.reply_body);
    s.reply_body = std::string();
    return reply;
}

}  // namespace productgraph::amplitude
