// productgraphd's command line: which command to run, and the texts it prints.
#pragma once

#include <string>

#include "common/result.hpp"

namespace productgraph::daemon {

enum class Command { run, help, version, check, list_plugins };

/// No argument runs the daemon; otherwise exactly one of --help (-h), --version,
/// --check, --list-plugins. Anything else is an error naming the argument.
common::Result<Command> parse_command_line(int argc, const char *const *argv);

/// One line per option, for errors (on stderr, exit 2).
std::string usage_text();
/// Usage, every variable briefly, the env file syntax and the signals: self-contained,
/// so that it needs no man page.
std::string help_text();
/// "productgraphd <version>" then the git commit and the plugin ABI.
std::string version_text();

/// Parses argv and runs the command; returns the process exit code.
int run_command_line(int argc, const char *const *argv);

}  // namespace productgraph::daemon
