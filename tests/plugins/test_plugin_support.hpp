// What every test plugin shares: the recording instance, GET /events, the descriptor and the entry point.
#ifndef PRODUCTGRAPH_TESTS_PLUGINS_TEST_PLUGIN_SUPPORT_HPP
#define PRODUCTGRAPH_TESTS_PLUGINS_TEST_PLUGIN_SUPPORT_HPP

#include <productgraph/publisher.h>
#include <productgraph/publisher.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace productgraph::test_plugins {

/// Appends `text` to `out` as the body of a JSON string.
inline void append_json_escaped(std::string &out, std::string_view text)
{
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
            out += escape;
        } else {
            out += c;
        }
    }
}

/// What one instance saw. handle_request reads it on HTTP threads while publish
/// writes it on the worker thread, hence the lock.
class Recorder {
public:
    /// Counts a publish call made with `attempt`; returns the number of calls so far.
    std::uint64_t count_call(std::uint32_t attempt)
    {
        std::lock_guard lock(mutex_);
        attempts_.push_back(attempt);
        return ++publish_calls_;
    }

    /// Records one delivered event id.
    void delivered(std::string_view event_id)
    {
        std::lock_guard lock(mutex_);
        delivered_.emplace_back(event_id);
    }

    /// Records a delivered event: its id, and all its normalised fields as the last one.
    void delivered(const pgraph_event &event)
    {
        std::string last = "{";
        auto field = [&](const char *name, pgraph_str value) {
            last += last.size() > 1 ? ",\"" : "\"";
            last += name;
            last += "\":\"";
            append_json_escaped(last, pgraph::view(value));
            last += '"';
        };
        field("event_id", event.event_id);
        field("type", event.type);
        field("name", event.name);
        field("user_id", event.user_id);
        field("device_id", event.device_id);
        field("session_id", event.session_id);
        field("client_ip", event.client_ip);
        field("user_agent", event.user_agent);
        last += ",\"timestamp_ms\":" + std::to_string(event.timestamp_ms) + "}";
        delivered(pgraph::view(event.event_id));
        std::lock_guard lock(mutex_);
        last_event_ = std::move(last);
    }

    /// Records every event of a batch as delivered.
    void delivered(const pgraph_batch &batch)
    {
        for (std::size_t i = 0; i < batch.event_count; ++i) delivered(*pgraph_batch_event(&batch, i));
    }

    /// The normalised fields of the last delivered event as JSON ({} before any).
    std::string last_event_json() const
    {
        std::lock_guard lock(mutex_);
        return last_event_;
    }

    /// {"delivered":[ids...],"publish_calls":N,"attempts":[attempt numbers seen]}
    std::string to_json() const
    {
        std::lock_guard lock(mutex_);
        std::string json = "{\"delivered\":[";
        for (std::size_t i = 0; i < delivered_.size(); ++i) {
            json += i == 0 ? "\"" : ",\"";
            append_json_escaped(json, delivered_[i]);
            json += '"';
        }
        json += "],\"publish_calls\":";
        json += std::to_string(publish_calls_);
        json += ",\"attempts\":[";
        for (std::size_t i = 0; i < attempts_.size(); ++i) {
            if (i > 0) json += ',';
            json += std::to_string(attempts_[i]);
        }
        json += "]}";
        return json;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> delivered_;
    std::vector<std::uint32_t> attempts_;
    std::uint64_t publish_calls_ = 0;
    std::string last_event_ = "{}";
};

/// One test plugin instance: the recorder and the configuration create was given.
struct Instance {
    Recorder recorder;
    std::vector<std::pair<std::string, std::string>> config;  // (name, value) as given

    /// The value of a variable, nullopt when the host passed none.
    std::optional<std::string_view> text(std::string_view name) const
    {
        for (const auto &[key, value] : config) {
            if (key == name) return std::string_view(value);
        }
        return std::nullopt;
    }

    /// The value of a variable as a non-negative integer, nullopt when absent or not one.
    std::optional<std::int64_t> number(std::string_view name) const
    {
        const auto value = text(name);
        if (!value || value->empty()) return std::nullopt;
        std::int64_t parsed = 0;
        const char *last = value->data() + value->size();
        const auto [end, error] = std::from_chars(value->data(), last, parsed);
        if (error != std::errc{} || end != last || parsed < 0) return std::nullopt;
        return parsed;
    }
};

inline Instance &instance_of(void *instance) noexcept
{
    return *static_cast<Instance *>(instance);
}

/// Creates an Instance holding a copy of every configuration entry, then refuses
/// with the reason `check(instance)` returns, if any. Secrets never go into reasons.
template <typename Check>
pgraph_status create_checked_instance(const pgraph_create_args *args, void **instance, char *error,
                                      std::size_t error_capacity, Check check) noexcept
{
    return pgraph::guard(PGRAPH_FATAL, error, error_capacity, [&] {
        auto created = std::make_unique<Instance>();
        const char *base = reinterpret_cast<const char *>(args->config);
        for (std::size_t i = 0; i < args->config_count; ++i) {
            const auto *entry = reinterpret_cast<const pgraph_config_entry *>(base + i * args->config_entry_size);
            created->config.emplace_back(pgraph::view(entry->name), pgraph::view(entry->value));
        }
        const std::string reason = check(static_cast<const Instance &>(*created));
        if (!reason.empty()) {
            pgraph::copy_text(error, error_capacity, reason);
            return PGRAPH_FATAL;
        }
        *instance = created.release();
        return PGRAPH_OK;
    });
}

/// Creates an Instance holding a copy of every configuration entry.
inline pgraph_status create_instance(const pgraph_create_args *args, void **instance, char *error,
                                     std::size_t error_capacity) noexcept
{
    return create_checked_instance(args, instance, error, error_capacity,
                                   [](const Instance &) { return std::string(); });
}

inline void destroy_instance(void *instance) noexcept
{
    delete static_cast<Instance *>(instance);
}

/// Publishes successfully: records the call and every event id as delivered.
inline pgraph_status publish_all(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    return pgraph::guard(PGRAPH_RETRY, result->message, result->message_capacity, [&] {
        Recorder &recorder = instance_of(instance).recorder;
        recorder.count_call(batch->attempt);
        recorder.delivered(*batch);
        return PGRAPH_OK;
    });
}

/// Answers GET /events with what the recorder saw and GET /last_event with the
/// normalised fields of the last delivered event; any other path is 404.
inline void answer_events(void *instance, const pgraph_request *request, pgraph_response *response) noexcept
{
    std::string json;
    std::string_view body = "{\"error\":\"not found\"}";
    response->status = 404;
    const std::string_view path = pgraph::view(request->path);
    if (path == "/events" || path == "/last_event") {
        const pgraph_status status = pgraph::guard(PGRAPH_FATAL, nullptr, 0, [&] {
            const Recorder &recorder = instance_of(instance).recorder;
            json = path == "/events" ? recorder.to_json() : recorder.last_event_json();
            return PGRAPH_OK;
        });
        response->status = status == PGRAPH_OK ? 200 : 500;
        body = status == PGRAPH_OK ? std::string_view(json) : "{\"error\":\"internal error\"}";
    }
    response->append_body(response->context, body.data(), body.size());
}

/// A descriptor for a plugin enabled by default that records what it delivers;
/// each test plugin changes only what makes it special.
constexpr pgraph_publisher_descriptor make_descriptor(const char *name, const char *enable_variable) noexcept
{
    return pgraph_publisher_descriptor{
        .struct_size = sizeof(pgraph_publisher_descriptor),
        .abi_major = PGRAPH_ABI_MAJOR,
        .abi_minor = PGRAPH_ABI_MINOR,
        .min_host_minor = 0,
        .name = name,
        .version = "0.0.1",
        .description = "test plugin",
        .flags = PGRAPH_PLUGIN_ENABLED_BY_DEFAULT,
        .max_batch_events = 1000,
        .max_batch_bytes = 0,
        .enable_variable = enable_variable,
        .env_vars = nullptr,
        .env_var_count = 0,
        .env_var_size = sizeof(pgraph_env_var),
        .create = create_instance,
        .publish = publish_all,
        .flush = nullptr,
        .destroy = destroy_instance,
        .handle_request = answer_events,
        .verify = nullptr,
    };
}

}  // namespace productgraph::test_plugins

/// Defines the exported entry point of a test plugin around its descriptor.
#define PGRAPH_TEST_PLUGIN_ENTRY(descriptor)                                                                           \
    extern "C" PGRAPH_EXPORT const pgraph_publisher_descriptor *pgraph_publisher_entry_v1(                             \
        const pgraph_negotiation *negotiation)                                                                         \
    {                                                                                                                  \
        return ::pgraph::negotiate(descriptor, negotiation);                                                           \
    }

#endif  // PRODUCTGRAPH_TESTS_PLUGINS_TEST_PLUGIN_SUPPORT_HPP
