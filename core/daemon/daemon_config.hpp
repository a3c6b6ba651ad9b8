// The daemon's own variables (product-spec §2 plus PRODUCTGRAPH_*), read at start-up
// and again on every reload (where only DEBUG and ANALYTICS_ENABLED take effect).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>

#include "common/environment.hpp"
#include "common/result.hpp"
#include "dispatch/dispatch_worker.hpp"
#include "http/http_settings.hpp"
#include "queue/fsync_policy.hpp"

namespace productgraph::daemon {

struct DaemonConfig {
    bool debug = false;
    bool analytics_enabled = false;  // the master switch; plugins read it through the enable rule
    std::filesystem::path plugin_dir;
    http::HttpSettings http;
    bool durable_queue = true;  // PRODUCTGRAPH_QUEUE=disk (default) or memory
    std::filesystem::path queue_dir;
    queue::FsyncPolicy fsync;
    uint64_t queue_max_events = 1'000'000;  // memory queue only
    uint64_t queue_max_bytes = 512ull * 1024 * 1024;
    dispatch::WorkerSettings worker;
    std::chrono::milliseconds hang_grace{30'000};
    std::chrono::seconds shutdown_timeout{10};
};

/// Reads every variable from `env`; the error names the first bad one.
common::Result<DaemonConfig> read_daemon_config(const common::EnvLookup &env);

/// The queue folder when PRODUCTGRAPH_QUEUE_DIR is unset: systemd's $STATE_DIRECTORY,
/// else the build tree's state/queue when run from the build tree, else
/// /var/lib/productgraph/queue.
std::filesystem::path default_queue_dir(const common::EnvLookup &env);

/// The plugin folder when PRODUCTGRAPH_PLUGIN_DIR is unset: the build tree's when
/// this binary runs from the build tree, else the installed one.
std::filesystem::path default_plugin_dir();

}  // namespace productgraph::daemon
