// The crash marker (a crash inside a marked plugin call leaves a record naming the
// plugin, the call and the signal), the entry point's exception firewall, redaction.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "plugin_host/crash_marker.hpp"
#include "plugin_host/plugin_instance.hpp"

using namespace productgraph::plugin_host;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "pg-crash-XXXXXX").string();
        path = mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path); }
};

// Runs `body` in a child process with the crash marker installed in `directory`;
// returns the child's wait status.
template <typename Body>
int in_child(const fs::path &directory, Body body)
{
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Without doctest's own crash report in the child.
        for (const int signal_number : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) std::signal(signal_number, SIG_DFL);
        if (!install_crash_marker(directory)) _exit(90);
        body();
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return status;
}

}  // namespace

TEST_CASE("a signal inside a marked plugin call leaves a record naming the plugin the call and the signal")
{
    TempDir dir;
    const fs::path plugin_file = dir.path / "acme.so";
    std::ofstream(plugin_file) << "pretend plugin";
    const int status = in_child(dir.path / "crashes", [&] {
        const CrashNote note("acme", "publish", plugin_file, "fingerprint-1");
        const ActivePluginCall active(note);
        std::raise(SIGSEGV);
    });
    CHECK(WIFSIGNALED(status));
    const auto records = read_crash_records(dir.path / "crashes");
    REQUIRE(records.size() == 1);
    CHECK(records[0].plugin == "acme");
    CHECK(records[0].call == "publish");
    CHECK(records[0].signal == SIGSEGV);
    CHECK(records[0].file == plugin_file.string());
    CHECK(records[0].file_identity == "fingerprint-1");
    CHECK(describe_crash(records[0]) ==
          "crashed with SIGSEGV in publish during a previous run; replace the plugin file, or delete "
          "crashes/acme.crash under PRODUCTGRAPH_QUEUE_DIR, to run it again");
}

TEST_CASE("a signal outside any plugin call leaves no record and still kills the process")
{
    TempDir dir;
    const int status = in_child(dir.path, [] { std::raise(SIGABRT); });
    CHECK(WIFSIGNALED(status));
    CHECK(read_crash_records(dir.path).empty());
}

TEST_CASE("a marked call that ended leaves no record when the crash comes later")
{
    TempDir dir;
    const int status = in_child(dir.path, [&] {
        {
            const CrashNote note("acme", "flush", dir.path / "acme.so", "fingerprint-1");
            const ActivePluginCall active(note);
        }
        std::raise(SIGABRT);
    });
    CHECK(WIFSIGNALED(status));
    CHECK(read_crash_records(dir.path).empty());
}

TEST_CASE("a replaced plugin file no longer has the identity its crash record holds")
{
    TempDir dir;
    const fs::path plugin_file = dir.path / "acme.so";
    std::ofstream(plugin_file) << "version 1";
    const std::string before = file_identity(plugin_file);
    CHECK_FALSE(before.empty());
    fs::last_write_time(plugin_file, fs::last_write_time(plugin_file) + std::chrono::seconds(2));
    CHECK(file_identity(plugin_file) != before);
}

TEST_CASE("an entry point that throws is refused with the exception's message")
{
    const pgraph_negotiation negotiation{};
    const auto thrown = call_entry_point(
        [](const pgraph_negotiation *) -> const pgraph_publisher_descriptor * { throw std::runtime_error("boom"); },
        negotiation);
    REQUIRE_FALSE(thrown.has_value());
    CHECK(thrown.error().message == "the entry point threw an exception: boom");
    const auto refused = call_entry_point(
        [](const pgraph_negotiation *) -> const pgraph_publisher_descriptor * { return nullptr; }, negotiation);
    REQUIRE(refused.has_value());
    CHECK(*refused == nullptr);
}

TEST_CASE("a secret that occurs inside the redaction marker is redacted once and the call ends")
{
    CHECK(redact_secrets("key=dact and dact", {"dact"}) == "key=[redacted] and [redacted]");
    CHECK(redact_secrets("x", {"x"}) == "[redacted]");
}
