// libcurl transport for the Mixpanel plugin, and what Mixpanel's answers mean.
#include "mixpanel_client.hpp"

#include <curl/curl.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <stdexcept>

namespace productgraph::mixpanel {
namespace {

constexpr std::size_t max_kept_body = 64 * 1024;  // Mixpanel's answers are small; a proxy's page may not be
constexpr std::size_t max_reason_detail = 200;

std::string_view trim(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) text.remove_suffix(1);
    return text;
}

std::string string_member(const rapidjson::Value &object, const char *name)
{
    if (!object.IsObject()) return {};
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return {};
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

// The "error" text of a JSON answer, shortened for a log line; empty when there is none.
std::string error_detail(std::string_view body)
{
    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    std::string detail = document.HasParseError() ? std::string() : string_member(document, "error");
    if (detail.size() > max_reason_detail) detail = detail.substr(0, max_reason_detail) + "...";
    return detail;
}

std::string with_detail(std::string reason, std::string_view body)
{
    const std::string detail = error_detail(body);
    if (!detail.empty()) reason += ": " + detail;
    return reason;
}

std::string status_text(long status)
{
    return "HTTP " + std::to_string(status);
}

std::vector<FailedRecord> failed_records(std::string_view body)
{
    std::vector<FailedRecord> records;
    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    if (document.HasParseError() || !document.IsObject()) return records;
    const auto list = document.FindMember("failed_records");
    if (list == document.MemberEnd() || !list->value.IsArray()) return records;
    for (const auto &entry : list->value.GetArray()) {
        if (!entry.IsObject()) continue;
        FailedRecord record;
        const auto index = entry.FindMember("index");
        if (index != entry.MemberEnd() && index->value.IsUint64()) {
            record.index = static_cast<std::size_t>(index->value.GetUint64());
        }
        // The docs' prose says "$insert_id", the OpenAPI schema and the Go SDK "insert_id".
        record.insert_id = string_member(entry, "$insert_id");
        if (record.insert_id.empty()) record.insert_id = string_member(entry, "insert_id");
        record.field = string_member(entry, "field");
        record.message = string_member(entry, "message");
        records.push_back(std::move(record));
    }
    return records;
}

// /track answers 200 even when it kept nothing: "1"/"0", or {"status":1|0,"error":...} with verbose=1.
Classification classify_track_success(const HttpReply &reply)
{
    const std::string_view body = trim(reply.body);
    if (body == "1") return {Verdict::delivered, {}, "HTTP 200"};
    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    if (!document.HasParseError() && document.IsObject()) {
        const auto status = document.FindMember("status");
        if (status != document.MemberEnd() && status->value.IsInt() && status->value.GetInt() == 1) {
            return {Verdict::delivered, {}, "HTTP 200"};
        }
    }
    return {Verdict::rejected, {}, with_detail("Mixpanel /track kept none of the events (HTTP 200, status 0)", body)};
}

// Seconds in a Retry-After header; the HTTP-date form is left to our own backoff.
std::optional<std::int64_t> parse_retry_after(std::string_view line)
{
    constexpr std::string_view name = "retry-after:";
    if (line.size() < name.size()) return std::nullopt;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return std::nullopt;
    }
    const std::string_view value = trim(line.substr(name.size()));
    std::int64_t seconds = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error != std::errc{} || end != value.data() + value.size() || seconds < 0 || seconds > 86400) {
        return std::nullopt;
    }
    return seconds * 1000;
}

struct CurlCleanup {
    void operator()(CURL *curl) const { curl_easy_cleanup(curl); }
};
struct SlistCleanup {
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistCleanup>;

HeaderList make_headers(std::initializer_list<const char *> lines)
{
    HeaderList list;
    for (const char *line : lines) {
        curl_slist *grown = curl_slist_append(list.get(), line);
        if (grown == nullptr) throw std::runtime_error("curl_slist_append failed");
        (void)list.release();  // now owned by `grown`
        list.reset(grown);
    }
    return list;
}

// libcurl's process-wide set-up; thread-safe in the libcurl we require (7.84+), done
// once, and never undone because plugins are never unloaded.
void init_curl_once()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
    });
}

template <typename Value>
void set_option(CURL *curl, CURLoption option, Value value)
{
    if (curl_easy_setopt(curl, option, value) != CURLE_OK) {
        throw std::runtime_error("libcurl refused an option (" + std::to_string(static_cast<int>(option)) + ")");
    }
}

}  // namespace

Classification classify(ApiMode api, const HttpReply &reply)
{
    const long status = reply.status;
    const std::string code = status_text(status);
    auto verdict = [](Verdict kind, std::string reason) { return Classification{kind, {}, std::move(reason)}; };
    if (status == 0) {
        const std::string why = reply.transport_error.empty() ? "transport error" : reply.transport_error;
        return verdict(Verdict::retry, "no answer from Mixpanel: " + why);
    }
    if (status >= 200 && status < 300) {
        return api == ApiMode::track ? classify_track_success(reply) : verdict(Verdict::delivered, code);
    }
    switch (status) {
    case 400:
        if (api == ApiMode::import) {
            std::vector<FailedRecord> failed = failed_records(reply.body);
            if (!failed.empty()) {
                return {Verdict::partially_failed, std::move(failed),
                        with_detail("HTTP 400 with failed_records", reply.body)};
            }
        }
        return verdict(Verdict::rejected, with_detail("Mixpanel refused the request (HTTP 400)", reply.body));
    case 401:
    case 403:
        return verdict(Verdict::fatal, with_detail("Mixpanel refused the credentials (" + code + ")", reply.body));
    case 404:
    case 405:
        return verdict(Verdict::fatal,
                       "the endpoint is not Mixpanel's ingestion API (" + code + "); check MIXPANEL_API_HOST");
    case 408: return verdict(Verdict::retry, "Mixpanel timed out reading the request (HTTP 408)");
    case 413: return verdict(Verdict::too_large, with_detail("request too large (HTTP 413)", reply.body));
    case 429: return verdict(Verdict::retry, with_detail("Mixpanel rate limit (HTTP 429)", reply.body));
    default: break;
    }
    if (status >= 300 && status < 400) {
        return verdict(Verdict::fatal,
                       "Mixpanel answered a redirect (" + code + "); check MIXPANEL_API_HOST and MIXPANEL_REGION");
    }
    if (status >= 500) return verdict(Verdict::retry, with_detail("Mixpanel server error (" + code + ")", reply.body));
    if (status >= 400) {
        return verdict(Verdict::rejected, with_detail("Mixpanel refused the request (" + code + ")", reply.body));
    }
    return verdict(Verdict::retry, "unexpected answer from Mixpanel (" + code + ")");
}

std::string endpoint_path(const MixpanelSettings &settings)
{
    // /track: the request's own IP is ours, so ip=0 stops Mixpanel from using it
    // (providers.md §2.2); verbose=1 makes it say why it kept nothing.
    if (settings.api == ApiMode::track) return "/track?ip=0&verbose=1";
    std::string path = "/import?strict=1";
    if (!settings.project_id.empty()) path += "&project_id=" + settings.project_id;
    return path;
}

struct MixpanelClient::Handles {
    std::unique_ptr<CURL, CurlCleanup> curl;
    HeaderList plain_headers;
    HeaderList gzip_headers;
    std::string username;  // kept alive for libcurl (it copies them too)
    std::string password;
    char error[CURL_ERROR_SIZE] = {};
};

MixpanelClient::MixpanelClient(const MixpanelSettings &settings)
    : handles_(std::make_unique<Handles>()), url_(settings.base_url + endpoint_path(settings)),
      path_(endpoint_path(settings)), timeout_ms_(settings.timeout_ms), connect_timeout_ms_(settings.connect_timeout_ms)
{
    init_curl_once();
    handles_->curl.reset(curl_easy_init());
    CURL *curl = handles_->curl.get();
    if (curl == nullptr) throw std::runtime_error("libcurl could not create a handle");

    // An empty Expect: stops libcurl's 100-continue wait on large bodies.
    handles_->plain_headers = make_headers({"Content-Type: application/json", "Accept: application/json", "Expect:"});
    handles_->gzip_headers = make_headers(
        {"Content-Type: application/json", "Content-Encoding: gzip", "Accept: application/json", "Expect:"});

    set_option(curl, CURLOPT_URL, url_.c_str());
    set_option(curl, CURLOPT_NOSIGNAL, 1L);
    set_option(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    set_option(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    set_option(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    set_option(curl, CURLOPT_FOLLOWLOCATION, 0L);
    set_option(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    set_option(curl, CURLOPT_USERAGENT, "productgraphd-mixpanel/1.0.0");
    set_option(curl, CURLOPT_ERRORBUFFER, handles_->error);
    if (settings.api == ApiMode::import) {
        // Basic auth: the service account (with ?project_id=), else the project token
        // as the user name with an empty password (providers.md §2.2).
        handles_->username = settings.uses_service_account() ? settings.service_account_username : settings.token;
        handles_->password = settings.uses_service_account() ? settings.service_account_secret : std::string();
        set_option(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
        set_option(curl, CURLOPT_USERNAME, handles_->username.c_str());
        set_option(curl, CURLOPT_PASSWORD, handles_->password.c_str());
    }
    using Callback = std::size_t (*)(char *, std::size_t, std::size_t, void *);
    const Callback keep_body = [](char *data, std::size_t size, std::size_t count, void *context) noexcept {
        auto *reply = static_cast<HttpReply *>(context);
        const std::size_t bytes = size * count;
        try {
            if (reply->body.size() < max_kept_body) {
                reply->body.append(data, std::min(bytes, max_kept_body - reply->body.size()));
            }
        } catch (...) {
            return std::size_t{0};  // out of memory: libcurl aborts the transfer
        }
        return bytes;
    };
    const Callback read_header = [](char *data, std::size_t size, std::size_t count, void *context) noexcept {
        auto *reply = static_cast<HttpReply *>(context);
        const std::size_t bytes = size * count;
        if (const auto ms = parse_retry_after(std::string_view(data, bytes))) reply->retry_after_ms = ms;
        return bytes;
    };
    set_option(curl, CURLOPT_WRITEFUNCTION, keep_body);
    set_option(curl, CURLOPT_HEADERFUNCTION, read_header);
}

MixpanelClient::~MixpanelClient() = default;

HttpReply MixpanelClient::post(std::string_view body, bool gzipped, std::int64_t timeout_ms)
{
    HttpReply reply;
    CURL *curl = handles_->curl.get();
    const std::int64_t timeout = std::max<std::int64_t>(1, std::min(timeout_ms, timeout_ms_));
    handles_->error[0] = '\0';
    set_option(curl, CURLOPT_POSTFIELDS, body.data());
    set_option(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    set_option(curl, CURLOPT_HTTPHEADER, gzipped ? handles_->gzip_headers.get() : handles_->plain_headers.get());
    set_option(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout));
    set_option(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(timeout, connect_timeout_ms_)));
    set_option(curl, CURLOPT_WRITEDATA, &reply);
    set_option(curl, CURLOPT_HEADERDATA, &reply);

    const CURLcode code = curl_easy_perform(curl);
    curl_off_t elapsed_us = 0;
    if (curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &elapsed_us) == CURLE_OK) reply.elapsed_ms = elapsed_us / 1000;
    if (code != CURLE_OK) {
        reply.status = 0;
        reply.transport_error = handles_->error[0] != '\0' ? handles_->error : curl_easy_strerror(code);
        return reply;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    reply.status = status;
    return reply;
}

}  // namespace productgraph::mixpanel
