// Parsing of the env file named by PRODUCTGRAPH_ENV_FILE (syntax in README "Env file").
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace productgraph::daemon {

/// NAME -> value, as the file sets them.
using EnvAssignments = std::map<std::string, std::string>;

/// Parses env file text. One `NAME=VALUE` per line; blank lines and lines starting
/// with `#` are skipped; whitespace around the name and the value is ignored; a value
/// may be wrapped in double quotes (with \" and \\ escapes) or single quotes (taken
/// literally), and then only a # comment may follow it; an unquoted value runs to the
/// end of the line. The error is "<source>:<line>: <what is wrong>".
common::Result<EnvAssignments> parse_env_file(std::string_view text, const std::string &source);

/// Reads and parses the file; the error names the file (and the line).
common::Result<EnvAssignments> read_env_file(const std::filesystem::path &file);

}  // namespace productgraph::daemon
