// The host side of every ABI call: builds the host table, redacts secrets from what
// a plugin says, turns the plugin's buffers into C++ values, and stands between the
// daemon and a plugin that throws or crashes.
#include "plugin_host/plugin_instance.hpp"

#include <dlfcn.h>

#include <array>
#include <chrono>
#include <cstring>
#include <exception>

#include "common/json_text.hpp"
#include "common/log.hpp"

namespace productgraph::plugin_host {
namespace {

int64_t now_unix_ms(void *)
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t monotonic_ms(void *)
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

common::LogLevel to_level(int32_t level)
{
    switch (level) {
    case PGRAPH_LOG_DEBUG: return common::LogLevel::debug;
    case PGRAPH_LOG_WARN: return common::LogLevel::warn;
    case PGRAPH_LOG_ERROR: return common::LogLevel::error;
    default: return common::LogLevel::info;
    }
}

int32_t log_enabled(void *, int32_t level)
{
    return common::log_enabled(to_level(level)) ? 1 : 0;
}

// The body handle_request builds, stopped at the cap (the rest is not even copied).
struct AnswerSink {
    std::string body;
    bool too_large = false;
};

void append_response_body(void *context, const char *data, size_t len) noexcept
{
    auto &sink = *static_cast<AnswerSink *>(context);
    if (data == nullptr || len == 0 || sink.too_large) return;
    if (len > max_plugin_answer_bytes - sink.body.size()) {
        sink.too_large = true;
        sink.body.clear();
        return;
    }
    try {
        sink.body.append(data, len);
    } catch (...) {  // out of memory: answered as too large, never thrown into the plugin
        sink.too_large = true;
        sink.body.clear();
    }
}

// The file the plugin was loaded from, found through its descriptor's address.
std::filesystem::path plugin_file_of(const pgraph_publisher_descriptor &descriptor)
{
    Dl_info info{};
    if (dladdr(&descriptor, &info) == 0 || info.dli_fname == nullptr) return {};
    return info.dli_fname;
}

// This plugin's crash record from a previous run, if it still applies. A record for
// other bytes than these (the plugin was replaced) is removed.
std::optional<CrashRecord> previous_crash(std::string_view plugin, const std::string &identity)
{
    if (crash_marker_directory().empty()) return std::nullopt;
    for (CrashRecord &record : read_crash_records(crash_marker_directory())) {
        if (record.plugin != plugin) continue;
        if (record.file_identity == identity) return std::move(record);
        std::error_code ignored;
        std::filesystem::remove(record.record, ignored);
        common::log_info("the plugin file changed since it crashed; running it again",
                         {{"plugin", plugin}, {"crashed_in", record.call}});
    }
    return std::nullopt;
}

void copy_message(pgraph_publish_result &result, std::string_view text)
{
    if (result.message == nullptr || result.message_capacity == 0) return;
    const size_t n = std::min(text.size(), result.message_capacity - 1);
    std::memcpy(result.message, text.data(), n);
    result.message[n] = '\0';
}

}  // namespace

std::string_view call_name(PluginCall call)
{
    switch (call) {
    case PluginCall::create: return "create";
    case PluginCall::publish: return "publish";
    case PluginCall::flush: return "flush";
    case PluginCall::destroy: return "destroy";
    case PluginCall::handle_request: return "handle_request";
    case PluginCall::verify: return "verify";
    }
    return "a plugin call";
}

std::string redact_secrets(std::string_view text, const std::vector<std::string> &secrets)
{
    std::string out(text);
    for (const std::string &secret : secrets) {
        if (secret.empty()) continue;
        // Searching on after the replacement: a secret that occurs inside "[redacted]"
        // would otherwise be found in it forever.
        constexpr std::string_view replacement = "[redacted]";
        for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + replacement.size())) {
            out.replace(at, secret.size(), replacement);
        }
    }
    return out;
}

PluginInstance::PluginInstance(const pgraph_publisher_descriptor &descriptor, std::vector<std::string> secrets,
                               const std::filesystem::path &file, const std::string &identity)
    : descriptor_(descriptor), secrets_(std::move(secrets)),
      host_context_(std::make_unique<HostContext>(HostContext{descriptor.name, this}))
{
    host_.struct_size = sizeof host_;
    host_.abi_minor = PGRAPH_ABI_MINOR;
    host_.context = host_context_.get();
    // Host functions are called from plugin code: nothing may be thrown back into it.
    host_.log = [](void *context, int32_t level, const char *msg, size_t len) noexcept {
        try {
            const auto *host = static_cast<HostContext *>(context);
            if (!common::log_enabled(to_level(level))) return;
            const std::string text = host->owner->redact(std::string_view(msg, msg != nullptr ? len : 0));
            common::log(to_level(level), text, {{"plugin", host->plugin_name}});
        } catch (...) {  // a lost log line beats an exception inside the plugin
        }
    };
    host_.log_enabled = log_enabled;
    host_.now_unix_ms = now_unix_ms;
    host_.monotonic_ms = monotonic_ms;
    for (size_t i = 0; i < plugin_call_kinds; ++i) {
        crash_notes_[i] = CrashNote(descriptor.name, call_name(static_cast<PluginCall>(i)), file, identity);
    }
}

template <typename Body>
bool PluginInstance::guarded(PluginCall call, Body &&body) noexcept
{
    const ActivePluginCall active(crash_notes_[static_cast<size_t>(call)]);
    try {
        body();
        return true;
    } catch (const std::exception &error) {
        record_fault(std::string(call_name(call)) + " threw an exception: " + error.what());
    } catch (...) {
        record_fault(std::string(call_name(call)) + " threw an exception that is not a std::exception");
    }
    return false;
}

void PluginInstance::record_fault(std::string reason)
{
    faulted_.store(true);
    try {
        reason = redact(reason);
        std::function<void(const std::string &)> listener;
        {
            std::lock_guard lock(fault_mutex_);
            if (fault_) return;
            fault_ = reason;
            listener = fault_listener_;
        }
        common::log_error("a plugin let an exception out; it is marked failed and called no more (the daemon goes on)",
                          {{"plugin", name()}, {"reason", reason}});
        if (listener) listener(reason);
    } catch (...) {  // out of memory while reporting: the instance stays faulted
    }
}

std::optional<std::string> PluginInstance::fault() const
{
    std::lock_guard lock(fault_mutex_);
    return fault_;
}

void PluginInstance::set_fault_listener(std::function<void(const std::string &)> listener)
{
    std::lock_guard lock(fault_mutex_);
    fault_listener_ = std::move(listener);
}

common::Result<std::unique_ptr<PluginInstance>> PluginInstance::create(const pgraph_publisher_descriptor &descriptor,
                                                                       const PluginSettings &settings,
                                                                       const PluginOrigin &origin)
{
    const std::filesystem::path file = origin.file.empty() ? plugin_file_of(descriptor) : origin.file;
    const std::string identity = origin.fingerprint.empty() ? file_identity(file) : origin.fingerprint;
    std::unique_ptr<PluginInstance> plugin(new PluginInstance(descriptor, settings.secret_values, file, identity));
    const std::optional<CrashRecord> crash = previous_crash(descriptor.name, identity);
    if (crash && crash->call == call_name(PluginCall::create)) return common::fail(describe_crash(*crash));

    std::vector<pgraph_config_entry> config;
    config.reserve(settings.values.size());
    for (const auto &[name, value] : settings.values) {
        config.push_back(pgraph_config_entry{
            sizeof(pgraph_config_entry), 0, {name.data(), name.size()}, {value.data(), value.size()}});
    }
    pgraph_create_args args{};
    args.struct_size = sizeof args;
    args.host = &plugin->host_;
    args.config = config.data();
    args.config_count = config.size();
    args.config_entry_size = sizeof(pgraph_config_entry);

    std::array<char, 512> error{};
    void *instance = nullptr;
    pgraph_status status = PGRAPH_FATAL;
    if (!plugin->guarded(PluginCall::create,
                         [&] { status = descriptor.create(&args, &instance, error.data(), error.size()); })) {
        return common::fail(*plugin->fault());  // what `instance` holds now is unknown: leaked
    }
    if (status != PGRAPH_OK || instance == nullptr) {
        error.back() = '\0';
        const std::string reason = error[0] != '\0' ? plugin->redact(error.data()) : "no reason given";
        if (instance != nullptr) plugin->guarded(PluginCall::destroy, [&] { descriptor.destroy(instance); });
        return common::fail("create failed (status " + std::to_string(status) + "): " + reason);
    }
    plugin->instance_ = instance;
    if (crash) {
        // Created, so that it keeps its queue cursor and its events, but never fed.
        const std::string reason = describe_crash(*crash);
        common::log_error("plugin kept off: it crashed during the previous run",
                          {{"plugin", descriptor.name}, {"reason", reason}});
        std::lock_guard lock(plugin->fault_mutex_);
        plugin->fault_ = reason;
        plugin->faulted_.store(true);
    }
    return plugin;
}

PluginInstance::~PluginInstance()
{
    if (instance_ == nullptr || abandoned_.load()) return;
    guarded(PluginCall::destroy, [&] { descriptor_.destroy(instance_); });
}

pgraph_status PluginInstance::publish(const pgraph_batch &batch, pgraph_publish_result &result)
{
    pgraph_status status = PGRAPH_FATAL;
    if (!faulted_.load() &&
        guarded(PluginCall::publish, [&] { status = descriptor_.publish(instance_, &batch, &result); })) {
        return status;
    }
    copy_message(result, fault().value_or("plugin faulted"));
    return PGRAPH_FATAL;
}

pgraph_status PluginInstance::flush(int64_t deadline_unix_ms)
{
    if (descriptor_.flush == nullptr) return PGRAPH_OK;
    pgraph_status status = PGRAPH_FATAL;
    if (faulted_.load() ||
        !guarded(PluginCall::flush, [&] { status = descriptor_.flush(instance_, deadline_unix_ms); })) {
        return PGRAPH_FATAL;
    }
    return status;
}

std::optional<PluginResponse> PluginInstance::handle_request(std::string_view path, std::string_view query)
{
    if (descriptor_.handle_request == nullptr || instance_ == nullptr) return std::nullopt;
    const auto error = [&](int status, std::string_view message) {
        return PluginResponse{status, "application/json", "{\"error\":" + common::json_string(message) + "}"};
    };
    if (faulted_.load()) return error(503, "plugin " + std::string(name()) + " has failed; see GET /v1/plugins");
    pgraph_request request{};
    request.struct_size = sizeof request;
    request.method = {"GET", 3};
    request.path = {path.data(), path.size()};
    request.query = {query.data(), query.size()};
    AnswerSink answer;
    pgraph_response sink{};
    sink.struct_size = sizeof sink;
    sink.status = 200;
    sink.content_type = nullptr;
    sink.context = &answer;
    sink.append_body = append_response_body;
    if (!guarded(PluginCall::handle_request, [&] { descriptor_.handle_request(instance_, &request, &sink); })) {
        // The exception's text goes to the log and /v1/plugins, never into a 5xx body.
        return error(500, "plugin " + std::string(name()) + " failed while answering");
    }
    if (answer.too_large) {
        common::log_warn("plugin answer over the cap refused with 502",
                         {{"plugin", name()}, {"path", path}, {"max_bytes", max_plugin_answer_bytes}});
        return error(502, "plugin " + std::string(name()) + " answered more than " +
                              std::to_string(max_plugin_answer_bytes >> 20) + " MiB");
    }
    PluginResponse response;
    response.status = sink.status;
    if (sink.content_type != nullptr) response.content_type = sink.content_type;
    response.body = redact(answer.body);
    return response;
}

VerifyOutcome PluginInstance::verify(int64_t deadline_unix_ms)
{
    if (!PGRAPH_HAS_FIELD(&descriptor_, pgraph_publisher_descriptor, verify) || descriptor_.verify == nullptr ||
        instance_ == nullptr) {
        return {};
    }
    using Kind = VerifyOutcome::Kind;
    if (faulted_.load()) return {Kind::refused, fault().value_or("plugin faulted")};
    std::array<char, 512> reason{};
    pgraph_status status = PGRAPH_FATAL;
    if (!guarded(PluginCall::verify,
                 [&] { status = descriptor_.verify(instance_, deadline_unix_ms, reason.data(), reason.size()); })) {
        return {Kind::refused, fault().value_or("verify threw")};
    }
    reason.back() = '\0';
    const std::string text = redact(reason.data());
    if (status == PGRAPH_OK) return {};
    if (status == PGRAPH_FATAL) return {Kind::refused, text.empty() ? "credentials refused" : text};
    return {Kind::inconclusive, text.empty() ? "status " + std::to_string(status) : text};
}

common::Result<const pgraph_publisher_descriptor *> call_entry_point(pgraph_publisher_entry_v1_fn entry,
                                                                     const pgraph_negotiation &negotiation)
{
    try {
        return entry(&negotiation);
    } catch (const std::exception &error) {
        return common::fail(std::string("the entry point threw an exception: ") + error.what());
    } catch (...) {
        return common::fail("the entry point threw an exception that is not a std::exception");
    }
}

std::string PluginInstance::redact(std::string_view text) const
{
    return redact_secrets(text, secrets_);
}

}  // namespace productgraph::plugin_host
