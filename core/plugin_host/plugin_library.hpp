// Loading one plugin file from a private copy and negotiating its ABI version.
#pragma once

#include <filesystem>
#include <string>

#include <boost/dll/shared_library.hpp>

#include <productgraph/publisher.h>

#include "common/result.hpp"

namespace productgraph::plugin_host {

/// The bytes of a plugin file, read once: what gets loaded, and what tells a reload
/// whether the file changed.
struct PluginFileImage {
    std::filesystem::path file;
    std::string bytes;
    std::string fingerprint;  // a hash of the bytes, hex
};

/// Reads `file` whole. The error names the file.
common::Result<PluginFileImage> read_plugin_file(const std::filesystem::path &file);

/// A loaded plugin file. The library stays mapped for the life of the process
/// (RTLD_NODELETE): function pointers taken from it must never dangle. It is loaded
/// from a private in-memory copy (memfd), never from the file itself, so that
/// replacing the file in place (`cp new.so plugins/x.so`) cannot change code that is
/// mapped and running.
struct PluginLibrary {
    std::filesystem::path file;  // the file in the plugin directory it was copied from
    std::string fingerprint;     // of the copy that was loaded
    boost::dll::shared_library library;
    const pgraph_publisher_descriptor *descriptor = nullptr;
};

/// Loads a private copy of `image` (symbols resolved now, kept local), calls its v1
/// entry point and checks the descriptor. Logs the file's path before dlopen and
/// before the entry call, so a plugin that kills the process while loading is named
/// in the last log line. The error names the reason, for a log line.
common::Result<PluginLibrary> load_plugin_library(const PluginFileImage &image);

/// read_plugin_file, then load_plugin_library.
common::Result<PluginLibrary> load_plugin_library(const std::filesystem::path &file);

/// Checks a descriptor against this host: major equal, minor compatible, sizes
/// and required functions present, a valid name, sane limits.
common::Result<void> check_descriptor(const pgraph_publisher_descriptor *descriptor);

/// The version the host speaks, for negotiation and the admin view.
inline constexpr uint32_t host_abi_major = PGRAPH_ABI_MAJOR;
inline constexpr uint32_t host_abi_minor = PGRAPH_ABI_MINOR;

}  // namespace productgraph::plugin_host
