// One created plugin instance: owns the opaque pointer and calls through the C ABI.
// Every call into plugin code goes through here, behind the exception firewall and
// the crash marker.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <productgraph/publisher.h>

#include "common/result.hpp"
#include "plugin_host/crash_marker.hpp"
#include "plugin_host/plugin_settings.hpp"

namespace productgraph::plugin_host {

/// What handle_request produced, for the HTTP layer.
struct PluginResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

/// What the plugin's credential check (ABI 1.2 verify) concluded.
struct VerifyOutcome {
    enum class Kind { accepted, refused, inconclusive };
    Kind kind = Kind::accepted;
    std::string reason;  // from the plugin, secrets redacted; empty when accepted
};

/// A plugin answer larger than this is refused with 502: the body is built in memory
/// on an HTTP thread.
inline constexpr size_t max_plugin_answer_bytes = 16u << 20;

/// Where an instance's code came from, for crash records: the plugin file and a
/// fingerprint of the bytes that were loaded. Empty parts are found from the loaded
/// code (dladdr) and the file's metadata.
struct PluginOrigin {
    std::filesystem::path file;
    std::string fingerprint;
};

/// The kinds of calls into a plugin, for the crash marker and for messages.
enum class PluginCall { create, publish, flush, destroy, handle_request, verify };
inline constexpr size_t plugin_call_kinds = 6;
std::string_view call_name(PluginCall call);

/// RAII over the plugin's instance: destroy() runs in the destructor, on the thread
/// that owns this object (the control thread), after the worker stopped calling it.
///
/// The exception firewall: a C++ exception escaping any call (a plugin breaking the
/// ABI's rule) is caught here. The instance is then faulted with the exception's
/// message: publish and flush answer FATAL, handle_request answers 500 without the
/// message, and the fault listener (the dispatcher) marks the plugin failed. A
/// faulted instance is called no more, except destroy.
class PluginInstance {
public:
    /// Calls the plugin's create with the settings' values. The error names the
    /// plugin and carries its reason (secrets redacted). A plugin that crashed in
    /// create during a previous run is not created again (see crash_marker.hpp); one
    /// that crashed in another call is created already faulted.
    static common::Result<std::unique_ptr<PluginInstance>> create(const pgraph_publisher_descriptor &descriptor,
                                                                  const PluginSettings &settings,
                                                                  const PluginOrigin &origin = {});
    ~PluginInstance();
    PluginInstance(const PluginInstance &) = delete;
    PluginInstance &operator=(const PluginInstance &) = delete;

    /// Worker thread only; see publisher.h for the contract.
    pgraph_status publish(const pgraph_batch &batch, pgraph_publish_result &result);
    /// Worker thread only; OK when the plugin has no flush.
    pgraph_status flush(int64_t deadline_unix_ms);
    /// Control thread, after create and before the first publish. Accepted when the
    /// plugin has no verify (a 1.0/1.1 descriptor, or NULL); refused for FATAL and for
    /// an exception (the firewall), inconclusive for anything else.
    VerifyOutcome verify(int64_t deadline_unix_ms);
    /// Any HTTP thread. Empty when the plugin answers no requests. An answer over
    /// max_plugin_answer_bytes becomes a 502 JSON error.
    std::optional<PluginResponse> handle_request(std::string_view path, std::string_view query);

    /// Removes secret values from text a plugin produced before it is logged or shown.
    std::string redact(std::string_view text) const;

    const pgraph_publisher_descriptor &descriptor() const { return descriptor_; }
    std::string_view name() const { return descriptor_.name; }

    /// Why this instance must not be called any more (an exception escaped it, or it
    /// crashed during the previous run); empty while healthy.
    std::optional<std::string> fault() const;
    /// Told the fault's reason once, on the thread that met it. Set before use.
    void set_fault_listener(std::function<void(const std::string &)> listener);

    /// Leaks the instance instead of destroying it: used when a call never
    /// returned, because destroying an instance still in use would be worse.
    void abandon() { abandoned_.store(true); }

private:
    PluginInstance(const pgraph_publisher_descriptor &descriptor, std::vector<std::string> secrets,
                   const std::filesystem::path &file, const std::string &identity);

    // Runs `body` (a call into the plugin) with the crash marker set; true when it
    // returned, false when it threw (the instance is then faulted).
    template <typename Body>
    bool guarded(PluginCall call, Body &&body) noexcept;
    void record_fault(std::string reason);

    // The host table's context: lives as long as the instance.
    struct HostContext {
        std::string plugin_name;
        const PluginInstance *owner = nullptr;
    };

    const pgraph_publisher_descriptor &descriptor_;
    std::vector<std::string> secrets_;
    std::unique_ptr<HostContext> host_context_;
    pgraph_host host_{};
    void *instance_ = nullptr;
    std::atomic<bool> abandoned_{false};
    std::array<CrashNote, plugin_call_kinds> crash_notes_;

    mutable std::mutex fault_mutex_;
    std::optional<std::string> fault_;
    std::function<void(const std::string &)> fault_listener_;
    std::atomic<bool> faulted_{false};
};

/// Calls a plugin file's entry point behind the exception firewall: an exception
/// becomes an error carrying its message. A NULL descriptor is returned as is.
common::Result<const pgraph_publisher_descriptor *> call_entry_point(pgraph_publisher_entry_v1_fn entry,
                                                                     const pgraph_negotiation &negotiation);

/// Replaces each secret in `text` with "[redacted]".
std::string redact_secrets(std::string_view text, const std::vector<std::string> &secrets);

}  // namespace productgraph::plugin_host
