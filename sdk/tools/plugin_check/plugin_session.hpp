// The checker's own little host: loads the plugin, negotiates, builds the host table,
// the configuration, batches and result buffers the way productgraphd does.
#pragma once

#include <productgraph/publisher.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace pgraph::check {

/// Variables given with --env; the rest take their declared defaults, as in the host.
using Environment = std::map<std::string, std::string>;

/// dlopen plus one negotiation. `error` is set when there is no usable descriptor.
struct LoadedPlugin {
    void *handle = nullptr;
    pgraph_publisher_entry_v1_fn entry = nullptr;
    const pgraph_publisher_descriptor *descriptor = nullptr;
    std::string error;
};
LoadedPlugin load_plugin(const std::string &file, uint32_t host_minor = PGRAPH_ABI_MINOR);

/// The size of the v1.0 descriptor, the oldest a host accepts.
inline constexpr size_t v1_0_descriptor_size = offsetof(pgraph_publisher_descriptor, handle_request) + sizeof(void *);
/// The size of a v1.0 per-event result (before retry_after_ms).
inline constexpr uint32_t v1_0_event_result_size = offsetof(pgraph_event_result, retry_after_ms);

/// The i-th declared variable, honouring the plugin's stride.
const pgraph_env_var &variable_at(const pgraph_publisher_descriptor &descriptor, uint32_t i);

/// The host table handed to create; it keeps every log line the plugin wrote.
class FakeHostTable {
public:
    FakeHostTable();
    const pgraph_host *table() const { return &host_; }
    std::vector<std::string> lines() const;

private:
    static void log(void *context, int32_t level, const char *msg, size_t len);
    pgraph_host host_{};
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

/// The (name, value) pairs create receives: --env values, else declared defaults,
/// leaving out `omit`.
std::vector<std::pair<std::string, std::string>> configuration(const pgraph_publisher_descriptor &descriptor,
                                                               const Environment &env, const std::string &omit = "");

/// Calls create; on success *instance is set and the error is empty.
struct Created {
    pgraph_status status = PGRAPH_FATAL;
    void *instance = nullptr;
    std::string error;
    bool error_terminated = true;     // the reason had a NUL inside its buffer
    bool touched_on_failure = false;  // a failing create wrote *instance anyway
};
Created create_instance(const pgraph_publisher_descriptor &descriptor, const FakeHostTable &host,
                        const std::vector<std::pair<std::string, std::string>> &config);

/// Unix milliseconds now.
int64_t now_unix_ms();

}  // namespace pgraph::check
