// The variables the daemon sees: its inherited environment, overlaid by the env file
// named in PRODUCTGRAPH_ENV_FILE. Immutable; a reload builds a new one.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/environment.hpp"
#include "common/result.hpp"

namespace productgraph::daemon {

using Variables = std::map<std::string, std::string>;

/// The process environment as it was when the daemon started. The daemon never
/// changes it (setenv is not thread-safe), so this stays the fallback for every
/// variable the env file does not set.
Variables inherited_environment();

class DaemonEnvironment {
public:
    /// `inherited` overlaid by the file its PRODUCTGRAPH_ENV_FILE names (none when
    /// unset or empty). Fails naming the file and line when the file is unreadable or
    /// malformed.
    static common::Result<DaemonEnvironment> load(const Variables &inherited);

    /// Exactly `variables`, with no file: for tests.
    explicit DaemonEnvironment(Variables variables, std::optional<std::filesystem::path> env_file = std::nullopt);

    std::optional<std::string> get(const std::string &name) const;
    /// A lookup that keeps this environment's variables alive on its own.
    common::EnvLookup lookup() const;
    const Variables &variables() const { return *variables_; }
    /// The env file read, if any.
    const std::optional<std::filesystem::path> &env_file() const { return env_file_; }
    /// How many variables the file set.
    size_t from_file() const { return from_file_; }

private:
    std::shared_ptr<const Variables> variables_;
    std::optional<std::filesystem::path> env_file_;
    size_t from_file_ = 0;
};

}  // namespace productgraph::daemon
