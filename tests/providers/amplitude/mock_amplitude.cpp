// The mock Amplitude server: a Pistache handler (not the Router) that validates, answers and records.
#include "mock_amplitude.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace productgraph::amplitude::testing {

using namespace Pistache;

struct MockAmplitude::State {
    explicit State(Options o) : options(std::move(o)) {}

    const Options options;
    mutable std::mutex mutex;
    std::condition_variable wake;  // ends delayed replies early at shutdown
    bool stopping = false;
    std::deque<Script> scripts;
    std::vector<ReceivedRequest> requests;
    std::vector<AcceptedEvent> accepted;
    std::vector<std::thread> delayed;
};

namespace {

using rapidjson::Value;

std::int64_t unix_ms()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string index_list(const std::vector<std::size_t> &indexes)
{
    std::string out = "[";
    for (std::size_t k = 0; k < indexes.size(); ++k) out += (k ? "," : "") + std::to_string(indexes[k]);
    return out + "]";
}

std::string json_string(std::string_view text)
{
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return buffer.GetString();
}

std::string compact(const Value &value)
{
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::size_t characters(std::string_view text)
{
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool has_long_string(const Value &value)
{
    if (value.IsString()) return characters({value.GetString(), value.GetStringLength()}) > 1024;
    if (value.IsArray()) {
        return std::any_of(value.Begin(), value.End(), [](const Value &v) { return has_long_string(v); });
    }
    if (value.IsObject()) {
        for (const auto &member : value.GetObject()) {
            if (has_long_string(member.value)) return true;
        }
    }
    return false;
}

bool is_placeholder(std::string_view id)
{
    static constexpr std::array<std::string_view, 15> placeholders = {
        "anonymous", "nil",       "none",    "null", "n/a",
        "na",        "undefined", "unknown", "\"\"", "\"\"\"\"",
        "{}",        "lmy47d",    "0",       "-1",   "00000000-0000-0000-0000-000000000000"};
    return std::any_of(placeholders.begin(), placeholders.end(), [&](std::string_view p) {
        return p.size() == id.size() && std::equal(p.begin(), p.end(), id.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
               });
    });
}

CannedReply bad_request(std::string error)
{
    return {400, R"({"code":400,"error":)" + json_string(error) + "}", {}};
}

CannedReply missing(std::string field)
{
    return {
        400, R"({"code":400,"error":"Request missing required field","missing_field":)" + json_string(field) + "}", {}};
}

CannedReply too_large()
{
    return {413, R"({"code":413,"error":"Payload too large"})", {}};
}

using FieldIndexes = std::map<std::string, std::vector<std::size_t>>;

std::string field_map(const FieldIndexes &fields)
{
    std::string out = "{";
    for (const auto &[field, indexes] : fields) {
        out += (out.size() > 1 ? "," : "") + json_string(field) + ":" + index_list(indexes);
    }
    return out + "}";
}

// The per-event rules of providers.md §1.3; empty maps when the events are fine.
struct EventProblems {
    FieldIndexes invalid, missing, id_lengths;
    bool any() const { return !invalid.empty() || !missing.empty() || !id_lengths.empty(); }
};

void check_event(const Value &event, std::size_t i, std::int64_t min_id_length, EventProblems &problems,
                 ReceivedRequest &seen)
{
    const auto text_of = [&](const char *name) -> std::string {
        const auto it = event.FindMember(name);
        return it != event.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString()) : std::string();
    };
    seen.insert_ids.push_back(event.IsObject() ? text_of("insert_id") : "");
    seen.user_ids.push_back(event.IsObject() ? text_of("user_id") : "");
    seen.device_ids.push_back(event.IsObject() ? text_of("device_id") : "");
    if (!event.IsObject()) {
        problems.invalid["event"].push_back(i);
        return;
    }
    const auto type_error = [&](const char *name, bool (Value::*is)() const) {
        const auto it = event.FindMember(name);
        if (it != event.MemberEnd() && !(it->value.*is)()) problems.invalid[name].push_back(i);
    };
    if (!event.HasMember("event_type")) problems.missing["event_type"].push_back(i);
    type_error("event_type", &Value::IsString);
    type_error("user_id", &Value::IsString);
    type_error("device_id", &Value::IsString);
    type_error("insert_id", &Value::IsString);
    type_error("ip", &Value::IsString);
    type_error("user_agent", &Value::IsString);
    type_error("time", &Value::IsInt64);
    type_error("session_id", &Value::IsInt64);
    type_error("event_properties", &Value::IsObject);
    type_error("user_properties", &Value::IsObject);

    const bool has_user = event.HasMember("user_id"), has_device = event.HasMember("device_id");
    if (!has_user && !has_device) problems.missing["user_id"].push_back(i);
    for (const char *id : {"user_id", "device_id"}) {
        if (!event.HasMember(id) || !event[id].IsString()) continue;
        const std::string value = event[id].GetString();
        if (is_placeholder(value)) {
            problems.invalid[id].push_back(i);
        } else if (static_cast<std::int64_t>(characters(value)) < min_id_length) {
            problems.id_lengths[id].push_back(i);
        }
    }
    for (const auto &member : event.GetObject()) {
        if (has_long_string(member.value)) problems.invalid[member.name.GetString()].push_back(i);
    }
}

// Checks one request like the real API; nullopt when it is valid. Fills `seen` and,
// for a valid request, `events` with each event object as sent.
std::optional<CannedReply> validate(const MockAmplitude::Options &options, const Http::Request &request,
                                    ReceivedRequest &seen, std::vector<std::string> &events)
{
    if (seen.method != "POST" || seen.path != options.path) return bad_request("Invalid request path");
    if (seen.content_type != "application/json") return bad_request("Invalid JSON request body");
    const std::string &body = request.body();
    if (body.empty()) return bad_request("Missing request body");
    if (body.size() >= options.max_body_bytes) return too_large();

    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    if (document.HasParseError() || !document.IsObject()) return bad_request("Invalid JSON request body");
    if (!document.HasMember("api_key") || !document["api_key"].IsString()) return missing("api_key");
    const std::string key = document["api_key"].GetString();
    if (key != options.api_key) return bad_request("Invalid API key: " + key);
    if (!document.HasMember("events") || !document["events"].IsArray() || document["events"].Empty()) {
        return missing("events");
    }
    const Value &list = document["events"];
    if (list.Size() > options.max_events) return too_large();
    if (document.HasMember("options")) {
        const Value &opts = document["options"];
        if (!opts.IsObject()) return bad_request("Invalid JSON request body");
        if (opts.HasMember("min_id_length")) {
            if (!opts["min_id_length"].IsInt64()) return bad_request("Invalid JSON request body");
            seen.min_id_length = opts["min_id_length"].GetInt64();
        }
    }

    EventProblems problems;
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        check_event(list[i], i, seen.min_id_length, problems, seen);
        events.push_back(compact(list[i]));
    }
    if (!problems.any()) return std::nullopt;
    std::string reply = R"({"code":400,"error":"Invalid field values on some events")";
    if (!problems.invalid.empty()) reply += R"(,"events_with_invalid_fields":)" + field_map(problems.invalid);
    if (!problems.missing.empty()) reply += R"(,"events_with_missing_fields":)" + field_map(problems.missing);
    if (!problems.id_lengths.empty()) {
        reply += R"(,"events_with_invalid_id_lengths":)" + field_map(problems.id_lengths);
    }
    return CannedReply{400, reply + "}", {}};
}

void set_connection_header(const Http::Request &request, Http::ResponseWriter &response)
{
    // Pistache 0.0.5 says "Connection: Close" to a request without a Connection header
    // yet keeps the socket open (toolchain.md §3.2); HTTP/1.1 means keep-alive.
    bool close = request.version() == Http::Version::Http10;
    if (const auto connection = request.headers().tryGet<Http::Header::Connection>()) {
        close = connection->control() == Http::ConnectionControl::Close;
    }
    response.headers().remove<Http::Header::Connection>();
    response.headers().add<Http::Header::Connection>(close ? Http::ConnectionControl::Close
                                                           : Http::ConnectionControl::KeepAlive);
}

class Handler : public Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    explicit Handler(std::shared_ptr<MockAmplitude::State> state) : state_(std::move(state)) {}

    void onRequest(const Http::Request &request, Http::ResponseWriter response) override
    {
        try {
            answer(request, std::move(response));
        } catch (...) {
            // A broken mock must show up as a failing test, not as a crashed server.
        }
    }

private:
    void answer(const Http::Request &request, Http::ResponseWriter response)
    {
        ReceivedRequest seen;
        seen.method = Http::methodString(request.method());
        seen.path = request.resource();
        if (const auto type = request.headers().tryGet<Http::Header::ContentType>()) {
            const Http::Mime::MediaType mime = type->mime();
            if (mime.top() == Http::Mime::Type::Application && mime.sub() == Http::Mime::Subtype::Json) {
                seen.content_type = "application/json";
            } else {
                seen.content_type = mime.toString();
            }
        }
        seen.body = request.body();
        seen.peer_port = static_cast<std::uint16_t>(request.address().port());
        seen.at = std::chrono::steady_clock::now();

        std::vector<std::string> events;
        std::optional<CannedReply> reply = state_->options.outage;
        if (!reply) reply = validate(state_->options, request, seen, events);
        bool ingest = false;
        {
            std::lock_guard lock(state_->mutex);
            if (!reply && !state_->scripts.empty()) {
                reply = state_->scripts.front()(seen);
                state_->scripts.pop_front();
            }
            if (!reply) {
                reply = CannedReply{200, {}, {}};
            }
            if (reply->status >= 200 && reply->status < 300 && !events.empty()) {
                ingest = true;
                if (reply->body.empty()) {
                    reply->body = R"({"code":200,"events_ingested":)" + std::to_string(events.size()) +
                                  R"(,"payload_size_bytes":)" + std::to_string(seen.body.size()) +
                                  R"(,"server_upload_time":)" + std::to_string(unix_ms()) + "}";
                }
            }
            seen.status = reply->status;
            seen.reply = reply->body;
            if (ingest && reply->delay.count() == 0) record(seen, events);
            state_->requests.push_back(seen);
        }

        set_connection_header(request, response);
        if (reply->delay.count() == 0) {
            response.send(static_cast<Http::Code>(reply->status), reply->body, MIME(Application, Json));
            return;
        }
        // A slow server: answer from another thread so the server keeps serving.
        std::lock_guard lock(state_->mutex);
        state_->delayed.emplace_back(
            [state = state_, canned = *reply, seen, events, ingest, writer = std::move(response)]() mutable {
                {
                    std::unique_lock wait(state->mutex);
                    if (state->wake.wait_for(wait, canned.delay, [&] { return state->stopping; })) return;
                    if (ingest) record(*state, seen, events);
                }
                writer.send(static_cast<Http::Code>(canned.status), canned.body, MIME(Application, Json));
            });
    }

    void record(const ReceivedRequest &seen, const std::vector<std::string> &events) { record(*state_, seen, events); }

    static void record(MockAmplitude::State &state, const ReceivedRequest &seen, const std::vector<std::string> &events)
    {
        const auto now = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < events.size(); ++i) {
            state.accepted.push_back(AcceptedEvent{seen.insert_ids[i], events[i], now});
        }
    }

    std::shared_ptr<MockAmplitude::State> state_;
};

// The users or devices of the request events at `indexes`, as a JSON object of counts.
std::string id_counts(const std::vector<std::string> &ids, const std::vector<std::size_t> &indexes, int count)
{
    std::string out = "{";
    for (const std::size_t i : indexes) {
        if (i >= ids.size() || ids[i].empty()) continue;
        out += (out.size() > 1 ? "," : "") + json_string(ids[i]) + ":" + std::to_string(count);
    }
    return out + "}";
}

// The devices of the request events at `indexes`, as a JSON array.
std::string device_list(const std::vector<std::string> &ids, const std::vector<std::size_t> &indexes)
{
    std::string out = "[";
    for (const std::size_t i : indexes) {
        if (i >= ids.size() || ids[i].empty()) continue;
        out += (out.size() > 1 ? "," : "") + json_string(ids[i]);
    }
    return out + "]";
}

}  // namespace

namespace replies {

Script status(int code, std::string body)
{
    return [code, body](const ReceivedRequest &) { return CannedReply{code, body, {}}; };
}

Script server_error(int code)
{
    return status(code, R"({"code":)" + std::to_string(code) + R"(,"error":"Internal server error"})");
}

Script payload_too_large()
{
    return status(413, R"({"code":413,"error":"Payload too large"})");
}

Script forbidden()
{
    return status(403, R"({"code":403,"error":"Forbidden"})");
}

Script missing_field(std::string field)
{
    return status(400, R"({"code":400,"error":"Request missing required field","missing_field":)" + json_string(field) +
                           "}");
}

Script invalid_fields(std::string field, std::vector<std::size_t> indexes)
{
    return status(400, R"({"code":400,"error":"Invalid field values on some events","events_with_invalid_fields":{)" +
                           json_string(field) + ":" + index_list(indexes) + "}}");
}

Script silenced(std::vector<std::size_t> indexes)
{
    return [indexes](const ReceivedRequest &request) {
        return CannedReply{400,
                           R"({"code":400,"error":"Events silenced for device_id","eps_threshold":100,)"
                           R"("silenced_devices":)" +
                               device_list(request.device_ids, indexes) + R"(,"silenced_events":)" +
                               index_list(indexes) + "}",
                           {}};
    };
}

Script throttled(std::vector<std::size_t> throttled, std::vector<std::size_t> quota_devices,
                 std::vector<std::size_t> quota_users)
{
    return [=](const ReceivedRequest &request) {
        std::string body = R"({"code":429,"error":"Too many requests for some devices and users","eps_threshold":30)";
        body += R"(,"throttled_devices":)" + id_counts(request.device_ids, throttled, 31);
        body += R"(,"throttled_users":)" + id_counts(request.user_ids, throttled, 32);
        body += R"(,"throttled_events":)" + index_list(throttled);
        body += R"(,"exceeded_daily_quota_users":)" + id_counts(request.user_ids, quota_users, 500200);
        body += R"(,"exceeded_daily_quota_devices":)" + id_counts(request.device_ids, quota_devices, 500900);
        return CannedReply{429, body + "}", {}};
    };
}

Script throttled_without_body()
{
    return status(429, "<html><body>Too Many Requests</body></html>");
}

Script slow_success(std::chrono::milliseconds delay)
{
    return [delay](const ReceivedRequest &) { return CannedReply{200, {}, delay}; };
}

}  // namespace replies

struct MockAmplitude::Server {
    std::unique_ptr<Http::Endpoint> endpoint;
};

MockAmplitude::MockAmplitude() : MockAmplitude(Options{}) {}

MockAmplitude::MockAmplitude(Options options)
    : state_(std::make_shared<State>(std::move(options))), server_(std::make_unique<Server>())
{
    server_->endpoint = std::make_unique<Http::Endpoint>(Address(Ipv4::loopback(), Port(0)));
    // Pistache's own limit covers headers and body and defaults to 4 KB; leave room so
    // that the mock's handler, not Pistache, answers an oversized body.
    auto endpoint_options = Http::Endpoint::options()
                                .threads(2)
                                .flags(Tcp::Options::ReuseAddr)
                                .maxRequestSize(2 * state_->options.max_body_bytes + 64 * 1024);
    server_->endpoint->init(endpoint_options);
    server_->endpoint->setHandler(Http::make_handler<Handler>(state_));
    server_->endpoint->serveThreaded();
}

MockAmplitude::~MockAmplitude()
{
    // Delayed replies still waiting give up; one started after this sees `stopping` at once.
    const auto join_delayed = [this] {
        std::vector<std::thread> delayed;
        {
            std::lock_guard lock(state_->mutex);
            state_->stopping = true;
            state_->wake.notify_all();
            delayed.swap(state_->delayed);
        }
        for (std::thread &thread : delayed) thread.join();
    };
    join_delayed();
    server_->endpoint->shutdown();
    join_delayed();
}

std::uint16_t MockAmplitude::port() const
{
    return static_cast<std::uint16_t>(server_->endpoint->getPort());
}

std::string MockAmplitude::url() const
{
    return "http://127.0.0.1:" + std::to_string(port()) + state_->options.path;
}

void MockAmplitude::then(Script reply)
{
    std::lock_guard lock(state_->mutex);
    state_->scripts.push_back(std::move(reply));
}

std::size_t MockAmplitude::scripts_left() const
{
    std::lock_guard lock(state_->mutex);
    return state_->scripts.size();
}

std::vector<ReceivedRequest> MockAmplitude::requests() const
{
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::vector<AcceptedEvent> MockAmplitude::accepted() const
{
    std::lock_guard lock(state_->mutex);
    return state_->accepted;
}

std::vector<std::string> MockAmplitude::accepted_ids() const
{
    std::vector<std::string> ids;
    for (const AcceptedEvent &event : accepted()) ids.push_back(event.insert_id);
    return ids;
}

std::optional<AcceptedEvent> MockAmplitude::find(const std::string &insert_id) const
{
    for (const AcceptedEvent &event : accepted()) {
        if (event.insert_id == insert_id) return event;
    }
    return std::nullopt;
}

}  // namespace productgraph::amplitude::testing
