// A fake productgraphd for a plugin author's unit tests (header-only, C++17, works
// with doctest or any other framework): loads a plugin (or takes its descriptor),
// creates an instance with the variables you set, builds batches from JSON events,
// calls publish, verify and handle_request the way the host does, and keeps every log
// line the plugin wrote. Nothing here is part of the ABI.
//
//   pgraph::testing::FakeHost host = pgraph::testing::FakeHost::load("./echo.so");
//   host.set("ECHO_PREFIX", "seen");
//   REQUIRE(host.create());
//   auto outcome = host.publish({R"({"event_id":"e1","session":{"id":"s"},"event":{"type":"ui.click"}})"});
//   CHECK(outcome.status == PGRAPH_OK);
//   CHECK(host.logged("seen ui.click e1"));
#ifndef PRODUCTGRAPH_FAKE_HOST_HPP
#define PRODUCTGRAPH_FAKE_HOST_HPP

#include <productgraph/publisher.h>
#include <productgraph/publisher.hpp>

#include <dlfcn.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgraph::testing {

/// One event as the host hands it over: the fields the host extracts, and the JSON.
struct FakeEvent {
    std::string event_id, type, name, user_id, device_id, session_id, client_ip = "127.0.0.1", user_agent;
    int64_t timestamp_ms = 0;
    int64_t received_ms = 0;
    std::string json;
};

namespace detail {

// Just enough JSON to read an event: objects, strings (with escapes), and skipping
// every other value. Throws std::invalid_argument on malformed input.
class EventReader {
public:
    explicit EventReader(std::string_view text) : text_(text) {}

    // Calls visit(path, string value) for every string member, path like "event.type".
    template <typename Visit>
    void read_object(const std::string &prefix, Visit &&visit)
    {
        expect('{');
        if (peek() == '}') return void(++at_);
        for (;;) {
            const std::string key = read_string();
            expect(':');
            const std::string path = prefix.empty() ? key : prefix + "." + key;
            const char next = peek();
            if (next == '"')
                visit(path, read_string());
            else if (next == '{')
                read_object(path, visit);
            else
                skip_value();
            if (peek() == ',') {
                ++at_;
                continue;
            }
            expect('}');
            return;
        }
    }

private:
    char peek()
    {
        while (at_ < text_.size() &&
               (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\t' || text_[at_] == '\r'))
            ++at_;
        if (at_ >= text_.size()) throw std::invalid_argument("event JSON ends early");
        return text_[at_];
    }
    void expect(char c)
    {
        if (peek() != c) throw std::invalid_argument(std::string("event JSON: expected '") + c + "'");
        ++at_;
    }
    std::string read_string()
    {
        expect('"');
        std::string out;
        while (at_ < text_.size() && text_[at_] != '"') {
            char c = text_[at_++];
            if (c == '\\' && at_ < text_.size()) {
                const char e = text_[at_++];
                c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
                if (e == 'u') {  // kept as written: tests rarely need \u escapes decoded
                    out += "\\u";
                    continue;
                }
            }
            out += c;
        }
        expect('"');
        return out;
    }
    void skip_value()
    {
        int depth = 0;
        do {
            const char c = peek();
            if (c == '"') {
                read_string();
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            if (c == '}' || c == ']') {
                if (depth == 0) return;
                --depth;
            }
            if (c == ',' && depth == 0) return;
            ++at_;
        } while (depth > 0 || (at_ < text_.size() && text_[at_] != ',' && text_[at_] != '}'));
    }

    std::string_view text_;
    size_t at_ = 0;
};

// "2026-01-02T03:04:05.678Z" (UTC only) as Unix milliseconds; 0 when it is not that shape.
inline int64_t unix_ms(const std::string &text)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &year, &month, &day, &hour, &minute, &second,
                    &millis) < 6) {
        return 0;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    year -= month <= 2;
    const int64_t era = (year >= 0 ? year : year - 399) / 400;
    const int64_t yoe = year - era * 400;
    const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return ((days * 24 + hour) * 60 + minute) * 60000 + second * 1000 + millis;
}

inline int64_t now_unix_ms()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace detail

/// Reads an event in the host's JSON shape (event_id, session.id, event.type,
/// event.name, event.timestamp, user.id, device.id); the JSON is kept as given.
inline FakeEvent event_from_json(std::string_view json)
{
    FakeEvent event;
    event.json = std::string(json);
    event.received_ms = detail::now_unix_ms();
    detail::EventReader(json).read_object("", [&](const std::string &path, std::string value) {
        if (path == "event_id")
            event.event_id = std::move(value);
        else if (path == "session.id")
            event.session_id = std::move(value);
        else if (path == "event.type")
            event.type = std::move(value);
        else if (path == "event.name")
            event.name = std::move(value);
        else if (path == "event.timestamp")
            event.timestamp_ms = detail::unix_ms(value);
        else if (path == "user.id")
            event.user_id = std::move(value);
        else if (path == "device.id")
            event.device_id = std::move(value);
    });
    if (event.timestamp_ms == 0) event.timestamp_ms = event.received_ms;
    return event;
}

/// What one publish call said.
struct PublishOutcome {
    pgraph_status status = PGRAPH_RETRY;
    std::vector<pgraph_event_status> event_status;  // per event; meaningful on PARTIAL
    std::vector<std::string> event_reason;
    std::vector<int64_t> event_retry_after_ms;
    int64_t retry_after_ms = 0;
    int32_t http_status = 0;
    std::string message;
};

/// What handle_request answered.
struct FakeResponse {
    int32_t status = 200;
    std::string content_type = "application/json";
    std::string body;
};

/// One log line the plugin wrote through the host.
struct LogLine {
    int32_t level;
    std::string text;
};

/// The fake host around one plugin instance; destroys it when it goes away.
class FakeHost {
public:
    /// Loads a plugin file (a path with a '/') and negotiates as a host of this
    /// header's ABI. Throws std::runtime_error when it cannot.
    static FakeHost load(const std::string &file)
    {
        void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (handle == nullptr) throw std::runtime_error(std::string("cannot load ") + file + ": " + dlerror());
        auto entry = reinterpret_cast<pgraph_publisher_entry_v1_fn>(dlsym(handle, PGRAPH_PUBLISHER_ENTRY_SYMBOL));
        if (entry == nullptr) throw std::runtime_error(file + " has no " PGRAPH_PUBLISHER_ENTRY_SYMBOL);
        std::array<char, 256> reason{};
        const pgraph_negotiation negotiation{
            sizeof(pgraph_negotiation), PGRAPH_ABI_MAJOR, PGRAPH_ABI_MINOR, 0, reason.data(), reason.size()};
        const pgraph_publisher_descriptor *descriptor = entry(&negotiation);
        if (descriptor == nullptr) throw std::runtime_error(file + " refused the host: " + reason.data());
        return FakeHost(*descriptor);
    }

    /// Uses a descriptor directly (a plugin linked into the test).
    explicit FakeHost(const pgraph_publisher_descriptor &descriptor)
        : descriptor_(&descriptor), state_(std::make_unique<State>())
    {
        state_->host.struct_size = sizeof(pgraph_host);
        state_->host.abi_minor = PGRAPH_ABI_MINOR;
        state_->host.context = state_.get();
        state_->host.log = [](void *context, int32_t level, const char *msg, size_t len) {
            auto *state = static_cast<State *>(context);
            std::lock_guard lock(state->mutex);
            state->logs.push_back({level, std::string(msg != nullptr ? msg : "", msg != nullptr ? len : 0)});
        };
        state_->host.log_enabled = [](void *, int32_t) -> int32_t { return 1; };
        state_->host.now_unix_ms = [](void *) { return detail::now_unix_ms(); };
        state_->host.monotonic_ms = [](void *) -> int64_t {
            using namespace std::chrono;
            return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
        };
    }
    FakeHost(FakeHost &&other) noexcept
        : descriptor_(other.descriptor_), state_(std::move(other.state_)), variables_(std::move(other.variables_)),
          create_error_(std::move(other.create_error_)), instance_(std::exchange(other.instance_, nullptr))
    {}
    FakeHost &operator=(FakeHost &&) = delete;
    ~FakeHost() { destroy(); }

    const pgraph_publisher_descriptor &descriptor() const { return *descriptor_; }

    /// Sets a variable for create (like the environment; empty means unset).
    FakeHost &set(const std::string &name, const std::string &value)
    {
        variables_[name] = value;
        return *this;
    }

    /// Calls create with the variables set, declared defaults filling the rest, as
    /// the host does. False (see create_error()) when create refused.
    bool create()
    {
        destroy();
        std::vector<std::pair<std::string, std::string>> values;
        for (uint32_t i = 0; i < descriptor_->env_var_count; ++i) {
            const auto *variable = reinterpret_cast<const pgraph_env_var *>(
                reinterpret_cast<const char *>(descriptor_->env_vars) + size_t{i} * descriptor_->env_var_size);
            const auto set = variables_.find(variable->name);
            if (set != variables_.end() && !set->second.empty())
                values.emplace_back(variable->name, set->second);
            else if (variable->default_value != nullptr)
                values.emplace_back(variable->name, variable->default_value);
        }
        std::vector<pgraph_config_entry> config;
        for (const auto &[name, value] : values) {
            config.push_back({sizeof(pgraph_config_entry), 0, pgraph::str(name), pgraph::str(value)});
        }
        pgraph_create_args args{sizeof(pgraph_create_args),  0, &state_->host, config.data(), config.size(),
                                sizeof(pgraph_config_entry), 0};
        std::array<char, 512> error{};
        void *instance = nullptr;
        const pgraph_status status = descriptor_->create(&args, &instance, error.data(), error.size());
        error.back() = '\0';
        create_error_ = error.data();
        if (status != PGRAPH_OK || instance == nullptr) return false;
        instance_ = instance;
        return true;
    }
    const std::string &create_error() const { return create_error_; }

    /// Publishes the events (host JSON shape) in one batch, as attempt `attempt`,
    /// with `timeout` until the batch deadline. Requires a created instance.
    PublishOutcome publish(const std::vector<std::string> &json_events, uint32_t attempt = 1,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10))
    {
        std::vector<FakeEvent> events;
        for (const std::string &json : json_events) events.push_back(event_from_json(json));
        return publish_events(events, attempt, timeout);
    }

    /// The same with events built by hand.
    PublishOutcome publish_events(const std::vector<FakeEvent> &events, uint32_t attempt = 1,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10))
    {
        require_instance();
        std::vector<pgraph_event> lent(events.size());
        for (size_t i = 0; i < events.size(); ++i) {
            const FakeEvent &e = events[i];
            lent[i] = pgraph_event{sizeof(pgraph_event), 0,
                                   str(e.event_id),      str(e.type),
                                   str(e.name),          str(e.user_id),
                                   str(e.device_id),     str(e.session_id),
                                   str(e.client_ip),     str(e.user_agent),
                                   e.timestamp_ms,       e.received_ms,
                                   str(e.json)};
        }
        std::vector<pgraph_event_result> results(events.size());
        for (auto &result : results)
            result = pgraph_event_result{sizeof(pgraph_event_result), PGRAPH_EVENT_RETRY, {}, 0};
        std::array<char, 512> message{};
        const pgraph_batch batch{sizeof(pgraph_batch),
                                 attempt,
                                 lent.data(),
                                 lent.size(),
                                 sizeof(pgraph_event),
                                 0,
                                 detail::now_unix_ms() + timeout.count()};
        pgraph_publish_result result{sizeof(pgraph_publish_result),
                                     sizeof(pgraph_event_result),
                                     results.data(),
                                     0,
                                     0,
                                     0,
                                     message.data(),
                                     message.size()};
        PublishOutcome outcome;
        outcome.status = descriptor_->publish(instance_, &batch, &result);
        message.back() = '\0';
        outcome.message = message.data();
        outcome.retry_after_ms = result.retry_after_ms;
        outcome.http_status = result.http_status;
        for (const auto &entry : results) {
            outcome.event_status.push_back(entry.status);
            outcome.event_reason.emplace_back(entry.reason, strnlen(entry.reason, sizeof entry.reason));
            outcome.event_retry_after_ms.push_back(entry.retry_after_ms);
        }
        return outcome;
    }

    /// GET /v1/plugins/<name><path>?<query>; 404 when the plugin answers no requests.
    FakeResponse get(std::string_view path, std::string_view query = {})
    {
        require_instance();
        FakeResponse response;
        if (descriptor_->handle_request == nullptr) return {404, "application/json", R"({"error":"not found"})"};
        const pgraph_request request{sizeof(pgraph_request), 0, str("GET"), str(path), str(query)};
        pgraph_response sink{sizeof(pgraph_response), 200, nullptr, &response.body,
                             [](void *context, const char *data, size_t len) {
                                 if (data != nullptr) static_cast<std::string *>(context)->append(data, len);
                             }};
        descriptor_->handle_request(instance_, &request, &sink);
        response.status = sink.status;
        if (sink.content_type != nullptr) response.content_type = sink.content_type;
        return response;
    }

    /// Calls verify (ABI 1.2); PGRAPH_OK with no reason when the plugin has none.
    std::pair<pgraph_status, std::string> verify(std::chrono::milliseconds timeout = std::chrono::seconds(5))
    {
        require_instance();
        if (!PGRAPH_HAS_FIELD(descriptor_, pgraph_publisher_descriptor, verify) || descriptor_->verify == nullptr) {
            return {PGRAPH_OK, ""};
        }
        std::array<char, 512> reason{};
        const pgraph_status status =
            descriptor_->verify(instance_, detail::now_unix_ms() + timeout.count(), reason.data(), reason.size());
        reason.back() = '\0';
        return {status, reason.data()};
    }

    /// Every line logged so far, and whether one contains `text`.
    std::vector<LogLine> logs() const
    {
        std::lock_guard lock(state_->mutex);
        return state_->logs;
    }
    bool logged(std::string_view text) const
    {
        for (const LogLine &line : logs()) {
            if (line.text.find(text) != std::string::npos) return true;
        }
        return false;
    }

    /// Destroys the instance (also done by the destructor).
    void destroy()
    {
        if (instance_ != nullptr) descriptor_->destroy(instance_);
        instance_ = nullptr;
    }

private:
    struct State {
        pgraph_host host{};
        mutable std::mutex mutex;
        std::vector<LogLine> logs;
    };

    void require_instance() const
    {
        if (instance_ == nullptr) throw std::logic_error("FakeHost: call create() first (and check that it succeeded)");
    }

    const pgraph_publisher_descriptor *descriptor_;
    std::unique_ptr<State> state_;  // the host table's context: stable across moves
    std::map<std::string, std::string> variables_;
    std::string create_error_;
    void *instance_ = nullptr;
};

}  // namespace pgraph::testing

#endif  // PRODUCTGRAPH_FAKE_HOST_HPP
