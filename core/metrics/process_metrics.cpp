// /proc/self/stat fields per proc(5): utime (14), stime (15) and starttime (22) in
// clock ticks, vsize (23) in bytes, rss (24) in pages. The command name (2) may hold
// spaces and parentheses, so fields are counted from the last ')'.
#include "metrics/process_metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace productgraph::metrics {
namespace {

std::optional<std::string> read_file(const char *path)
{
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Seconds since the epoch at which the machine booted (btime in /proc/stat).
std::optional<uint64_t> boot_time()
{
    std::ifstream in("/proc/stat");
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            uint64_t seconds = 0;
            if (in >> seconds) return seconds;
            return std::nullopt;
        }
        in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return std::nullopt;
}

// Entries of /proc/self/fd, not counting the descriptor used to list them.
std::optional<uint64_t> count_open_fds()
{
    DIR *dir = opendir("/proc/self/fd");
    if (dir == nullptr) return std::nullopt;
    const std::string own = std::to_string(dirfd(dir));
    uint64_t count = 0;
    while (const dirent *entry = readdir(dir)) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != ".." && name != own) ++count;
    }
    closedir(dir);
    return count;
}

}  // namespace

std::optional<ProcessSample> sample_process()
{
    const auto stat = read_file("/proc/self/stat");
    const auto booted = boot_time();
    const auto fds = count_open_fds();
    if (!stat || !booted || !fds) return std::nullopt;
    const size_t close = stat->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(stat->substr(close + 1));
    std::vector<std::string> after;  // after[0] is field 3 (state)
    for (std::string field; fields >> field;) after.push_back(field);
    if (after.size() < 22) return std::nullopt;
    const auto field = [&](size_t number) { return std::stoull(after[number - 3]); };

    const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    ProcessSample sample;
    sample.cpu_seconds = static_cast<double>(field(14) + field(15)) / ticks;
    sample.start_time_seconds = static_cast<double>(*booted) + static_cast<double>(field(22)) / ticks;
    sample.virtual_bytes = field(23);
    sample.resident_bytes = field(24) * page;
    sample.open_fds = *fds;
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) sample.max_fds = limit.rlim_cur;
    return sample;
}

void render_process_metrics(Exposition &out)
{
    const auto sample = sample_process();
    if (!sample) return;
    out.family("process_cpu_seconds_total", MetricType::counter, "Total user and system CPU time spent in seconds.");
    out.sample("process_cpu_seconds_total", {}, sample->cpu_seconds);
    out.family("process_resident_memory_bytes", MetricType::gauge, "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", {}, sample->resident_bytes);
    out.family("process_virtual_memory_bytes", MetricType::gauge, "Virtual memory size in bytes.");
    out.sample("process_virtual_memory_bytes", {}, sample->virtual_bytes);
    out.family("process_start_time_seconds", MetricType::gauge,
               "Start time of the process since unix epoch in seconds.");
    out.sample("process_start_time_seconds", {}, sample->start_time_seconds);
    out.family("process_open_fds", MetricType::gauge, "Number of open file descriptors.");
    out.sample("process_open_fds", {}, sample->open_fds);
    out.family("process_max_fds", MetricType::gauge, "Maximum number of open file descriptors.");
    out.sample("process_max_fds", {}, sample->max_fds);
}

}  // namespace productgraph::metrics
