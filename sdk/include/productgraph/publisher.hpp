// Optional C++17 helpers for writing a publisher plugin against publisher.h.
// Header-only and built on the C ABI alone: nothing here changes the ABI.
#ifndef PRODUCTGRAPH_PUBLISHER_HPP
#define PRODUCTGRAPH_PUBLISHER_HPP

#include <productgraph/publisher.h>

#include <cstdio>
#include <cstring>
#include <exception>
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

}  // namespace pgraph

#endif  // PRODUCTGRAPH_PUBLISHER_HPP
