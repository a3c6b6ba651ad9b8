// The env file wins over the inherited environment; a variable removed from the file
// falls back to the inherited value at the next reload because both are kept apart.
#include "daemon/daemon_environment.hpp"

#include <unistd.h>

#include "daemon/env_file.hpp"

namespace productgraph::daemon {

Variables inherited_environment()
{
    Variables variables;
    for (char **entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string text = *entry;
        const size_t equals = text.find('=');
        if (equals == std::string::npos) continue;
        variables.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
    return variables;
}

DaemonEnvironment::DaemonEnvironment(Variables variables, std::optional<std::filesystem::path> env_file)
    : variables_(std::make_shared<const Variables>(std::move(variables))), env_file_(std::move(env_file))
{}

common::Result<DaemonEnvironment> DaemonEnvironment::load(const Variables &inherited)
{
    const auto named = inherited.find("PRODUCTGRAPH_ENV_FILE");
    if (named == inherited.end() || named->second.empty()) return DaemonEnvironment(inherited);
    const std::filesystem::path file = named->second;
    auto assignments = read_env_file(file);
    if (!assignments) return tl::unexpected(assignments.error());
    Variables merged = inherited;
    for (const auto &[name, value] : *assignments) merged[name] = value;
    DaemonEnvironment environment(std::move(merged), file);
    environment.from_file_ = assignments->size();
    return environment;
}

std::optional<std::string> DaemonEnvironment::get(const std::string &name) const
{
    const auto it = variables_->find(name);
    if (it == variables_->end()) return std::nullopt;
    return it->second;
}

common::EnvLookup DaemonEnvironment::lookup() const
{
    return [variables = variables_](const std::string &name) -> std::optional<std::string> {
        const auto it = variables->find(name);
        if (it == variables->end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace productgraph::daemon
