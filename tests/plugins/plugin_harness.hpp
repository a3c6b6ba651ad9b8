// Loads a plugin file with dlopen and drives it through the C ABI as the host does, for tests.
#ifndef PRODUCTGRAPH_TESTS_PLUGINS_PLUGIN_HARNESS_HPP
#define PRODUCTGRAPH_TESTS_PLUGINS_PLUGIN_HARNESS_HPP

#include <productgraph/publisher.h>

#include <dlfcn.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace productgraph::test_plugins {

/// One event to publish. The harness lends views of these strings to the plugin.
struct TestEvent {
    std::string event_id;
    std::string type = "ui.click";
    std::string user_id;
    std::string session_id = "sess-1";
    std::string json;
};

/// A TestEvent whose json is a plausible canonical body built from its fields.
inline TestEvent make_event(std::string event_id, std::string session_id = "sess-1", std::string user_id = {},
                            std::string type = "ui.click")
{
    std::string json =
        "{\"event_id\":\"" + event_id + "\",\"event.type\":\"" + type + "\",\"session.id\":\"" + session_id + "\"";
    if (!user_id.empty()) json += ",\"user.id\":\"" + user_id + "\"";
    json += "}";
    return TestEvent{std::move(event_id), std::move(type), std::move(user_id), std::move(session_id), std::move(json)};
}

/// What publish answered, copied out of the host-owned result.
struct PublishOutcome {
    pgraph_status status = -1;
    std::vector<pgraph_event_status> event_statuses;
    std::vector<std::string> reasons;
    std::int64_t retry_after_ms = 0;
    std::int32_t http_status = 0;
    std::string message;
};

/// What handle_request answered.
struct Response {
    std::int32_t status = 0;
    std::string body;
};

/// A loaded plugin file. Like the host, it never closes the file: a plugin thread
/// may still be running in it (hang.so's is, until the process exits).
class LoadedPlugin {
public:
    explicit LoadedPlugin(const std::string &path) : handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL))
    {
        if (handle_ == nullptr) throw std::runtime_error(std::string("dlopen: ") + dlerror());
    }
    LoadedPlugin(const LoadedPlugin &) = delete;
    LoadedPlugin &operator=(const LoadedPlugin &) = delete;

    /// The entry point, or nullptr when the file does not export one.
    pgraph_publisher_entry_v1_fn entry() const
    {
        return reinterpret_cast<pgraph_publisher_entry_v1_fn>(dlsym(handle_, PGRAPH_PUBLISHER_ENTRY_SYMBOL));
    }

    /// Calls the entry as a host of ABI `major`.0; `error` receives any refusal.
    const pgraph_publisher_descriptor *negotiate(std::uint32_t major = PGRAPH_ABI_MAJOR,
                                                 std::string *error = nullptr) const
    {
        char reason[256] = "";
        const pgraph_negotiation negotiation{sizeof(pgraph_negotiation), major, 0, 0, reason, sizeof reason};
        const pgraph_publisher_descriptor *descriptor = entry()(&negotiation);
        if (error != nullptr) *error = reason;
        return descriptor;
    }

private:
    void *handle_;
};

/// The host table handed to create; collects log lines.
class FakeHost {
public:
    FakeHost()
    {
        table_.struct_size = sizeof table_;
        table_.abi_minor = PGRAPH_ABI_MINOR;
        table_.context = this;
        table_.log = [](void *context, std::int32_t, const char *msg, std::size_t len) {
            auto *self = static_cast<FakeHost *>(context);
            std::lock_guard lock(self->mutex_);
            self->lines_.emplace_back(msg, len);
        };
        table_.log_enabled = [](void *, std::int32_t) -> std::int32_t { return 1; };
        table_.now_unix_ms = [](void *) -> std::int64_t {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
        table_.monotonic_ms = [](void *) -> std::int64_t {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                .count();
        };
    }
    FakeHost(const FakeHost &) = delete;
    FakeHost &operator=(const FakeHost &) = delete;

    const pgraph_host *table() const { return &table_; }
    std::vector<std::string> lines() const
    {
        std::lock_guard lock(mutex_);
        return lines_;
    }

private:
    pgraph_host table_{};
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

/// A configuration variable for create.
using Setting = std::pair<std::string, std::string>;

// Element types one size larger than v1's, as a newer host would hand out, so every
// test also proves that the plugins honour the strides.
struct GrownEvent {
    pgraph_event event;
    std::uint64_t added_later[3];
};
struct GrownEventResult {
    pgraph_event_result result;
    std::uint64_t added_later[2];
};
struct GrownConfigEntry {
    pgraph_config_entry entry;
    std::uint64_t added_later;
};

/// One instance of a plugin, destroyed with the object.
class PluginInstance {
public:
    PluginInstance(const pgraph_publisher_descriptor &descriptor, std::vector<Setting> settings)
        : descriptor_(descriptor), settings_(std::move(settings))
    {
        std::vector<GrownConfigEntry> config;
        for (const auto &[name, value] : settings_) {
            GrownConfigEntry grown{};
            grown.entry = {sizeof(pgraph_config_entry), 0, {name.data(), name.size()}, {value.data(), value.size()}};
            config.push_back(grown);
        }
        const pgraph_create_args args{
            sizeof(pgraph_create_args), 0, host_.table(), config.empty() ? nullptr : &config[0].entry, config.size(),
            sizeof(GrownConfigEntry),   0};
        char error[256] = "";
        status_ = descriptor_.create(&args, &instance_, error, sizeof error);
        error_ = error;
    }
    ~PluginInstance()
    {
        if (status_ == PGRAPH_OK) descriptor_.destroy(instance_);
    }
    PluginInstance(const PluginInstance &) = delete;
    PluginInstance &operator=(const PluginInstance &) = delete;

    pgraph_status create_status() const { return status_; }
    const std::string &create_error() const { return error_; }
    void *raw() const { return instance_; }
    const FakeHost &host() const { return host_; }

    /// Publishes `events` as attempt `attempt`, with the per-event results pre-filled
    /// with PGRAPH_EVENT_RETRY as the host does.
    PublishOutcome publish(const std::vector<TestEvent> &events, std::uint32_t attempt = 1)
    {
        std::vector<GrownEvent> batch_events(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            pgraph_event &e = batch_events[i].event;
            e.struct_size = sizeof(pgraph_event);
            e.event_id = view(events[i].event_id);
            e.type = view(events[i].type);
            e.user_id = view(events[i].user_id);
            e.session_id = view(events[i].session_id);
            e.json = view(events[i].json);
        }
        std::vector<GrownEventResult> results(events.size());
        for (GrownEventResult &r : results) {
            r.result.struct_size = sizeof(pgraph_event_result);
            r.result.status = PGRAPH_EVENT_RETRY;
        }
        char message[256] = "";
        pgraph_publish_result result{};
        result.struct_size = sizeof result;
        result.event_result_size = sizeof(GrownEventResult);
        result.events = results.empty() ? nullptr : &results[0].result;
        result.message = message;
        result.message_capacity = sizeof message;

        pgraph_batch batch{};
        batch.struct_size = sizeof batch;
        batch.attempt = attempt;
        batch.events = batch_events.empty() ? nullptr : &batch_events[0].event;
        batch.event_count = batch_events.size();
        batch.event_size = sizeof(GrownEvent);
        batch.deadline_unix_ms = host_.table()->now_unix_ms(nullptr) + 10000;

        PublishOutcome outcome;
        outcome.status = descriptor_.publish(instance_, &batch, &result);
        for (const GrownEventResult &r : results) {
            outcome.event_statuses.push_back(r.result.status);
            outcome.reasons.emplace_back(r.result.reason);
        }
        outcome.retry_after_ms = result.retry_after_ms;
        outcome.http_status = result.http_status;
        outcome.message = message;
        return outcome;
    }

    /// Sends a request for `path` with the raw `query` (default method GET).
    Response request(const std::string &path, const std::string &query = {}, const std::string &method = "GET") const
    {
        Response response;
        const pgraph_request request{sizeof(pgraph_request), 0, view(method), view(path), view(query)};
        pgraph_response sink{};
        sink.struct_size = sizeof sink;
        sink.status = 200;
        sink.context = &response.body;
        sink.append_body = [](void *context, const char *data, std::size_t len) {
            static_cast<std::string *>(context)->append(data, len);
        };
        descriptor_.handle_request(instance_, &request, &sink);
        response.status = sink.status;
        return response;
    }

private:
    static pgraph_str view(const std::string &s) { return pgraph_str{s.data(), s.size()}; }

    const pgraph_publisher_descriptor &descriptor_;
    std::vector<Setting> settings_;
    FakeHost host_;
    void *instance_ = nullptr;
    pgraph_status status_ = -1;
    std::string error_;
};

}  // namespace productgraph::test_plugins

#endif  // PRODUCTGRAPH_TESTS_PLUGINS_PLUGIN_HARNESS_HPP
