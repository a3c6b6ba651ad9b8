// Runs productgraphd once with arguments (--check, --version...) and collects what it
// printed and how it exited.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace productgraph::testing {

struct CommandResult {
    int exit_code = -1;  // 128+n when killed by signal n
    std::string out;     // stdout
    std::string err;     // stderr
};

/// Runs the productgraphd binary with `arguments` and exactly `env` (plus the
/// sanitizer settings and PATH), waits up to 30 s for it to exit.
CommandResult run_productgraphd(const std::vector<std::string> &arguments,
                                const std::map<std::string, std::string> &env);

}  // namespace productgraph::testing
