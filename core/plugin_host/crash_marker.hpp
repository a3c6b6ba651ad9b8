// Crash-loop protection: remembers which plugin call was running when the process
// died of a signal, so that the next start marks that plugin failed instead of
// calling it again with the same input (the queue would feed it the same batch).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace productgraph::plugin_host {

/// A crash a previous run recorded: `<directory>/<plugin>.crash`.
struct CrashRecord {
    std::string plugin;         // the descriptor's name
    std::string call;           // "publish", "create", ...
    int signal = 0;             // SIGSEGV, SIGABRT, ...
    std::string file;           // the plugin file it was loaded from
    std::string file_identity;  // a fingerprint of that file's bytes then (or its inode, size and mtime)
    std::filesystem::path record;
};

/// Installs handlers for SIGSEGV, SIGBUS, SIGABRT, SIGFPE and SIGILL that write a
/// crash record when the crashing thread is inside a plugin call, then hand the
/// signal to the handler that was there before (the default action, or a
/// sanitizer's). Creates `directory`. Call at start-up, before any plugin call; a
/// second call only changes the directory.
common::Result<void> install_crash_marker(const std::filesystem::path &directory);

/// The directory given to install_crash_marker; empty when not installed.
const std::filesystem::path &crash_marker_directory();

/// Every crash record in `directory` (for start-up and `productgraphd --check`).
std::vector<CrashRecord> read_crash_records(const std::filesystem::path &directory);

/// "crashed with SIGSEGV in publish during a previous run; replace the plugin file or
/// delete <record> to run it again": the reason shown for a plugin kept off.
std::string describe_crash(const CrashRecord &record);

/// A plugin file's identity from its metadata ("inode:size:mtime_ns"), for when no
/// fingerprint of its bytes is at hand. A record whose identity no longer matches
/// the plugin's is stale (the plugin was replaced) and is removed.
std::string file_identity(const std::filesystem::path &file);

/// What the signal handler writes for one (plugin, call): prepared in advance,
/// because a signal handler may not allocate or format.
class CrashNote {
public:
    CrashNote() = default;
    /// Empty (records nothing) when no crash marker is installed.
    CrashNote(std::string_view plugin, std::string_view call, const std::filesystem::path &plugin_file,
              std::string_view file_identity);

    const std::string &path() const { return path_; }
    const std::string &text() const { return text_; }

private:
    std::string path_;
    std::string text_;
};

/// While alive, a crash of this thread is recorded with `note`. Nests (restores the
/// previous note). Costs two thread-local stores.
class ActivePluginCall {
public:
    explicit ActivePluginCall(const CrashNote &note) noexcept;
    ~ActivePluginCall();
    ActivePluginCall(const ActivePluginCall &) = delete;
    ActivePluginCall &operator=(const ActivePluginCall &) = delete;

private:
    const CrashNote *previous_;
};

}  // namespace productgraph::plugin_host
