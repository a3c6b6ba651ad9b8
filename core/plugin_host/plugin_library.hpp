// Loading one plugin file and negotiating its ABI version.
#pragma once

#include <filesystem>

#include <boost/dll/shared_library.hpp>

#include <productgraph/publisher.h>

#include "common/result.hpp"

namespace productgraph::plugin_host {

/// A loaded plugin file. The library stays mapped for the life of the process
/// (RTLD_NODELETE): function pointers taken from it must never dangle.
struct PluginLibrary {
    std::filesystem::path file;
    boost::dll::shared_library library;
    const pgraph_publisher_descriptor *descriptor = nullptr;
};

/// Loads `file` (symbols resolved now, kept local), calls its v1 entry point and
/// checks the descriptor. The error names the reason, for a log line.
common::Result<PluginLibrary> load_plugin_library(const std::filesystem::path &file);

/// Checks a descriptor against this host: major equal, minor compatible, sizes
/// and required functions present, a valid name, sane limits.
common::Result<void> check_descriptor(const pgraph_publisher_descriptor *descriptor);

/// The version the host speaks, for negotiation and the admin view.
inline constexpr uint32_t host_abi_major = PGRAPH_ABI_MAJOR;
inline constexpr uint32_t host_abi_minor = PGRAPH_ABI_MINOR;

}  // namespace productgraph::plugin_host
