// Optional C++17 helpers for writing a publisher plugin against publisher.h, and a
// base class with PGRAPH_DEFINE_PUBLISHER that writes the descriptor, the entry point
// and an exception firewall around every call. Header-only and built on the C ABI
// alone: nothing here changes the ABI.
#ifndef PRODUCTGRAPH_PUBLISHER_HPP
#define PRODUCTGRAPH_PUBLISHER_HPP

#include <productgraph/publisher.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>

namespace pgraph {

/// A borrowed pgraph_str as a std::string_view (valid as long as the view is).
inline std::string_view view(pgraph_str s) noexcept
{
    return s.len == 0 ? std::string_view{} : std::string_view{s.ptr, s.len};
}

/// A std::string_view lent across the ABI as a pgraph_str.
inline pgraph_str str(std::string_view s) noexcept
{
    return pgraph_str{s.data(), s.size()};
}

/// Copies text into a host buffer of `capacity` bytes, truncating and always NUL-terminating.
inline void copy_text(char *buffer, size_t capacity, std::string_view text) noexcept
{
    if (buffer == nullptr || capacity == 0) return;
    const size_t n = text.size() < capacity - 1 ? text.size() : capacity - 1;
    if (n > 0) std::memcpy(buffer, text.data(), n);  // an empty view may have a null data()
    buffer[n] = '\0';
}

/// Looks up a configuration value passed to create; empty when absent.
inline std::string_view config_value(const pgraph_create_args *args, std::string_view name) noexcept
{
    const char *base = reinterpret_cast<const char *>(args->config);
    for (size_t i = 0; i < args->config_count; ++i) {
        const auto *entry = reinterpret_cast<const pgraph_config_entry *>(base + i * args->config_entry_size);
        if (view(entry->name) == name) return view(entry->value);
    }
    return {};
}

/// Logging through the host table; plugins never write to stdout or stderr.
class HostLog {
public:
    explicit HostLog(const pgraph_host *host) noexcept : host_(host) {}

    bool enabled(int32_t level) const noexcept
    {
        return host_->log_enabled == nullptr || host_->log_enabled(host_->context, level) != 0;
    }
    void write(int32_t level, std::string_view msg) const noexcept
    {
        if (host_->log != nullptr) host_->log(host_->context, level, msg.data(), msg.size());
    }
    void debug(std::string_view msg) const noexcept { write(PGRAPH_LOG_DEBUG, msg); }
    void info(std::string_view msg) const noexcept { write(PGRAPH_LOG_INFO, msg); }
    void warn(std::string_view msg) const noexcept { write(PGRAPH_LOG_WARN, msg); }
    void error(std::string_view msg) const noexcept { write(PGRAPH_LOG_ERROR, msg); }

private:
    const pgraph_host *host_;
};

/// Runs `body` and turns any escaping exception into `on_exception`, so that no
/// C++ exception ever crosses the C boundary. Use it in every exported function.
template <typename Body>
pgraph_status guard(pgraph_status on_exception, char *message, size_t capacity, Body &&body) noexcept
{
    try {
        return body();
    } catch (const std::exception &e) {
        copy_text(message, capacity, e.what());
    } catch (...) {
        copy_text(message, capacity, "unknown exception in plugin");
    }
    return on_exception;
}

/// The body of every pgraph_publisher_entry_v1: hands out `descriptor` to a host of
/// the same ABI major and at least the descriptor's min_host_minor, or refuses with a
/// reason naming both versions.
inline const pgraph_publisher_descriptor *negotiate(const pgraph_publisher_descriptor &descriptor,
                                                    const pgraph_negotiation *negotiation) noexcept
{
    if (negotiation == nullptr || !PGRAPH_HAS_FIELD(negotiation, pgraph_negotiation, host_abi_minor)) return nullptr;
    const bool writable = PGRAPH_HAS_FIELD(negotiation, pgraph_negotiation, error_capacity) &&
                          negotiation->error != nullptr && negotiation->error_capacity > 0;
    if (negotiation->host_abi_major != PGRAPH_ABI_MAJOR) {
        if (writable) {
            std::snprintf(negotiation->error, negotiation->error_capacity,
                          "%s plugin speaks ABI major %d, the host speaks %u", descriptor.name, PGRAPH_ABI_MAJOR,
                          static_cast<unsigned>(negotiation->host_abi_major));
        }
        return nullptr;
    }
    if (negotiation->host_abi_minor < descriptor.min_host_minor) {
        if (writable) {
            std::snprintf(negotiation->error, negotiation->error_capacity,
                          "%s plugin needs host ABI 1.%u or newer, the host speaks 1.%u", descriptor.name,
                          static_cast<unsigned>(descriptor.min_host_minor),
                          static_cast<unsigned>(negotiation->host_abi_minor));
        }
        return nullptr;
    }
    return &descriptor;
}

/// Asks the host to retry event `i` no sooner than `milliseconds` from now (ABI 1.1).
/// Returns false, writing nothing, when the host is 1.0 and has no such field: use
/// the batch's retry_after_ms then.
inline bool set_event_retry_after(pgraph_publish_result *result, size_t i, int64_t milliseconds) noexcept
{
    if (!PGRAPH_EVENT_RESULT_HAS_RETRY_AFTER(result)) return false;
    pgraph_event_result_at(result, i)->retry_after_ms = milliseconds;
    return true;
}

/// Marks the per-event result `i` with a status and a reason.
inline void set_event_result(pgraph_publish_result *result, size_t i, pgraph_event_status status,
                             std::string_view reason = {}) noexcept
{
    pgraph_event_result *entry = pgraph_event_result_at(result, i);
    entry->status = status;
    copy_text(entry->reason, sizeof entry->reason, reason);
}

/// A plugin instance written in C++. Derive from it, give the class a constructor
/// taking `const pgraph_create_args &` (throw to refuse, with a reason that names the
/// variable and never holds a secret), and name it in PGRAPH_DEFINE_PUBLISHER. Every
/// call reaches the instance through a firewall: an exception becomes a status
/// (create FATAL, publish/flush/verify RETRY, handle_request a 500) and never crosses
/// the C boundary.
class Publisher {
public:
    virtual ~Publisher() = default;

    /// Worker thread, never concurrent on one instance; see publisher.h.
    virtual pgraph_status publish(const pgraph_batch &batch, pgraph_publish_result &result) = 0;
    /// Pushes out anything buffered, by the deadline. Default: nothing buffered.
    virtual pgraph_status flush(int64_t deadline_unix_ms)
    {
        (void)deadline_unix_ms;
        return PGRAPH_OK;
    }
    /// GET /v1/plugins/<name><path>, on HTTP threads concurrently with publish.
    /// Default: 404 {"error":"not found"}.
    virtual void handle_request(const pgraph_request &request, pgraph_response &response)
    {
        (void)request;
        response.status = 404;
        response.append_body(response.context, "{\"error\":\"not found\"}", 21);
    }
    /// Checks the credentials without sending events (ABI 1.2): OK accepted, FATAL
    /// refused, anything else inconclusive; `reason` never holds a secret. Default:
    /// nothing to check.
    virtual pgraph_status verify(int64_t deadline_unix_ms, std::string &reason)
    {
        (void)deadline_unix_ms;
        (void)reason;
        return PGRAPH_OK;
    }
};

/// What a C++ plugin says about itself; PGRAPH_DEFINE_PUBLISHER fills the rest of
/// the descriptor (sizes, versions, functions).
struct PublisherInfo {
    const char *name = nullptr;             // [a-z0-9_-]+
    const char *version = nullptr;          // e.g. "1.0.0"
    const char *description = nullptr;      // one line
    const char *enable_variable = nullptr;  // e.g. "ECHO_ENABLED"
    uint32_t flags = 0;                     // PGRAPH_PLUGIN_* bits
    uint32_t max_batch_events = 500;
    uint64_t max_batch_bytes = 0;  // 0: no limit
    const pgraph_env_var *env_vars = nullptr;
    uint32_t env_var_count = 0;
    uint32_t min_host_minor = 0;  // the oldest host minor the plugin works with
};

/// The C functions of the descriptor for a Publisher subclass T.
template <typename T>
struct PublisherFunctions {
    static pgraph_status create(const pgraph_create_args *args, void **instance, char *error, size_t capacity) noexcept
    {
        return guard(PGRAPH_FATAL, error, capacity, [&] {
            *instance = static_cast<Publisher *>(new T(*args));
            return PGRAPH_OK;
        });
    }
    static pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
    {
        return guard(PGRAPH_RETRY, result->message, result->message_capacity,
                     [&] { return static_cast<Publisher *>(instance)->publish(*batch, *result); });
    }
    static pgraph_status flush(void *instance, int64_t deadline_unix_ms) noexcept
    {
        return guard(PGRAPH_RETRY, nullptr, 0,
                     [&] { return static_cast<Publisher *>(instance)->flush(deadline_unix_ms); });
    }
    static void destroy(void *instance) noexcept { delete static_cast<Publisher *>(instance); }
    static void handle_request(void *instance, const pgraph_request *request, pgraph_response *response) noexcept
    {
        try {
            static_cast<Publisher *>(instance)->handle_request(*request, *response);
        } catch (...) {
            response->status = 500;  // the host never shows an exception's text
            response->append_body(response->context, "{\"error\":\"internal error\"}", 26);
        }
    }
    static pgraph_status verify(void *instance, int64_t deadline_unix_ms, char *reason, size_t capacity) noexcept
    {
        return guard(PGRAPH_RETRY, reason, capacity, [&] {
            std::string text;
            const pgraph_status status = static_cast<Publisher *>(instance)->verify(deadline_unix_ms, text);
            copy_text(reason, capacity, text);
            return status;
        });
    }
};

/// The descriptor of a Publisher subclass T, for PGRAPH_DEFINE_PUBLISHER.
template <typename T>
constexpr pgraph_publisher_descriptor make_descriptor(const PublisherInfo &info) noexcept
{
    pgraph_publisher_descriptor d{};
    d.struct_size = sizeof(pgraph_publisher_descriptor);
    d.abi_major = PGRAPH_ABI_MAJOR;
    d.abi_minor = PGRAPH_ABI_MINOR;
    d.min_host_minor = info.min_host_minor;
    d.name = info.name;
    d.version = info.version;
    d.description = info.description;
    d.flags = info.flags;
    d.max_batch_events = info.max_batch_events;
    d.max_batch_bytes = info.max_batch_bytes;
    d.enable_variable = info.enable_variable;
    d.env_vars = info.env_vars;
    d.env_var_count = info.env_var_count;
    d.env_var_size = sizeof(pgraph_env_var);
    d.create = PublisherFunctions<T>::create;
    d.publish = PublisherFunctions<T>::publish;
    d.flush = PublisherFunctions<T>::flush;
    d.destroy = PublisherFunctions<T>::destroy;
    d.handle_request = PublisherFunctions<T>::handle_request;
    d.verify = PublisherFunctions<T>::verify;
    return d;
}

}  // namespace pgraph

/// Defines the descriptor and the exported entry point of a plugin whose instances
/// are `Class` (a pgraph::Publisher): PGRAPH_DEFINE_PUBLISHER(Echo, {.name = "echo",
/// .version = "1.0.0", .description = "...", .enable_variable = "ECHO_ENABLED"}).
/// Use it once, at namespace scope, in one source file of the plugin.
#define PGRAPH_DEFINE_PUBLISHER(Class, ...)                                                                            \
    namespace {                                                                                                        \
    constexpr pgraph_publisher_descriptor pgraph_cpp_descriptor =                                                      \
        ::pgraph::make_descriptor<Class>(::pgraph::PublisherInfo __VA_ARGS__);                                         \
    }                                                                                                                  \
    extern "C" PGRAPH_EXPORT const pgraph_publisher_descriptor *pgraph_publisher_entry_v1(                             \
        const pgraph_negotiation *negotiation)                                                                         \
    {                                                                                                                  \
        return ::pgraph::negotiate(pgraph_cpp_descriptor, negotiation);                                                \
    }

#endif  // PRODUCTGRAPH_PUBLISHER_HPP
