// Typed reads of environment variables, failing with a message naming the variable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace productgraph::common {

/// Reads one variable by name: the process environment, or the daemon's view of it
/// (inherited environment overlaid by the env file). Injectable so that tests and
/// reloads need no real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string &name)>;

/// The variable's value in the process environment, or nullopt when unset. Empty
/// counts as set.
std::optional<std::string> env_value(const char *name);

/// true/false (also 1/0, yes/no, on/off, any case); unset -> fallback.
Result<bool> env_bool(const EnvLookup &env, const char *name, bool fallback);

/// An integer within [min, max]; unset -> fallback. `unit` ("ms", "seconds",
/// "bytes") goes into the error so "10s" for a seconds variable explains itself.
Result<int64_t> env_int(const EnvLookup &env, const char *name, int64_t fallback, int64_t min, int64_t max,
                        std::string_view unit = {});

/// A single text value (a path, a name, a keyword); unset -> fallback. Set but
/// empty, or with blanks around it, is an error: an env file's `X=` or `X=dir `
/// is a mistake that would otherwise pick the working directory or a wrong path.
Result<std::string> env_text(const EnvLookup &env, const char *name, std::string fallback);

/// A comma-separated list (split_list); unset -> nullopt. Set but without a
/// single item is an error: `PRODUCTGRAPH_API_KEYS=$UNSET_VAR` must not quietly
/// mean "no keys needed".
Result<std::optional<std::vector<std::string>>> env_list(const EnvLookup &env, const char *name);

/// A boolean parsed from text, or nullopt when it is not a recognised spelling.
std::optional<bool> parse_bool(std::string_view text);

/// Comma-separated list with blanks trimmed and empty items dropped.
std::vector<std::string> split_list(std::string_view text);

}  // namespace productgraph::common
