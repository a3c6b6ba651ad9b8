// The crash record's signal handler (async-signal-safe: open/write/fsync/close,
// sigaction, raise, nothing else) and the start-up side that reads the records.
#include "plugin_host/crash_marker.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

namespace productgraph::plugin_host {
namespace {

constexpr std::array crash_signals{SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};

// Written once at start-up, before any thread that could crash in a plugin exists.
std::filesystem::path marker_directory;
std::array<struct sigaction, crash_signals.size()> previous_actions{};

// The plugin call this thread is in. Static TLS in the executable: readable from a
// signal handler without allocating.
thread_local const CrashNote *current_note = nullptr;

void write_all(int fd, const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n <= 0) return;
        data += n;
        size -= static_cast<size_t>(n);
    }
}

// Decimal digits of a small non-negative number into `out`; returns the length.
size_t format_number(int value, char *out)
{
    char reversed[12];
    size_t length = 0;
    unsigned number = value < 0 ? 0u : static_cast<unsigned>(value);
    do {
        reversed[length++] = static_cast<char>('0' + number % 10);
        number /= 10;
    } while (number > 0 && length < sizeof reversed);
    for (size_t i = 0; i < length; ++i) out[i] = reversed[length - 1 - i];
    return length;
}

void on_crash(int signal_number, siginfo_t *, void *)
{
    const int saved_errno = errno;
    if (const CrashNote *note = current_note; note != nullptr && !note->path().empty()) {
        const int fd = ::open(note->path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            write_all(fd, note->text().data(), note->text().size());
            char line[32] = "signal=";
            size_t length = 7 + format_number(signal_number, line + 7);
            line[length++] = '\n';
            write_all(fd, line, length);
            ::fsync(fd);
            ::close(fd);
        }
    }
    // Hand the signal on to whoever had it before (the default action kills the
    // process; a sanitizer reports first). It is blocked while this handler runs,
    // so the raised one arrives as the handler returns.
    for (size_t i = 0; i < crash_signals.size(); ++i) {
        if (crash_signals[i] == signal_number) ::sigaction(signal_number, &previous_actions[i], nullptr);
    }
    ::raise(signal_number);
    errno = saved_errno;
}

std::string signal_name(int signal_number)
{
    switch (signal_number) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGABRT: return "SIGABRT";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    default: return "signal " + std::to_string(signal_number);
    }
}

}  // namespace

common::Result<void> install_crash_marker(const std::filesystem::path &directory)
{
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) return common::fail("cannot create " + directory.string() + ": " + error.message());
    const bool installed = !marker_directory.empty();
    marker_directory = directory;
    // Once: a second install would save this handler as "the one before" and loop.
    if (installed) return {};
    struct sigaction action {};
    action.sa_sigaction = on_crash;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < crash_signals.size(); ++i) {
        if (::sigaction(crash_signals[i], &action, &previous_actions[i]) != 0) {
            return common::fail("cannot install the crash marker: " + std::string(std::strerror(errno)));
        }
    }
    return {};
}

const std::filesystem::path &crash_marker_directory()
{
    return marker_directory;
}

std::string file_identity(const std::filesystem::path &file)
{
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) return {};
    const long long mtime_ns = static_cast<long long>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
    return std::to_string(info.st_ino) + ":" + std::to_string(info.st_size) + ":" + std::to_string(mtime_ns);
}

std::vector<CrashRecord> read_crash_records(const std::filesystem::path &directory)
{
    std::vector<CrashRecord> records;
    std::error_code error;
    for (const auto &item : std::filesystem::directory_iterator(directory, error)) {
        if (item.path().extension() != ".crash") continue;
        CrashRecord record;
        record.record = item.path();
        std::ifstream in(item.path());
        for (std::string line; std::getline(in, line);) {
            const size_t equals = line.find('=');
            if (equals == std::string::npos) continue;
            const std::string key = line.substr(0, equals);
            const std::string value = line.substr(equals + 1);
            if (key == "plugin") record.plugin = value;
            if (key == "call") record.call = value;
            if (key == "file") record.file = value;
            if (key == "file_identity") record.file_identity = value;
            if (key == "signal") record.signal = std::atoi(value.c_str());
        }
        // A record torn by a second crash still names its plugin in the file name.
        if (record.plugin.empty()) record.plugin = item.path().stem().string();
        records.push_back(std::move(record));
    }
    return records;
}

std::string describe_crash(const CrashRecord &record)
{
    const std::string call = record.call.empty() ? "a plugin call" : record.call;
    const std::string signal = record.signal > 0 ? " with " + signal_name(record.signal) : "";
    const std::string where = (record.record.parent_path().filename() / record.record.filename()).string();
    return "crashed" + signal + " in " + call + " during a previous run; replace the plugin file, or delete " + where +
           " under PRODUCTGRAPH_QUEUE_DIR, to run it again";
}

CrashNote::CrashNote(std::string_view plugin, std::string_view call, const std::filesystem::path &plugin_file,
                     std::string_view identity)
{
    if (marker_directory.empty()) return;
    path_ = (marker_directory / (std::string(plugin) + ".crash")).string();
    text_ = "plugin=" + std::string(plugin) + "\ncall=" + std::string(call) + "\nfile=" + plugin_file.string() +
            "\nfile_identity=" + std::string(identity) + "\n";
}

ActivePluginCall::ActivePluginCall(const CrashNote &note) noexcept : previous_(current_note)
{
    current_note = &note;
}

ActivePluginCall::~ActivePluginCall()
{
    current_note = previous_;
}

}  // namespace productgraph::plugin_host
