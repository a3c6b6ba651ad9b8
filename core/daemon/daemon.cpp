// Wires the flow: config -> plugins -> queue -> dispatch -> HTTP, then waits for a
// signal and takes it down in reverse, draining the queue within the timeout.
#include "daemon/daemon.hpp"

#include <csignal>
#include <cstdio>
#include <memory>

#include <pthread.h>
#include <unistd.h>

#include "common/log.hpp"
#include "daemon/daemon_config.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/listeners.hpp"
#include "http/request_completion.hpp"
#include "plugin_host/plugin_catalog.hpp"
#include "queue/disk_queue.hpp"
#include "queue/memory_queue.hpp"

namespace productgraph::daemon {
namespace {

constexpr int startup_error = 2;

// Signals are blocked before any thread starts so that only sigwait() sees them.
sigset_t block_shutdown_signals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a client hanging up must not kill the daemon
    return signals;
}

void wait_for_shutdown_signal(const sigset_t &signals)
{
    while (true) {
        int signal_number = 0;
        if (sigwait(&signals, &signal_number) != 0) continue;
        if (signal_number == SIGHUP) {
            common::log_warn("SIGHUP: plugin reload is not supported yet; restart to pick up plugin changes");
            continue;
        }
        common::log_info("shutting down", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
        return;
    }
}

// The durable queue unless PRODUCTGRAPH_QUEUE=memory asks for the throwaway one.
common::Result<std::unique_ptr<queue::EventQueue>> open_queue(const DaemonConfig &config)
{
    if (!config.durable_queue) {
        common::log_warn("PRODUCTGRAPH_QUEUE=memory: queued events are lost on exit or crash");
        return std::make_unique<queue::MemoryQueue>(config.queue_max_events, config.queue_max_bytes);
    }
    queue::DiskQueueOptions options;
    options.directory = config.queue_dir;
    options.max_bytes = config.queue_max_bytes;
    options.fsync = config.fsync;
    auto disk = queue::DiskQueue::open(options);
    if (!disk) return tl::unexpected(disk.error());
    return std::unique_ptr<queue::EventQueue>(std::move(*disk));
}

size_t count_analytics_providers(const std::vector<plugin_host::PluginEntry> &catalog)
{
    size_t count = 0;
    for (const auto &entry : catalog) {
        if (entry.instance != nullptr && (entry.library.descriptor->flags & PGRAPH_PLUGIN_ANALYTICS_PROVIDER) != 0) {
            ++count;
        }
    }
    return count;
}

}  // namespace

int run()
{
    const sigset_t signals = block_shutdown_signals();
    auto config = read_daemon_config();
    if (!config) {
        common::log_error(config.error().message);
        return startup_error;
    }
    common::set_log_level(config->debug ? common::LogLevel::debug : common::LogLevel::info);
    common::log_info("starting productgraphd", {{"plugin_dir", config->plugin_dir.string()}});

    auto catalog = plugin_host::load_plugin_catalog(config->plugin_dir, plugin_host::process_environment());
    if (!catalog) {
        common::log_error(catalog.error().message);
        return startup_error;
    }
    if (config->analytics_enabled) {
        common::log_info("analytics enabled", {{"publishers", count_analytics_providers(*catalog)}});
    }

    auto opened_queue = open_queue(*config);
    if (!opened_queue) {
        common::log_error(opened_queue.error().message);
        return startup_error;
    }
    queue::EventQueue &queue = **opened_queue;  // outlives the dispatcher, declared after it
    const auto dead_letter_dir = config->durable_queue ? config->queue_dir / "dead-letters" : std::filesystem::path();
    dispatch::Dispatcher dispatcher(queue, config->worker, config->hang_grace, dead_letter_dir);
    size_t enabled = 0;
    for (auto &entry : *catalog) {
        if (entry.instance == nullptr) continue;
        if (auto added = dispatcher.add_plugin(*entry.instance); !added) {
            common::log_error(added.error().message);
            return startup_error;
        }
        ++enabled;
    }
    if (enabled == 0) common::log_warn("no plugin is enabled: accepted events are not forwarded anywhere");
    dispatcher.start();

    auto context = std::make_shared<http::ApiContext>();
    context->settings = config->http;
    context->queue = &queue;
    context->plugins = &*catalog;
    context->dispatcher = &dispatcher;
    http::set_access_log(config->http.access_log || config->debug);
    const uint64_t fd_limit = http::raise_fd_limit();
    http::Listeners listeners(context);
    const auto ports = listeners.start();
    if (!ports) {
        common::log_error(ports.error().message);
        dispatcher.stop();
        return startup_error;
    }
    common::log_info("listening", {{"port", ports->public_port},
                                   {"admin_port", ports->admin_port},
                                   {"plugins_enabled", enabled},
                                   {"fd_limit", fd_limit}});

    wait_for_shutdown_signal(signals);
    // Draining: both listeners stay open, /ready answers 503 and new events get 503
    // with Retry-After, so a load balancer sees the drain before the ports close.
    context->accepting.store(false);
    queue.close();  // answers every pending append before anything else stops
    const bool drained = dispatcher.drain(std::chrono::steady_clock::now() + config->shutdown_timeout);
    if (!drained) common::log_error("shutdown timeout reached before every plugin caught up");
    listeners.shutdown();
    dispatcher.stop();
    const bool hung = dispatcher.any_hung();
    catalog->clear();  // destroys every plugin instance that is not stuck in publish
    common::log_info("stopped");
    if (hung) {
        // A thread is still inside a plugin's publish; normal exit would run static
        // destructors under it. Leave without them.
        std::fflush(nullptr);
        _exit(0);
    }
    return 0;
}

}  // namespace productgraph::daemon
