// Wires the flow: environment -> config -> plugins -> queue -> dispatch -> HTTP, then
// serves signals (SIGHUP reloads) and takes it down in reverse, draining the queue
// within the timeout.
#include "daemon/daemon.hpp"

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>

#include <pthread.h>
#include <unistd.h>

#include "common/log.hpp"
#include "daemon/build_info.hpp"
#include "daemon/daemon_config.hpp"
#include "daemon/daemon_environment.hpp"
#include "daemon/plugin_set.hpp"
#include "daemon/provider_warnings.hpp"
#include "daemon/reload.hpp"
#include "daemon/systemd_notify.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/listeners.hpp"
#include "http/request_completion.hpp"
#include "plugin_host/plugin_catalog.hpp"
#include "queue/disk_queue.hpp"
#include "queue/memory_queue.hpp"
#include "queue/periodic_task.hpp"

namespace productgraph::daemon {
namespace {

constexpr int startup_error = 2;

// Signals are blocked before any thread starts so that only sigwait() sees them.
sigset_t block_control_signals()
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

// Reloads on SIGHUP until SIGTERM or SIGINT arrives; returns that signal's name.
const char *serve_signals(const sigset_t &signals, DaemonState &state, PluginSet &plugins,
                          const SystemdNotifier &notifier)
{
    while (true) {
        int signal_number = 0;
        if (sigwait(&signals, &signal_number) != 0) continue;
        if (signal_number == SIGHUP) {
            reload(state, plugins, notifier);
            continue;
        }
        return signal_number == SIGTERM ? "SIGTERM" : "SIGINT";
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
        if (entry.instance != nullptr && entry.is_analytics_provider()) ++count;
    }
    return count;
}

// The environment (with the env file) and the daemon's variables; logs and returns
// nothing on a start-up error.
std::optional<DaemonState> read_state()
{
    Variables inherited = inherited_environment();
    auto environment = DaemonEnvironment::load(inherited);
    if (!environment) {
        common::log_error(environment.error().message);
        return std::nullopt;
    }
    if (const auto &file = environment->env_file()) {
        common::log_info("env file read", {{"file", file->string()}, {"variables", environment->from_file()}});
    }
    auto config = read_daemon_config(environment->lookup());
    if (!config) {
        common::log_error(config.error().message);
        return std::nullopt;
    }
    return DaemonState{std::move(inherited), std::move(*environment), std::move(*config)};
}

}  // namespace

int run()
{
    const sigset_t signals = block_control_signals();
    common::log_info("starting productgraphd", {{"version", build_info::version},
                                                {"commit", build_info::git_commit},
                                                {"plugin_abi", build_info::plugin_abi},
                                                {"pid", getpid()}});
    auto state = read_state();
    if (!state) return startup_error;
    const DaemonConfig &config = state->config;
    common::set_log_level(config.debug ? common::LogLevel::debug : common::LogLevel::info);
    const SystemdNotifier notifier(state->inherited);
    common::log_info("loading plugins", {{"plugin_dir", config.plugin_dir.string()}});

    auto catalog = plugin_host::load_plugin_catalog(config.plugin_dir, state->environment.lookup());
    if (!catalog) {
        common::log_error(catalog.error().message);
        return startup_error;
    }
    log_missing_providers(*catalog, state->environment.variables(), config.plugin_dir);
    if (config.analytics_enabled) {
        common::log_info("analytics enabled", {{"publishers", count_analytics_providers(*catalog)}});
    }

    auto opened_queue = open_queue(config);
    if (!opened_queue) {
        common::log_error(opened_queue.error().message);
        return startup_error;
    }
    queue::EventQueue &queue = **opened_queue;  // outlives the dispatcher, declared after it
    const auto dead_letter_dir = config.durable_queue ? config.queue_dir / "dead-letters" : std::filesystem::path();
    dispatch::Dispatcher dispatcher(queue, config.worker, config.hang_grace, dead_letter_dir);
    PluginSet plugins(dispatcher);
    const auto enabled = plugins.start(std::move(*catalog));
    if (!enabled) {
        common::log_error(enabled.error().message);
        return startup_error;
    }
    if (*enabled == 0) common::log_warn("no plugin is enabled: accepted events are not forwarded anywhere");
    dispatcher.start();

    auto context = std::make_shared<http::ApiContext>();
    context->settings = config.http;
    context->queue = &queue;
    context->plugins = &plugins.registry();
    context->dispatcher = &dispatcher;
    http::set_access_log(config.http.access_log || config.debug);
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
                                   {"plugins_enabled", *enabled},
                                   {"fd_limit", fd_limit}});
    notifier.ready("listening on port " + std::to_string(ports->public_port) + " (admin " +
                   std::to_string(ports->admin_port) + "), " + std::to_string(*enabled) + " plugins enabled");
    std::optional<queue::PeriodicTask> watchdog;  // pings until the process ends
    if (const auto interval = notifier.watchdog_interval()) watchdog.emplace(*interval, [&] { notifier.watchdog(); });

    const char *stop_signal = serve_signals(signals, *state, plugins, notifier);
    // Draining: both listeners stay open, /ready answers 503 and new events get 503
    // with Retry-After, so a load balancer sees the drain before the ports close.
    // Refuse first, then say so: whoever reads "shutting down" may rely on the 503s.
    context->accepting.store(false);
    common::log_info("shutting down", {{"signal", stop_signal}});
    notifier.stopping();
    queue.close();  // answers every pending append before anything else stops
    const bool drained = dispatcher.drain(std::chrono::steady_clock::now() + config.shutdown_timeout);
    if (!drained) common::log_error("shutdown timeout reached before every plugin caught up");
    listeners.shutdown();
    dispatcher.stop();
    const bool hung = dispatcher.any_hung();
    plugins.clear();  // destroys every plugin instance that is not stuck in publish
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
