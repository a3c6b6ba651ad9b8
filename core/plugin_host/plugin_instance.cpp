// The host side of every ABI call: builds the host table, redacts secrets from what
// a plugin says, and turns the plugin's buffers into C++ values.
#include "plugin_host/plugin_instance.hpp"

#include <array>
#include <chrono>
#include <optional>

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

void append_response_body(void *context, const char *data, size_t len)
{
    if (data != nullptr && len > 0) static_cast<std::string *>(context)->append(data, len);
}

}  // namespace

std::string redact_secrets(std::string_view text, const std::vector<std::string> &secrets)
{
    constexpr std::string_view mask = "[redacted]";
    std::string out(text);
    for (const std::string &secret : secrets) {
        if (secret.empty()) continue;
        // Search on after the mask: a secret such as "e" occurs inside "[redacted]".
        for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + mask.size())) {
            out.replace(at, secret.size(), mask);
        }
    }
    return out;
}

PluginInstance::PluginInstance(const pgraph_publisher_descriptor &descriptor, std::vector<std::string> secrets)
    : descriptor_(descriptor), secrets_(std::move(secrets)),
      host_context_(std::make_unique<HostContext>(HostContext{descriptor.name, this}))
{
    host_.struct_size = sizeof host_;
    host_.abi_minor = PGRAPH_ABI_MINOR;
    host_.context = host_context_.get();
    host_.log = [](void *context, int32_t level, const char *msg, size_t len) {
        const auto *host = static_cast<HostContext *>(context);
        if (!common::log_enabled(to_level(level))) return;
        const std::string text = host->owner->redact(std::string_view(msg, msg != nullptr ? len : 0));
        common::log(to_level(level), text, {{"plugin", host->plugin_name}});
    };
    host_.log_enabled = log_enabled;
    host_.now_unix_ms = now_unix_ms;
    host_.monotonic_ms = monotonic_ms;
}

common::Result<std::unique_ptr<PluginInstance>> PluginInstance::create(const pgraph_publisher_descriptor &descriptor,
                                                                       const PluginSettings &settings)
{
    std::unique_ptr<PluginInstance> plugin(new PluginInstance(descriptor, settings.secret_values));
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
    const pgraph_status status = descriptor.create(&args, &instance, error.data(), error.size());
    if (status != PGRAPH_OK || instance == nullptr) {
        error.back() = '\0';
        const std::string reason = error[0] != '\0' ? plugin->redact(error.data()) : "no reason given";
        if (instance != nullptr) descriptor.destroy(instance);
        return common::fail("create failed (status " + std::to_string(status) + "): " + reason);
    }
    plugin->instance_ = instance;
    return plugin;
}

PluginInstance::~PluginInstance()
{
    if (instance_ != nullptr) descriptor_.destroy(instance_);
}

pgraph_status PluginInstance::publish(const pgraph_batch &batch, pgraph_publish_result &result)
{
    return descriptor_.publish(instance_, &batch, &result);
}

pgraph_status PluginInstance::flush(int64_t deadline_unix_ms)
{
    if (descriptor_.flush == nullptr) return PGRAPH_OK;
    return descriptor_.flush(instance_, deadline_unix_ms);
}

VerifyOutcome PluginInstance::verify(int64_t deadline_unix_ms)
{
    if (!PGRAPH_HAS_FIELD(&descriptor_, pgraph_publisher_descriptor, verify) || descriptor_.verify == nullptr) return {};
    std::array<char, 512> reason{};
    const pgraph_status status = descriptor_.verify(instance_, deadline_unix_ms, reason.data(), reason.size());
    reason.back() = '\0';
    const std::string text = redact(reason.data());
    if (status == PGRAPH_OK) return {};
    if (status == PGRAPH_FATAL) return {VerifyOutcome::Kind::refused, text.empty() ? "credentials refused" : text};
    return {VerifyOutcome::Kind::inconclusive, text.empty() ? "status " + std::to_string(status) : text};
}

std::optional<PluginResponse> PluginInstance::handle_request(std::string_view path, std::string_view query)
{
    if (descriptor_.handle_request == nullptr || instance_ == nullptr) return std::nullopt;
    PluginResponse response;
    pgraph_request request{};
    request.struct_size = sizeof request;
    request.method = {"GET", 3};
    request.path = {path.data(), path.size()};
    request.query = {query.data(), query.size()};
    pgraph_response sink{};
    sink.struct_size = sizeof sink;
    sink.status = 200;
    sink.content_type = nullptr;
    sink.context = &response.body;
    sink.append_body = append_response_body;
    descriptor_.handle_request(instance_, &request, &sink);
    response.status = sink.status;
    if (sink.content_type != nullptr) response.content_type = sink.content_type;
    response.body = redact(response.body);
    return response;
}

std::string PluginInstance::redact(std::string_view text) const
{
    return redact_secrets(text, secrets_);
}

}  // namespace productgraph::plugin_host
