// Variable names, defaults and ranges in one place; README's table mirrors this file.
#include "daemon/daemon_config.hpp"

#include <system_error>

#include "common/environment.hpp"

// Assigns a Result's value, or returns its error from the enclosing function.
#define PG_TRY_ASSIGN(target, expression)                                                                              \
    do {                                                                                                               \
        auto value_ = (expression);                                                                                    \
        if (!value_) return tl::unexpected(value_.error());                                                            \
        target = static_cast<decltype(target)>(*value_);                                                               \
    } while (false)

namespace productgraph::daemon {
using common::env_bool;
using common::env_int;
using common::env_value;

namespace {

bool running_from_build_tree()
{
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    return !error && self.string().starts_with(std::string(PG_BUILD_TREE) + "/");
}

common::Result<std::string> read_listen_host()
{
    const std::string text = env_value("PRODUCTGRAPH_LISTEN_ADDRESS").value_or("0.0.0.0");
    auto host = http::parse_listen_host(text);
    if (!host) return common::fail("PRODUCTGRAPH_LISTEN_ADDRESS: " + host.error().message);
    return host;
}

common::Result<http::ListenAddress> read_admin_address()
{
    const std::string text = env_value("PRODUCTGRAPH_ADMIN_ADDRESS").value_or("127.0.0.1:8081");
    auto address = http::parse_listen_address(text);
    if (!address) return common::fail("PRODUCTGRAPH_ADMIN_ADDRESS: " + address.error().message);
    return address;
}

}  // namespace

std::filesystem::path default_plugin_dir()
{
    return running_from_build_tree() ? PG_BUILD_PLUGIN_DIR : PG_INSTALL_PLUGIN_DIR;
}

std::filesystem::path default_queue_dir()
{
    if (const auto state = env_value("STATE_DIRECTORY"); state && !state->empty()) {
        // systemd's StateDirectory= may list several folders, separated by ':'.
        return std::filesystem::path(state->substr(0, state->find(':'))) / "queue";
    }
    if (running_from_build_tree()) return std::filesystem::path(PG_BUILD_TREE) / "state" / "queue";
    return "/var/lib/productgraph/queue";
}

common::Result<DaemonConfig> read_daemon_config()
{
    DaemonConfig config;
    PG_TRY_ASSIGN(config.debug, env_bool("DEBUG", false));
    PG_TRY_ASSIGN(config.analytics_enabled, env_bool("ANALYTICS_ENABLED", false));
    PG_TRY_ASSIGN(config.http.port, env_int("PORT", 8080, 0, 65535));
    PG_TRY_ASSIGN(config.http.threads, env_int("PRODUCTGRAPH_HTTP_THREADS", 2, 1, 64));
    config.plugin_dir = env_value("PRODUCTGRAPH_PLUGIN_DIR").value_or(default_plugin_dir().string());
    if (const auto keys = env_value("PRODUCTGRAPH_API_KEYS")) config.http.api_keys = common::split_list(*keys);
    PG_TRY_ASSIGN(config.http.listen_host, read_listen_host());
    PG_TRY_ASSIGN(config.http.admin_address, read_admin_address());
    if (const auto keys = env_value("PRODUCTGRAPH_ADMIN_KEYS")) config.http.admin_keys = common::split_list(*keys);
    PG_TRY_ASSIGN(config.http.access_log, env_bool("PRODUCTGRAPH_ACCESS_LOG", false));
    PG_TRY_ASSIGN(config.http.max_inflight_bytes,
                  env_int("PRODUCTGRAPH_MAX_INFLIGHT_BYTES", 256ll * 1024 * 1024, 64 * 1024, 1ll << 40));
    PG_TRY_ASSIGN(config.http.max_header_bytes, env_int("PRODUCTGRAPH_MAX_HEADER_BYTES", 64 * 1024, 1024, 1024 * 1024));
    PG_TRY_ASSIGN(config.http.max_header_count, env_int("PRODUCTGRAPH_MAX_HEADERS", 100, 8, 10'000));
    int64_t timeout_ms = 0;
    PG_TRY_ASSIGN(timeout_ms, env_int("PRODUCTGRAPH_HEADER_TIMEOUT_MS", 10'000, 100, 3'600'000));
    config.http.header_timeout = std::chrono::milliseconds(timeout_ms);
    PG_TRY_ASSIGN(timeout_ms, env_int("PRODUCTGRAPH_BODY_TIMEOUT_MS", 60'000, 100, 3'600'000));
    config.http.body_timeout = std::chrono::milliseconds(timeout_ms);
    PG_TRY_ASSIGN(timeout_ms, env_int("PRODUCTGRAPH_KEEPALIVE_TIMEOUT_MS", 60'000, 100, 3'600'000));
    config.http.keepalive_timeout = std::chrono::milliseconds(timeout_ms);
    if (const auto origins = env_value("PRODUCTGRAPH_CORS_ORIGINS")) {
        config.http.cors_origins = common::split_list(*origins);
    }
    if (const auto proxies = env_value("PRODUCTGRAPH_TRUSTED_PROXIES")) {
        config.http.trusted_proxies = common::split_list(*proxies);
    }
    const std::string queue_kind = env_value("PRODUCTGRAPH_QUEUE").value_or("disk");
    if (queue_kind != "disk" && queue_kind != "memory") {
        return common::fail("PRODUCTGRAPH_QUEUE: must be disk or memory, got \"" + queue_kind + "\"");
    }
    config.durable_queue = queue_kind == "disk";
    config.queue_dir = env_value("PRODUCTGRAPH_QUEUE_DIR").value_or(default_queue_dir().string());
    auto fsync = queue::parse_fsync_policy(env_value("PRODUCTGRAPH_FSYNC").value_or("always"));
    if (!fsync) return tl::unexpected(fsync.error());
    config.fsync = *fsync;
    PG_TRY_ASSIGN(config.queue_max_events, env_int("PRODUCTGRAPH_QUEUE_MAX_EVENTS", 1'000'000, 1, 1'000'000'000));
    PG_TRY_ASSIGN(config.queue_max_bytes,
                  env_int("PRODUCTGRAPH_QUEUE_MAX_BYTES", 512ll * 1024 * 1024, 1024, 1ll << 40));
    int64_t retry_after_s = 1;
    PG_TRY_ASSIGN(retry_after_s, env_int("PRODUCTGRAPH_RETRY_AFTER", 1, 1, 3600));
    config.http.retry_after = std::chrono::seconds(retry_after_s);

    int64_t ms = 0;
    PG_TRY_ASSIGN(ms, env_int("PRODUCTGRAPH_PUBLISH_TIMEOUT_MS", 30'000, 100, 3'600'000));
    config.worker.publish_timeout = std::chrono::milliseconds(ms);
    PG_TRY_ASSIGN(ms, env_int("PRODUCTGRAPH_PUBLISH_HANG_MS", 30'000, 0, 3'600'000));
    config.hang_grace = std::chrono::milliseconds(ms);
    PG_TRY_ASSIGN(ms, env_int("PRODUCTGRAPH_RETRY_INITIAL_MS", 500, 1, 3'600'000));
    config.worker.retry.initial = std::chrono::milliseconds(ms);
    PG_TRY_ASSIGN(ms, env_int("PRODUCTGRAPH_RETRY_MAX_MS", 60'000, 1, 3'600'000));
    config.worker.retry.maximum = std::chrono::milliseconds(ms);
    int64_t seconds = 0;
    PG_TRY_ASSIGN(seconds, env_int("PRODUCTGRAPH_RETRY_MAX_AGE", 86'400, 1, 365ll * 86'400));
    config.worker.retry_max_age = std::chrono::seconds(seconds);
    PG_TRY_ASSIGN(seconds, env_int("PRODUCTGRAPH_SHUTDOWN_TIMEOUT", 10, 0, 3600));
    config.shutdown_timeout = std::chrono::seconds(seconds);
    return config;
}

}  // namespace productgraph::daemon
