// Order matters in a reload: the dispatcher changes first (a stopped plugin's cursor
// is saved before anything else runs), the catalog snapshot second, and the old
// instances are destroyed last, when nothing can reach them any more.
#include "daemon/plugin_set.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/log.hpp"

namespace productgraph::daemon {

using plugin_host::PluginEntry;
using plugin_host::PluginInstance;

namespace {

std::vector<std::shared_ptr<PluginInstance>> running_instances(const std::vector<PluginEntry> &catalog)
{
    std::vector<std::shared_ptr<PluginInstance>> instances;
    for (const PluginEntry &entry : catalog) {
        if (entry.instance != nullptr) instances.push_back(entry.instance);
    }
    return instances;
}

}  // namespace

PluginSet::~PluginSet()
{
    clear();
}

common::Result<size_t> PluginSet::start(std::vector<PluginEntry> catalog)
{
    size_t enabled = 0;
    for (const PluginEntry &entry : catalog) {
        if (entry.instance == nullptr) continue;
        if (auto added = dispatcher_.add_plugin(entry.instance); !added) return tl::unexpected(added.error());
        if (!entry.credentials_refused.empty()) dispatcher_.fail_plugin(entry.name, entry.credentials_refused);
        ++enabled;
    }
    registry_.publish(std::move(catalog));
    return enabled;
}

AppliedChanges PluginSet::apply(ReloadPlan plan)
{
    AppliedChanges applied;
    applied.unchanged = plan.unchanged;
    std::vector<std::shared_ptr<PluginInstance>> retired = running_instances(*registry_.snapshot());
    for (PluginChange &change : plan.changes) {
        common::Result<void> done;
        uint64_t undelivered = 0;
        switch (change.kind) {
        case PluginChange::Kind::stop: undelivered = dispatcher_.remove_plugin(change.name); break;
        case PluginChange::Kind::restart: done = dispatcher_.replace_plugin(change.instance); break;
        case PluginChange::Kind::start: done = dispatcher_.add_plugin(change.instance); break;
        }
        if (!done) {
            ++applied.failed;
            common::log_error("reload: plugin not changed",
                              {{"plugin", change.name}, {"file", change.file}, {"reason", done.error().message}});
            // The catalog must not show it running when the dispatcher does not run it.
            for (PluginEntry &entry : plan.catalog) {
                if (entry.instance != change.instance || entry.instance == nullptr) continue;
                entry.state = plugin_host::PluginState::failed;
                entry.reason = done.error().message;
                entry.instance.reset();
            }
            continue;
        }
        for (const PluginEntry &entry : plan.catalog) {
            if (change.kind != PluginChange::Kind::stop && entry.instance == change.instance &&
                !entry.credentials_refused.empty()) {
                dispatcher_.fail_plugin(entry.name, entry.credentials_refused);
            }
        }
        switch (change.kind) {
        case PluginChange::Kind::stop: ++applied.stopped; break;
        case PluginChange::Kind::restart: ++applied.restarted; break;
        case PluginChange::Kind::start: ++applied.started; break;
        }
        common::log_info(
            "reload: plugin " + std::string(change_name(change.kind)),
            {{"plugin", change.name}, {"file", change.file}, {"why", change.why}, {"undelivered_events", undelivered}});
    }
    plan.changes.clear();  // drop the plan's references before counting who else holds one
    registry_.publish(std::move(plan.catalog));
    const std::vector<std::shared_ptr<PluginInstance>> kept = running_instances(*registry_.snapshot());
    std::erase_if(retired, [&kept](const std::shared_ptr<PluginInstance> &instance) {
        return std::find(kept.begin(), kept.end(), instance) != kept.end();
    });
    destroy_when_unused(std::move(retired));
    return applied;
}

void PluginSet::clear()
{
    // The dispatcher has stopped and let go of every instance it does not need to
    // leak: publishing an empty catalog drops the last references, here.
    registry_.publish({});
}

void PluginSet::destroy_when_unused(std::vector<std::shared_ptr<PluginInstance>> instances)
{
    using namespace std::chrono;
    // destroy must run on the control thread after every other call returned (ABI.md
    // §3). An admin request may still hold the previous snapshot for a moment, and a
    // worker abandoned inside publish holds its instance for ever (then it is leaked).
    for (auto &instance : instances) {
        const auto deadline = steady_clock::now() + seconds(5);
        while (instance.use_count() > 1 && steady_clock::now() < deadline) std::this_thread::sleep_for(milliseconds(1));
        if (instance.use_count() > 1) {
            common::log_warn("plugin instance still in use; it is left alive", {{"plugin", instance->name()}});
        }
        instance.reset();
    }
}

}  // namespace productgraph::daemon
