// Disk queue vs memory queue, measured in the same run: append throughput of 50-event
// batches from 8 threads (DiskQueue with fsync=always), and resident memory before and
// after building a large backlog on disk. Numbers to read, not a test.
//
//   pg_bench_queue [--events N] [--seconds S] [--rounds R] [--threads T] [--dir DIR]
//
// --events: backlog size for the memory measurement (default 5,000,000: ~2.2 GB on disk, ~10 s)
// --seconds: length of each throughput run (default 2); --rounds: runs per queue (default 3)
// --threads: concurrent appenders (default 8; the daemon appends from its HTTP threads)
// --dir: where the disk queue lives (default: a fresh directory under $TMPDIR, removed at the end)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "queue/disk_queue.hpp"
#include "queue/memory_queue.hpp"

using namespace productgraph;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t batch_events = 50;

struct Settings {
    uint64_t backlog_events = 5'000'000;
    double seconds = 2.0;
    int rounds = 3;
    int threads = 8;
    std::filesystem::path dir;
};

// A realistic event (~250 bytes of JSON, ~420 with its fields): a browser SDK's click, normalised.
queue::RecordPtr make_record(uint64_t n)
{
    const std::string id = "01JD" + std::to_string(1'000'000'000'000ull + n);
    const std::string user = "user-" + std::to_string(n % 100'000);
    const std::string json =
        R"({"event_id":")" + id + R"(","type":"track","name":"Button Clicked","user_id":")" + user +
        R"(","device_id":"d-7f3a9c21","session_id":"s-1732000000",)"
        R"("properties":{"button":"signup","page":"/pricing","plan":"team"},"timestamp":"2026-11-28T10:15:00.000Z"})";
    event::EventFields fields;
    fields.json = json;
    fields.event_id = id;
    fields.type = "track";
    fields.name = "Button Clicked";
    fields.user_id = user;
    fields.device_id = "d-7f3a9c21";
    fields.session_id = "s-1732000000";
    fields.client_ip = "203.0.113.7";
    fields.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0";
    fields.timestamp_ms = 1'795'000'000'000;
    fields.received_ms = 1'795'000'000'100;
    return std::make_shared<const event::EventRecord>(fields);
}

std::vector<queue::RecordPtr> make_batch(uint64_t first)
{
    std::vector<queue::RecordPtr> batch;
    for (size_t i = 0; i < batch_events; ++i) batch.push_back(make_record(first + i));
    return batch;
}

long resident_kib()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// Batches per second appended by `appender_threads` threads for `seconds`.
double appends_per_second(queue::EventQueue &queue, int appender_threads, double seconds)
{
    std::vector<std::vector<queue::RecordPtr>> batches;
    for (int t = 0; t < appender_threads; ++t) batches.push_back(make_batch(uint64_t(t) * batch_events));
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> appended{0};
    std::atomic<uint64_t> refused{0};
    std::vector<std::thread> threads;
    const Clock::time_point start = Clock::now();
    for (int t = 0; t < appender_threads; ++t) {
        threads.emplace_back([&, t] {
            while (!stop.load(std::memory_order_relaxed)) {
                if (queue.append(batches[t]) == queue::AppendStatus::appended) {
                    appended.fetch_add(1, std::memory_order_relaxed);
                } else {
                    refused.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // the measured interval, not synchronisation
    stop.store(true);
    for (std::thread &thread : threads) thread.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (refused.load() > 0)
        std::printf("  warning: %llu appends refused\n", static_cast<unsigned long long>(refused.load()));
    return double(appended.load()) / elapsed;
}

std::unique_ptr<queue::DiskQueue> open_disk_queue(const std::filesystem::path &dir, const char *fsync)
{
    std::filesystem::remove_all(dir);
    queue::DiskQueueOptions options;
    options.directory = dir;
    options.max_bytes = 1ull << 40;  // capacity is not what is measured
    options.fsync = *queue::parse_fsync_policy(fsync);
    auto queue = queue::DiskQueue::open(options);
    if (!queue) {
        std::fprintf(stderr, "cannot open the disk queue: %s\n", queue.error().message.c_str());
        std::exit(1);
    }
    return std::move(*queue);
}

void throughput(const Settings &settings)
{
    std::printf("append throughput: %d threads, %zu-event batches, %.1f s per run, %d runs each\n", settings.threads,
                batch_events, settings.seconds, settings.rounds);
    std::vector<double> memory_rates, disk_rates, syncs_per_second;
    for (int round = 0; round < settings.rounds; ++round) {
        {
            queue::MemoryQueue memory(UINT64_MAX, UINT64_MAX);  // no cursor: reclaimed at once
            memory_rates.push_back(appends_per_second(memory, settings.threads, settings.seconds));
        }
        auto disk = open_disk_queue(settings.dir / "throughput", "always");  // no cursor: segments deleted as they roll
        const Clock::time_point start = Clock::now();
        disk_rates.push_back(appends_per_second(*disk, settings.threads, settings.seconds));
        syncs_per_second.push_back(double(disk->sync_count()) /
                                   std::chrono::duration<double>(Clock::now() - start).count());
        std::printf("  run %d: memory %.0f batches/s, disk(always) %.0f batches/s, %.0f fdatasync/s\n", round + 1,
                    memory_rates.back(), disk_rates.back(), syncs_per_second.back());
    }
    const double memory_median = median(memory_rates);
    const double disk_median = median(disk_rates);
    std::printf("median MemoryQueue:       %10.0f batches/s  (%11.0f events/s)\n", memory_median,
                memory_median * batch_events);
    std::printf("median DiskQueue(always): %10.0f batches/s  (%11.0f events/s), %.0f fdatasync/s\n", disk_median,
                disk_median * batch_events, median(syncs_per_second));
    std::printf("disk/memory ratio: %.4f\n\n", disk_median / memory_median);
}

void backlog_memory(const Settings &settings)
{
    std::printf("resident memory with a backlog of %llu events on disk (fsync=interval:1000, one cursor that never "
                "acknowledges)\n",
                static_cast<unsigned long long>(settings.backlog_events));
    auto disk = open_disk_queue(settings.dir / "backlog", "interval:1000");
    const queue::CursorId cursor = disk->open_cursor("bench");
    // 20 different batches reused: the records held by the bench itself stay constant.
    std::vector<std::vector<queue::RecordPtr>> pool;
    for (uint64_t i = 0; i < 20; ++i) pool.push_back(make_batch(i * batch_events));
    const long before = resident_kib();
    const Clock::time_point start = Clock::now();
    uint64_t appended = 0;
    for (uint64_t i = 0; appended < settings.backlog_events; ++i) {
        if (disk->append(pool[i % pool.size()]) != queue::AppendStatus::appended) {
            std::fprintf(stderr, "append refused at %llu events\n", static_cast<unsigned long long>(appended));
            std::exit(1);
        }
        appended += batch_events;
    }
    const double build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const long after_build = resident_kib();
    const queue::QueueStats stats = disk->stats();

    const Clock::time_point read_start = Clock::now();
    uint64_t read = 0, next = 0;
    while (true) {
        auto batch = disk->read(cursor, next, {500, 0}, std::chrono::milliseconds(0));
        if (batch.empty()) break;
        read += batch.size();
        next = batch.back().offset + 1;
        disk->acknowledge(cursor, next);
    }
    const double read_seconds = std::chrono::duration<double>(Clock::now() - read_start).count();
    const long after_read = resident_kib();
    std::printf("  built in %.1f s (%.0f events/s); %llu segment bytes on disk (%.0f bytes/event)\n", build_seconds,
                double(appended) / build_seconds, static_cast<unsigned long long>(stats.depth_bytes),
                double(stats.depth_bytes) / double(appended));
    std::printf("  read back %llu events in %.1f s (%.0f events/s)\n", static_cast<unsigned long long>(read),
                read_seconds, double(read) / read_seconds);
    std::printf("VmRSS before: %ld KiB; after building the backlog: %ld KiB (%+ld KiB); after reading it all: %ld KiB "
                "(%+ld KiB)\n",
                before, after_build, after_build - before, after_read, after_read - before);
}

}  // namespace

int main(int argc, char **argv)
{
    Settings settings;
    bool flag_error = false;
    for (int i = 1; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (i + 1 == argc)
            flag_error = true;
        else if (flag == "--events")
            settings.backlog_events = std::strtoull(argv[i + 1], nullptr, 10);
        else if (flag == "--seconds")
            settings.seconds = std::strtod(argv[i + 1], nullptr);
        else if (flag == "--rounds")
            settings.rounds = std::max(1, std::atoi(argv[i + 1]));
        else if (flag == "--threads")
            settings.threads = std::max(1, std::atoi(argv[i + 1]));
        else if (flag == "--dir")
            settings.dir = argv[i + 1];
        else
            flag_error = true;
        if (flag_error) {
            std::fprintf(stderr, "usage: %s [--events N] [--seconds S] [--rounds R] [--threads T] [--dir DIR]\n",
                         argv[0]);
            return 2;
        }
    }
    const bool own_dir = settings.dir.empty();
    if (own_dir) {
        std::string pattern = (std::filesystem::temp_directory_path() / "pg-queue-bench-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) return 1;
        settings.dir = pattern;
    }
    std::printf("queue directory: %s\n\n", settings.dir.c_str());
    throughput(settings);
    backlog_memory(settings);
    std::error_code ignored;
    std::filesystem::remove_all(settings.dir / "throughput", ignored);
    std::filesystem::remove_all(settings.dir / "backlog", ignored);
    if (own_dir) std::filesystem::remove_all(settings.dir, ignored);
    return 0;
}
