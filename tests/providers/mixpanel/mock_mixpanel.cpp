// The mock Mixpanel: a Pistache handler (no Router) in front of a checker that knows
// the documented rules of /import and /track, written apart from the plugin's own
// code so that a shared mistake cannot hide.
#include "mock_mixpanel.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace productgraph::testing {
namespace {

using namespace Pistache;
using namespace std::chrono;

// Pistache writes only typed headers into responses (toolchain.md §3.5).
class RetryAfter : public Http::Header::Header {
public:
    NAME("Retry-After")
    RetryAfter() = default;
    explicit RetryAfter(int seconds) : seconds_(seconds) {}
    void parse(const std::string &data) override { seconds_ = std::stoi(data); }
    void write(std::ostream &os) const override { os << seconds_; }

private:
    int seconds_ = 0;
};

// providers.md §2.3: refused as distinct_id and as $insert_id.
constexpr std::array<std::string_view, 17> placeholder_ids = {
    "00000000-0000-0000-0000-000000000000",
    "anon",
    "anonymous",
    "nil",
    "none",
    "null",
    "n/a",
    "na",
    "undefined",
    "unknown",
    "<nil>",
    "0",
    "-1",
    "true",
    "false",
    "[]",
    "{}",
};

bool is_placeholder(std::string_view id)
{
    std::string lowered(id);
    for (char &c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::find(placeholder_ids.begin(), placeholder_ids.end(), lowered) != placeholder_ids.end();
}

std::string json_string(std::string_view text)
{
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return buffer.GetString();
}

std::string compact(const rapidjson::Value &value)
{
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return buffer.GetString();
}

std::optional<std::string> gunzip(const std::string &data, std::size_t limit)
{
    z_stream stream{};
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return std::nullopt;
    std::string out;
    std::array<char, 65536> chunk{};
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    int status = Z_OK;
    while (status == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef *>(chunk.data());
        stream.avail_out = static_cast<uInt>(chunk.size());
        status = inflate(&stream, Z_NO_FLUSH);
        out.append(chunk.data(), chunk.size() - stream.avail_out);
        if (out.size() > limit) break;
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END) return std::nullopt;
    return out;
}

std::string decode_base64(std::string_view text)
{
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (const char c : text) {
        if (c == '=') break;
        const std::size_t value = alphabet.find(c);
        if (value == std::string_view::npos) return {};
        bits = (bits << 6) | static_cast<unsigned>(value);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xff);
        }
    }
    return out;
}

// "user:password" from "Basic <base64>"; empty for anything else.
std::string basic_credentials(std::string_view header)
{
    constexpr std::string_view prefix = "Basic ";
    if (!header.starts_with(prefix)) return {};
    return decode_base64(header.substr(prefix.size()));
}

struct EventFailure {
    std::string field;
    std::string message;
};

// One event object against the documented rules; nullopt when it would be ingested.
std::optional<EventFailure> check_event(const rapidjson::Value &event, bool import, const std::string &token)
{
    if (!event.IsObject()) return EventFailure{"event", "must be an object"};
    for (const auto &member : event.GetObject()) {
        const std::string_view key(member.name.GetString(), member.name.GetStringLength());
        if (key != "event" && key != "properties") return EventFailure{std::string(key), "unknown top-level key"};
    }
    const auto name = event.FindMember("event");
    if (name == event.MemberEnd() || !name->value.IsString() || name->value.GetStringLength() == 0) {
        return EventFailure{"event", "'event' must be a non-empty string"};
    }
    const auto properties = event.FindMember("properties");
    if (properties == event.MemberEnd() || !properties->value.IsObject()) {
        return EventFailure{"properties", "'properties' must be an object"};
    }
    const rapidjson::Value &props = properties->value;
    if (props.MemberCount() >= 255) return EventFailure{"properties", "too many properties (255 or more)"};

    const auto time = props.FindMember("time");
    const std::int64_t now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    if (time == props.MemberEnd()) {
        if (import) return EventFailure{"properties.time", "'properties.time' is required"};
    } else if (!time->value.IsInt64()) {
        return EventFailure{"properties.time", "'properties.time' is invalid: must be an integer"};
    } else {
        // Seconds or milliseconds; Mixpanel tells them apart by size.
        const std::int64_t raw = time->value.GetInt64();
        const std::int64_t ms = raw > 100'000'000'000 ? raw : raw * 1000;
        if (ms < 31'536'000'000 || ms > now_ms + 3'600'000) {
            return EventFailure{"properties.time",
                                "'properties.time' is invalid: must be specified as seconds since epoch"};
        }
        if (!import && ms < now_ms - 5 * 86'400'000LL) {
            return EventFailure{"properties.time", "event older than 5 days; use /import"};
        }
    }

    const auto distinct_id = props.FindMember("distinct_id");
    if (distinct_id == props.MemberEnd()) {
        if (import) return EventFailure{"properties.distinct_id", "'properties.distinct_id' is required"};
    } else if (!distinct_id->value.IsString() ||
               is_placeholder({distinct_id->value.GetString(), distinct_id->value.GetStringLength()})) {
        return EventFailure{"properties.distinct_id", "'properties.distinct_id' is invalid"};
    }

    const auto insert_id = props.FindMember("$insert_id");
    if (insert_id == props.MemberEnd()) {
        if (import) return EventFailure{"properties.$insert_id", "'properties.$insert_id' is required"};
    } else {
        const bool is_string = insert_id->value.IsString();
        const std::string_view id =
            is_string ? std::string_view(insert_id->value.GetString(), insert_id->value.GetStringLength())
                      : std::string_view{};
        const bool shape = !id.empty() && id.size() <= 36 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
            return std::isalnum(c) != 0 || c == '-';
        });
        if (!is_string || !shape || is_placeholder(id)) {
            return EventFailure{"properties.$insert_id",
                                "'properties.$insert_id' must be at most 36 characters of [A-Za-z0-9-]"};
        }
    }

    if (!import) {
        const auto sent_token = props.FindMember("token");
        const bool same =
            sent_token != props.MemberEnd() && sent_token->value.IsString() && token == sent_token->value.GetString();
        if (!same) {
            return EventFailure{"properties.token", "missing or wrong project token"};
        }
    }
    return std::nullopt;
}

MixpanelEvent ingested(const std::string &endpoint, const rapidjson::Value &event)
{
    const rapidjson::Value &props = event["properties"];
    MixpanelEvent out;
    out.endpoint = endpoint;
    out.name = event["event"].GetString();
    if (props.HasMember("distinct_id")) out.distinct_id = props["distinct_id"].GetString();
    if (props.HasMember("$insert_id")) out.insert_id = props["$insert_id"].GetString();
    if (props.HasMember("time")) out.time = props["time"].GetInt64();
    out.properties = compact(props);
    return out;
}

std::string documented_body(int status, std::size_t max_bytes)
{
    switch (status) {
    case 401: return R"({"code":401,"error":"Invalid credentials","status":"Unauthorized"})";
    case 403: return R"({"error":"this project may not use this endpoint","status":"error"})";
    case 413:
        return R"({"code":413,"error":"request exceeds max limit of )" + std::to_string(max_bytes) +
               R"( bytes","status":"Request Entity Too Large"})";
    case 429:
        return R"({"code":429,"error":"Project exceeded rate limits. Please retry the request with exponential )"
               R"(backoff.","status":"Too Many Requests"})";
    default: return R"({"error":"mock server error )" + std::to_string(status) + R"("})";
    }
}

std::string bad_request(std::string_view error)
{
    return R"({"code":400,"error":)" + json_string(error) + R"(,"status":"Bad Request"})";
}

}  // namespace

class MockMixpanel::Handler : public Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    explicit Handler(MockMixpanel &mock) : mock_(&mock) {}

    void onRequest(const Http::Request &request, Http::ResponseWriter response) override
    {
        try {
            MixpanelRequest seen;
            seen.method = Http::methodString(request.method());
            seen.path = request.resource();
            const auto &query = request.query();
            for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it) {
                seen.query[it->first] = it->second;
            }
            const auto &headers = request.headers();
            if (const auto auth = headers.tryGet<Http::Header::Authorization>()) {
                seen.authorization = basic_credentials(auth->value());
            } else if (const auto raw = headers.tryGetRaw("Authorization")) {
                seen.authorization = basic_credentials(raw->value());
            }
            if (const auto type = headers.tryGet<Http::Header::ContentType>()) {
                seen.content_type = type->mime().toString();
            }
            std::string encoding;
            if (const auto typed = headers.tryGet<Http::Header::ContentEncoding>()) {
                encoding = typed->encoding() == Http::Header::Encoding::Gzip ? "gzip" : "other";
            } else if (const auto raw = headers.tryGetRaw("Content-Encoding")) {
                encoding = raw->value();
            }
            const Address &peer = request.address();
            seen.peer = peer.host() + ":" + std::to_string(static_cast<uint16_t>(peer.port()));

            const Answer answer = mock_->handle(seen, request.body(), encoding);

            // As core/http does: keep the connection unless the client asked to close it.
            bool close = request.version() == Http::Version::Http10;
            if (const auto connection = headers.tryGet<Http::Header::Connection>()) {
                close = connection->control() == Http::ConnectionControl::Close;
            }
            response.headers().remove<Http::Header::Connection>();
            response.headers().add<Http::Header::Connection>(close ? Http::ConnectionControl::Close
                                                                   : Http::ConnectionControl::KeepAlive);
            if (answer.retry_after_seconds) response.headers().add<RetryAfter>(*answer.retry_after_seconds);
            const bool json = !answer.body.empty() && (answer.body.front() == '{' || answer.body.front() == '[');
            response.send(static_cast<Http::Code>(answer.status), answer.body,
                          json ? MIME(Application, Json) : MIME(Text, Plain));
        } catch (const std::exception &e) {
            response.send(Http::Code::Internal_Server_Error, std::string("mock failure: ") + e.what(),
                          MIME(Text, Plain));
        }
    }

private:
    MockMixpanel *mock_;
};

MockMixpanel::MockMixpanel() : MockMixpanel(Options{}) {}

MockMixpanel::MockMixpanel(Options options) : options_(std::move(options))
{
    endpoint_ = std::make_unique<Http::Endpoint>(Address(IP::loopback(), Port(0)));
    endpoint_->init(
        Http::Endpoint::options().threads(4).flags(Tcp::Options::ReuseAddr).maxRequestSize(64 * 1024 * 1024));
    endpoint_->setHandler(std::make_shared<Handler>(*this));
    endpoint_->serveThreaded();
    port_ = static_cast<uint16_t>(endpoint_->getPort());
}

MockMixpanel::~MockMixpanel()
{
    stop();
}

void MockMixpanel::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        changed_.notify_all();
    }
    if (endpoint_ != nullptr) {
        endpoint_->shutdown();
        endpoint_.reset();
    }
}

std::string MockMixpanel::base_url() const
{
    return "http://127.0.0.1:" + std::to_string(port_);
}

void MockMixpanel::reply_next(const MixpanelReply &reply, int times)
{
    std::lock_guard lock(mutex_);
    for (int i = 0; i < times; ++i) scripts_.push_back(reply);
}

void MockMixpanel::reply_always(const MixpanelReply &reply)
{
    std::lock_guard lock(mutex_);
    always_ = reply;
}

std::optional<MixpanelReply> MockMixpanel::always_reply()
{
    std::lock_guard lock(mutex_);
    return always_;
}

std::optional<MixpanelReply> MockMixpanel::next_script()
{
    std::lock_guard lock(mutex_);
    if (!scripts_.empty()) {
        MixpanelReply reply = scripts_.front();
        scripts_.pop_front();
        return reply;
    }
    return always_;
}

void MockMixpanel::stall(milliseconds how_long)
{
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, how_long, [this] { return stopping_; });
}

std::vector<MixpanelEvent> MockMixpanel::events() const
{
    std::lock_guard lock(mutex_);
    return events_;
}

std::vector<MixpanelRequest> MockMixpanel::requests() const
{
    std::lock_guard lock(mutex_);
    return requests_;
}

std::size_t MockMixpanel::count_insert_id(const std::string &insert_id) const
{
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(),
                                                  [&](const MixpanelEvent &e) { return e.insert_id == insert_id; }));
}

std::vector<std::string> MockMixpanel::problems() const
{
    std::lock_guard lock(mutex_);
    return problems_;
}

bool MockMixpanel::wait_for_events(std::size_t count, milliseconds timeout) const
{
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return events_.size() >= count; });
}

bool MockMixpanel::wait_for_requests(std::size_t count, milliseconds timeout) const
{
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

MockMixpanel::Answer MockMixpanel::handle(MixpanelRequest &seen, const std::string &raw_body,
                                          const std::string &content_encoding)
{
    std::vector<std::string> problems;
    std::vector<MixpanelEvent> accepted;
    auto finish = [&](Answer answer) {
        seen.status = answer.status;
        std::lock_guard lock(mutex_);
        for (std::string &problem : problems) problems_.push_back(seen.path + ": " + std::move(problem));
        for (MixpanelEvent &event : accepted) events_.push_back(std::move(event));
        requests_.push_back(seen);
        changed_.notify_all();
        return answer;
    };
    auto refuse = [&](std::string problem) {
        problems.push_back(problem);
        return finish(Answer{400, bad_request(problem), std::nullopt});
    };

    const bool import = seen.path == "/import";
    if (!import && seen.path != "/track") return finish(Answer{404, R"({"error":"not found"})", std::nullopt});
    if (seen.method != "POST") return refuse("method must be POST, got " + seen.method);

    // Authentication (providers.md §2.2): /import takes HTTP Basic, /track none.
    if (import) {
        const bool service_account = !options_.service_account_username.empty();
        const std::string expected = service_account
                                         ? options_.service_account_username + ":" + options_.service_account_secret
                                         : options_.token + ":";
        const auto project = seen.query.find("project_id");
        const bool project_ok = service_account ? project != seen.query.end() && project->second == options_.project_id
                                                : project == seen.query.end() || project->second == options_.project_id;
        if (seen.authorization != expected || !project_ok) {
            return finish(Answer{401, documented_body(401, options_.max_request_bytes), std::nullopt});
        }
        if (seen.query["strict"] != "1") return refuse("strict=1 is missing from the query");
    } else if (seen.query["verbose"] != "1") {
        return refuse("verbose=1 is missing from the query");
    }

    const std::string media = seen.content_type.substr(0, seen.content_type.find(';'));
    if (media != "application/json" && !(import && media == "application/x-ndjson")) {
        return refuse("Content-Type must be application/json, got \"" + seen.content_type + "\"");
    }
    std::string body = raw_body;
    if (content_encoding == "gzip") {
        seen.gzipped = true;
        auto inflated = gunzip(raw_body, 64 * 1024 * 1024);
        if (!inflated) return refuse("the body is not valid gzip");
        body = std::move(*inflated);
    } else if (!content_encoding.empty()) {
        return refuse("unsupported Content-Encoding \"" + content_encoding + "\"");
    }
    seen.body_bytes = body.size();

    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    if (document.HasParseError() || !document.IsArray()) return refuse("the body must be a JSON array of events");
    const auto list = document.GetArray();
    seen.events = list.Size();
    for (const auto &event : list) {
        const bool has = event.IsObject() && event.HasMember("properties") && event["properties"].IsObject() &&
                         event["properties"].HasMember("$insert_id") && event["properties"]["$insert_id"].IsString();
        seen.insert_ids.push_back(has ? event["properties"]["$insert_id"].GetString() : "");
    }
    if (body.size() > options_.max_request_bytes || list.Size() > options_.max_request_events) {
        return finish(Answer{413, documented_body(413, options_.max_request_bytes), std::nullopt});
    }

    // A request without events (a credential check) leaves the queued scripts to the
    // event requests they were written for; reply_always still answers it.
    const std::optional<MixpanelReply> script = list.Empty() ? always_reply() : next_script();
    if (script && script->stall.count() > 0) stall(script->stall);
    if (script && script->status != 200 && script->status != 400) {
        return finish(Answer{script->status, documented_body(script->status, options_.max_request_bytes),
                             script->retry_after_seconds});
    }

    // Check every event; a scripted 400 adds its indexes to the real failures.
    std::map<std::size_t, EventFailure> failures;
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        if (auto failure = check_event(list[i], import, options_.token)) {
            problems.push_back("event " + std::to_string(i) + ": " + failure->field + ": " + failure->message);
            failures.emplace(i, std::move(*failure));
        }
    }
    if (script && script->status == 400) {
        for (const std::size_t index : script->failing_indexes) {
            failures.emplace(index, EventFailure{"properties.time", "'properties.time' is invalid (scripted)"});
        }
    }
    const bool keep_nothing = script && script->track_status_zero;
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        if (!keep_nothing && !failures.contains(i)) accepted.push_back(ingested(seen.path, list[i]));
    }

    if (!import) {
        if (accepted.empty()) {
            return finish(Answer{200, R"({"status":0,"error":"no valid events in the request"})", std::nullopt});
        }
        return finish(Answer{200, R"({"status":1,"error":null})", std::nullopt});
    }
    if (failures.empty()) {
        return finish(Answer{
            200, R"({"code":200,"num_records_imported":)" + std::to_string(accepted.size()) + R"(,"status":"OK"})",
            std::nullopt});
    }
    // Strict mode: the rows that passed are ingested; the others are listed.
    const bool plain_key = script && script->plain_insert_id_key;
    const bool omit_index = script && script->omit_index;
    std::string records;
    for (const auto &[index, failure] : failures) {
        if (!records.empty()) records += ',';
        records += '{';
        if (!omit_index) records += R"("index":)" + std::to_string(index) + ',';
        const std::string id = index < seen.insert_ids.size() ? seen.insert_ids[index] : std::string();
        records += (plain_key ? R"("insert_id":)" : R"("$insert_id":)") + json_string(id) + ',';
        records += R"("field":)" + json_string(failure.field) + R"(,"message":)" + json_string(failure.message) + '}';
    }
    return finish(
        Answer{400,
               R"({"code":400,"error":"some data points in the request failed validation","num_records_imported":)" +
                   std::to_string(accepted.size()) + R"(,"status":"Bad Request","failed_records":[)" + records + "]}",
               std::nullopt});
}

}  // namespace productgraph::testing
