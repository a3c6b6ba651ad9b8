// Variable names, defaults and ranges in one place; README's table mirrors this file.
#include "daemon/daemon_config.hpp"

#include <system_error>

#include "common/environment.hpp"
#include "daemon/api_variables.hpp"

// Assigns a Result's value, or returns its error from the enclosing function.
#define PG_TRY_ASSIGN(target, expression)                                                                              \
    do {                                                                                                               \
        auto value_ = (expression);                                                                                    \
        if (!value_) return tl::unexpected(value_.error());                                                            \
        target = static_cast<decltype(target)>(*value_);                                                               \
    } while (false)

namespace productgraph::daemon {
namespace {

bool running_from_build_tree()
{
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    return !error && self.string().starts_with(std::string(PG_BUILD_TREE) + "/");
}

common::Result<std::string> read_listen_host(const common::EnvLookup &env)
{
    auto text = common::env_text(env, "PRODUCTGRAPH_LISTEN_ADDRESS", "0.0.0.0");
    if (!text) return tl::unexpected(text.error());
    auto host = http::parse_listen_host(*text);
    if (!host) return common::fail("PRODUCTGRAPH_LISTEN_ADDRESS: " + host.error().message);
    return host;
}

common::Result<http::ListenAddress> read_admin_address(const common::EnvLookup &env)
{
    auto text = common::env_text(env, "PRODUCTGRAPH_ADMIN_ADDRESS", "127.0.0.1:8081");
    if (!text) return tl::unexpected(text.error());
    auto address = http::parse_listen_address(*text);
    if (!address) return common::fail("PRODUCTGRAPH_ADMIN_ADDRESS: " + address.error().message);
    return address;
}

}  // namespace

std::filesystem::path default_plugin_dir()
{
    if (running_from_build_tree()) return PG_BUILD_PLUGIN_DIR;
    // Installed: the plugins sit at a fixed place relative to the binary
    // (<prefix>/sbin/../<libdir>/productgraph/plugins), so any --prefix or DESTDIR
    // install and a moved tree still find their own plugins.
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) return PG_CONFIGURED_PLUGIN_DIR;  // no /proc: where the configured prefix put them
    return (self.parent_path() / PG_PLUGIN_DIR_FROM_SBIN).lexically_normal();
}

std::filesystem::path default_queue_dir(const common::EnvLookup &env)
{
    if (const auto state = env("STATE_DIRECTORY"); state && !state->empty()) {
        // systemd's StateDirectory= may list several folders, separated by ':'.
        return std::filesystem::path(state->substr(0, state->find(':'))) / "queue";
    }
    if (running_from_build_tree()) return std::filesystem::path(PG_BUILD_TREE) / "state" / "queue";
    return "/var/lib/productgraph/queue";
}

common::Result<DaemonConfig> read_daemon_config(const common::EnvLookup &env)
{
    const auto env_value = [&env](const char *name) { return env(name); };
    const auto env_bool = [&env](const char *name, bool fallback) { return common::env_bool(env, name, fallback); };
    const auto env_int = [&env](const char *name, int64_t fallback, int64_t min, int64_t max,
                                std::string_view unit = {}) {
        return common::env_int(env, name, fallback, min, max, unit);
    };
    const auto env_text = [&env](const char *name, std::string fallback) {
        return common::env_text(env, name, std::move(fallback));
    };
    DaemonConfig config;
    PG_TRY_ASSIGN(config.debug, env_bool("DEBUG", false));
    PG_TRY_ASSIGN(config.analytics_enabled, env_bool("ANALYTICS_ENABLED", false));
    PG_TRY_ASSIGN(config.http.port, env_int("PORT", 8080, 0, 65535));
    PG_TRY_ASSIGN(config.http.threads, env_int("PRODUCTGRAPH_HTTP_THREADS", 2, 1, 64));
    PG_TRY_ASSIGN(config.plugin_dir, env_text("PRODUCTGRAPH_PLUGIN_DIR", default_plugin_dir().string()));
    PG_TRY_ASSIGN(config.http.api_keys, read_api_keys(env));
    PG_TRY_ASSIGN(config.http.listen_host, read_listen_host(env));
    PG_TRY_ASSIGN(config.http.admin_address, read_admin_address(env));
    PG_TRY_ASSIGN(config.http.admin_keys, read_admin_keys(env));
    PG_TRY_ASSIGN(config.http.access_log, env_bool("PRODUCTGRAPH_ACCESS_LOG", false));
    PG_TRY_ASSIGN(config.http.max_inflight_bytes,
                  env_int("PRODUCTGRAPH_MAX_INFLIGHT_BYTES", 256ll * 1024 * 1024, 64 * 1024, 1ll << 40, "bytes"));
    PG_TRY_ASSIGN(config.http.max_header_bytes,
                  env_int("PRODUCTGRAPH_MAX_HEADER_BYTES", 64 * 1024, 1024, 1024 * 1024, "bytes"));
    PG_TRY_ASSIGN(config.http.max_header_count, env_int("PRODUCTGRAPH_MAX_HEADERS", 100, 8, 10'000));
    int64_t timeout_ms = 0;
    PG_TRY_ASSIGN(timeout_ms, env_int("PRODUCTGRAPH_HEADER_TIMEOUT_MS", 10'000, 100, 3'600'000, "ms"));
    config.http.header_timeout = std::chrono::milliseconds(timeout_ms);
    PG_TRY_ASSIGN(timeout_ms, env_int("PRODUCTGRAPH_BODY_TIMEOUT_MS", 60'000, 100, 3'600'000, "ms"));
    config.http.body_timeout = std::chrono::milliseconds(timeout_ms);
    PG_TRY_ASSIGN(timeout_ms, env_int("PRODUCTGRAPH_KEEPALIVE_TIMEOUT_MS", 60'000, 100, 3'600'000, "ms"));
    config.http.keepalive_timeout = std::chrono::milliseconds(timeout_ms);
    PG_TRY_ASSIGN(config.http.cors_origins, read_cors_origins(env));
    PG_TRY_ASSIGN(config.http.trusted_proxies, read_trusted_proxies(env));
    PG_TRY_ASSIGN(config.http.default_project_id, read_default_project_id(env));
    std::string queue_kind;
    PG_TRY_ASSIGN(queue_kind, env_text("PRODUCTGRAPH_QUEUE", "disk"));
    if (queue_kind != "disk" && queue_kind != "memory") {
        return common::fail("PRODUCTGRAPH_QUEUE: must be disk or memory, got \"" + queue_kind + "\"");
    }
    config.durable_queue = queue_kind == "disk";
    PG_TRY_ASSIGN(config.queue_dir, env_text("PRODUCTGRAPH_QUEUE_DIR", default_queue_dir(env).string()));
    std::string fsync_text;
    PG_TRY_ASSIGN(fsync_text, env_text("PRODUCTGRAPH_FSYNC", "always"));
    auto fsync = queue::parse_fsync_policy(fsync_text);
    if (!fsync) return tl::unexpected(fsync.error());
    config.fsync = *fsync;
    PG_TRY_ASSIGN(config.queue_max_events, env_int("PRODUCTGRAPH_QUEUE_MAX_EVENTS", 1'000'000, 1, 1'000'000'000));
    PG_TRY_ASSIGN(config.queue_max_bytes,
                  env_int("PRODUCTGRAPH_QUEUE_MAX_BYTES", 512ll * 1024 * 1024, 1024, 1ll << 40, "bytes"));
    int64_t retry_after_s = 1;
    PG_TRY_ASSIGN(retry_after_s, env_int("PRODUCTGRAPH_RETRY_AFTER", 1, 1, 3600, "seconds"));
    config.http.retry_after = std::chrono::seconds(retry_after_s);

    int64_t ms = 0;
    PG_TRY_ASSIGN(ms, env_int("PRODUCTGRAPH_PUBLISH_TIMEOUT_MS", 30'000, 100, 3'600'000, "ms"));
    config.worker.publish_timeout = std::chrono::milliseconds(ms);
    PG_TRY_ASSIGN(ms, env_int("PRODUCTGRAPH_PUBLISH_HANG_MS", 30'000, 0, 3'600'000, "ms"));
    config.hang_grace = std::chrono::milliseconds(ms);
    PG_TRY_ASSIGN(ms, env_int("PRODUCTGRAPH_RETRY_INITIAL_MS", 500, 1, 3'600'000, "ms"));
    config.worker.retry.initial = std::chrono::milliseconds(ms);
    PG_TRY_ASSIGN(ms, env_int("PRODUCTGRAPH_RETRY_MAX_MS", 60'000, 1, 3'600'000, "ms"));
    config.worker.retry.maximum = std::chrono::milliseconds(ms);
    if (config.worker.retry.initial > config.worker.retry.maximum && !env_value("PRODUCTGRAPH_RETRY_INITIAL_MS")) {
        config.worker.retry.initial = config.worker.retry.maximum;  // only the maximum was lowered: follow it
    } else if (config.worker.retry.initial > config.worker.retry.maximum) {
        return common::fail("PRODUCTGRAPH_RETRY_INITIAL_MS: must not exceed PRODUCTGRAPH_RETRY_MAX_MS (" +
                            std::to_string(config.worker.retry.maximum.count()) + "), got " +
                            std::to_string(config.worker.retry.initial.count()));
    }
    int64_t seconds = 0;
    PG_TRY_ASSIGN(seconds, env_int("PRODUCTGRAPH_RETRY_MAX_AGE", 86'400, 1, 365ll * 86'400, "seconds"));
    config.worker.retry_max_age = std::chrono::seconds(seconds);
    PG_TRY_ASSIGN(seconds, env_int("PRODUCTGRAPH_SHUTDOWN_TIMEOUT", 10, 0, 3600, "seconds"));
    config.shutdown_timeout = std::chrono::seconds(seconds);
    return config;
}

}  // namespace productgraph::daemon
