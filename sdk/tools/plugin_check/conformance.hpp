// The conformance checks, each run in its own child process by main.
#pragma once

#include "child_process.hpp"
#include "plugin_session.hpp"

#include <string>
#include <vector>

namespace pgraph::check {

/// What every check needs: the plugin file and the --env values.
struct Target {
    std::string file;
    Environment env;
};

/// One named check; `run` reports failures (and information) from inside the child.
struct Check {
    std::string name;
    void (*run)(const Target &target, const Report &report);
};

/// Every check, in the order they run.
const std::vector<Check> &conformance_checks();

/// Loads the plugin, checks the descriptor as the host would and reports it (info
/// lines) with its variables; the first check.
void describe_plugin(const Target &target, const Report &report);

}  // namespace pgraph::check
