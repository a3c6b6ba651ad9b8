// Process metrics read from /proc describe this very process.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "metrics/process_metrics.hpp"

using namespace productgraph::metrics;

TEST_CASE("the process sample sees a descriptor opened by the process")
{
    const auto before = sample_process();
    REQUIRE(before.has_value());
    const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    const auto during = sample_process();
    ::close(fd);
    REQUIRE(during.has_value());
    CHECK(during->open_fds == before->open_fds + 1);
    CHECK(during->max_fds >= during->open_fds);
}

TEST_CASE("the process sample has a start time in the past and resident memory")
{
    const auto sample = sample_process();
    REQUIRE(sample.has_value());
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(sample->start_time_seconds <= now + 1);
    CHECK(sample->start_time_seconds > now - 3600);  // this test binary started within the hour
    CHECK(sample->resident_bytes > 1024 * 1024);
    CHECK(sample->virtual_bytes >= sample->resident_bytes);
    CHECK(sample->cpu_seconds >= 0);
}

TEST_CASE("the process families are written with their standard names")
{
    Exposition out;
    render_process_metrics(out);
    for (const std::string name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                                   "process_start_time_seconds", "process_open_fds", "process_max_fds"}) {
        CHECK(out.text().find("# TYPE " + name + " ") != std::string::npos);
        CHECK(out.text().find("\n" + name + " ") != std::string::npos);
    }
}
