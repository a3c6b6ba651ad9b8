// A reload is a transaction: read and plan everything first (no side effect but the
// new instances the plan creates), then apply. The daemon-level variables are the
// names read_daemon_config reads, recorded as it reads them, so a variable added
// there is covered here without a second list.
#include "daemon/reload.hpp"

#include <set>

#include "common/log.hpp"
#include "daemon/provider_warnings.hpp"
#include "daemon/reload_plan.hpp"
#include "http/request_completion.hpp"

namespace productgraph::daemon {
namespace {

// Read by read_daemon_config but applied by a reload.
const std::set<std::string> live_variables = {"DEBUG", "ANALYTICS_ENABLED"};

void log_variables_needing_restart(const std::set<std::string> &daemon_variables, const DaemonEnvironment &before,
                                   const DaemonEnvironment &after)
{
    for (const std::string &name : daemon_variables) {
        if (live_variables.contains(name) || before.get(name) == after.get(name)) continue;
        common::log_warn("reload: variable changed; it takes effect at the next restart", {{"variable", name}});
    }
}

common::Result<std::string> try_reload(DaemonState &state, PluginSet &plugins)
{
    auto environment = DaemonEnvironment::load(state.inherited);
    if (!environment) return tl::unexpected(environment.error());
    std::set<std::string> daemon_variables;
    const common::EnvLookup recording = [&](const std::string &name) {
        daemon_variables.insert(name);
        return environment->get(name);
    };
    auto config = read_daemon_config(recording);
    if (!config) return tl::unexpected(config.error());
    // The snapshot is a temporary: holding it past planning would keep retired
    // instances alive.
    auto plan = plan_reload(*plugins.catalog(), state.config.plugin_dir, environment->lookup());
    if (!plan) return tl::unexpected(plan.error());

    // Checked: from here on the reload happens.
    log_variables_needing_restart(daemon_variables, state.environment, *environment);
    if (config->debug != state.config.debug) {
        common::set_log_level(config->debug ? common::LogLevel::debug : common::LogLevel::info);
        http::set_access_log(state.config.http.access_log || config->debug);  // DEBUG includes the access log
    }
    log_missing_providers(plan->catalog, environment->variables(), state.config.plugin_dir);
    const AppliedChanges applied = plugins.apply(std::move(*plan));
    state.environment = std::move(*environment);
    state.config.debug = config->debug;
    state.config.analytics_enabled = config->analytics_enabled;
    common::log_info("reload done", {{"started", applied.started},
                                     {"stopped", applied.stopped},
                                     {"restarted", applied.restarted},
                                     {"unchanged", applied.unchanged},
                                     {"failed", applied.failed}});
    return "reloaded: " + std::to_string(applied.started) + " started, " + std::to_string(applied.stopped) +
           " stopped, " + std::to_string(applied.restarted) + " restarted, " + std::to_string(applied.unchanged) +
           " unchanged" + (applied.failed > 0 ? ", " + std::to_string(applied.failed) + " failed" : "");
}

}  // namespace

std::string reload(DaemonState &state, PluginSet &plugins, const SystemdNotifier &notifier)
{
    notifier.reloading("reloading");
    common::log_info("reload requested", {{"env_file", state.environment.env_file().value_or("").string()}});
    std::string status;
    if (auto reloaded = try_reload(state, plugins)) {
        status = std::move(*reloaded);
    } else {
        common::log_error("reload failed; nothing was changed", {{"reason", reloaded.error().message}});
        status = "reload failed, nothing changed: " + reloaded.error().message;
    }
    notifier.ready(status);
    return status;
}

}  // namespace productgraph::daemon
