// One created plugin instance: owns the opaque pointer and calls through the C ABI.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <productgraph/publisher.h>

#include "common/result.hpp"
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

/// RAII over the plugin's instance: destroy() runs in the destructor, on the thread
/// that owns this object (the control thread), after the worker stopped calling it.
class PluginInstance {
public:
    /// Calls the plugin's create with the settings' values. The error names the
    /// plugin and carries its reason (secrets redacted).
    static common::Result<std::unique_ptr<PluginInstance>> create(const pgraph_publisher_descriptor &descriptor,
                                                                  const PluginSettings &settings);
    ~PluginInstance();
    PluginInstance(const PluginInstance &) = delete;
    PluginInstance &operator=(const PluginInstance &) = delete;

    /// Worker thread only; see publisher.h for the contract.
    pgraph_status publish(const pgraph_batch &batch, pgraph_publish_result &result);
    /// Worker thread only; OK when the plugin has no flush.
    pgraph_status flush(int64_t deadline_unix_ms);
    /// Control thread, after create and before the first publish. Accepted when the
    /// plugin has no verify (a 1.0/1.1 descriptor, or NULL); refused only for FATAL.
    VerifyOutcome verify(int64_t deadline_unix_ms);
    /// Any HTTP thread. Empty when the plugin answers no requests.
    std::optional<PluginResponse> handle_request(std::string_view path, std::string_view query);

    /// Removes secret values from text a plugin produced before it is logged or shown.
    std::string redact(std::string_view text) const;

    const pgraph_publisher_descriptor &descriptor() const { return descriptor_; }
    std::string_view name() const { return descriptor_.name; }

    /// Leaks the instance instead of destroying it: used when a publish never
    /// returned, because destroying an instance still in use would be worse.
    void abandon() { instance_ = nullptr; }

private:
    PluginInstance(const pgraph_publisher_descriptor &descriptor, std::vector<std::string> secrets);

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
};

/// Replaces each secret in `text` with "[redacted]".
std::string redact_secrets(std::string_view text, const std::vector<std::string> &secrets);

}  // namespace productgraph::plugin_host
