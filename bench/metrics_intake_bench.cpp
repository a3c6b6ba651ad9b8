// metrics_intake_bench: the intake path's CPU work per request (parse and validate a
// 50-event batch, then the metrics hooks the HTTP edge runs for it) with counting on
// and off, in the same run. Rounds interleave the two modes and alternate which goes
// first; medians are printed with the ratio. A number to read, not a test.
//
// The ratio is of CPU time per request (each worker's CLOCK_THREAD_CPUTIME_ID), which
// other processes on a shared machine disturb far less than wall-clock throughput.
//
// Usage: pg_bench_metrics_intake [rounds=7] [requests_per_thread=4000] [threads=2]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <time.h>

#include "event/batch_parser.hpp"
#include "metrics/daemon_metrics.hpp"

using namespace productgraph;
using Clock = std::chrono::steady_clock;

namespace {

// 48 valid events like a browser sends and 2 invalid ones, so the rejected path runs.
std::string make_batch()
{
    std::string body = R"({"events":[)";
    for (int i = 0; i < 50; ++i) {
        if (i > 0) body.push_back(',');
        const std::string id = "evt-" + std::to_string(100000 + i);
        if (i == 17) {
            body += R"({"event_id":")" + id + R"(","project_id":"p","event.type":"ui.click"})";  // no session
            continue;
        }
        if (i == 33) {
            body +=
                R"({"event_id":")" + id +
                R"(","project_id":"p","session.id":"s","event.type":"nope","event.timestamp":"2024-01-15T10:30:15Z"})";
            continue;
        }
        body +=
            R"({"event_id":")" + id +
            R"(","project_id":"proj_demo","session.id":"sess_abc123","user.id":"user-123",)"
            R"("event.type":"ui.click","event.name":"signup_button_clicked","event.timestamp":"2024-01-15T10:30:15Z",)"
            R"("page.path":"/signup","page.title":"Sign up | Shopfront","ui.component.name":"SignupButton",)"
            R"("ui.action":"click","metadata":{"experiment":"b","position":3}})";
    }
    return body + "]}";
}

// What one POST /v1/events costs the edge's CPU, minus sockets and the queue.
size_t one_request(const std::string &batch)
{
    std::string body;
    body.reserve(batch.size() + 64);
    body.assign(batch);
    auto parsed = event::parse_batch(body, event::RequestContext{"203.0.113.7", "bench/1.0", 1700000000000});
    if (!parsed) std::abort();
    // The hooks, as event_intake.cpp and request_completion.cpp run them.
    metrics::count_rejected_events(parsed->errors);
    metrics::count_accepted_events(parsed->accepted.size());
    metrics::count_http_request("public", "/v1/events", 202);
    return parsed->accepted.size();
}

double thread_cpu_ns()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

struct Round {
    double requests_per_s = 0;  // wall clock, all threads
    double cpu_ns_per_request = 0;
};

// `threads` threads doing `per_thread` requests each, as HTTP workers would.
Round run_round(const std::string &batch, int threads, int per_thread)
{
    std::vector<std::thread> workers;
    std::vector<size_t> accepted(static_cast<size_t>(threads));
    std::vector<double> cpu_ns(static_cast<size_t>(threads));
    const auto started = Clock::now();
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            const double cpu_started = thread_cpu_ns();
            size_t total = 0;
            for (int i = 0; i < per_thread; ++i) total += one_request(batch);
            cpu_ns[static_cast<size_t>(t)] = thread_cpu_ns() - cpu_started;
            accepted[static_cast<size_t>(t)] = total;
        });
    }
    for (std::thread &worker : workers) worker.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    double cpu_total = 0;
    for (size_t t = 0; t < accepted.size(); ++t) {
        if (accepted[t] != static_cast<size_t>(per_thread) * 48) std::abort();
        cpu_total += cpu_ns[t];
    }
    const double requests = static_cast<double>(threads) * per_thread;
    return Round{requests / seconds, cpu_total / requests};
}

// CPU nanoseconds per request for the hooks alone (counting on), one thread.
double hooks_only_ns()
{
    struct Error {
        size_t index;
        std::string message;
    };
    const std::vector<Error> errors = {
        {17, "session.id: required"}, {17, "event.timestamp: required"}, {33, "event.type: unknown type \"nope\""}};
    constexpr int iterations = 2'000'000;
    const double started = thread_cpu_ns();
    for (int i = 0; i < iterations; ++i) {
        metrics::count_rejected_events(errors);
        metrics::count_accepted_events(48);
        metrics::count_http_request("public", "/v1/events", 202);
    }
    return (thread_cpu_ns() - started) / iterations;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char **argv)
{
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
    const int per_thread = argc > 2 ? std::atoi(argv[2]) : 4000;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
    const std::string batch = make_batch();
    std::printf("batch: %zu bytes, 50 events (2 invalid); %d threads x %d requests per round; %d rounds\n",
                batch.size(), threads, per_thread, rounds);

    metrics::set_counting_enabled(true);
    run_round(batch, threads, per_thread / 4);  // warm-up: arenas, caches, shards
    metrics::set_counting_enabled(false);
    run_round(batch, threads, per_thread / 4);

    std::vector<double> counted_cpu, uncounted_cpu, counted_rps, uncounted_rps;
    std::printf("%-6s %16s %16s %14s %14s %10s\n", "round", "counted us/req", "uncounted us/req", "counted req/s",
                "uncounted req/s", "cpu ratio");
    for (int round = 1; round <= rounds; ++round) {
        // Alternate which mode goes first so drift in machine load hits both alike.
        Round on, off;
        for (int leg = 0; leg < 2; ++leg) {
            const bool counting = (leg == 0) == (round % 2 == 1);
            metrics::set_counting_enabled(counting);
            (counting ? on : off) = run_round(batch, threads, per_thread);
        }
        counted_cpu.push_back(on.cpu_ns_per_request);
        uncounted_cpu.push_back(off.cpu_ns_per_request);
        counted_rps.push_back(on.requests_per_s);
        uncounted_rps.push_back(off.requests_per_s);
        std::printf("%-6d %16.2f %16.2f %14.0f %14.0f %10.4f\n", round, on.cpu_ns_per_request / 1e3,
                    off.cpu_ns_per_request / 1e3, on.requests_per_s, off.requests_per_s,
                    on.cpu_ns_per_request / off.cpu_ns_per_request);
    }
    metrics::set_counting_enabled(true);
    const double hooks_ns = hooks_only_ns();
    const double on = median(counted_cpu), off = median(uncounted_cpu);
    std::printf("\nMEDIANS  CPU per request: counted %.2f us, uncounted %.2f us, ratio counted/uncounted %.4f\n",
                on / 1e3, off / 1e3, on / off);
    std::printf("         wall req/s: counted %.0f, uncounted %.0f, ratio %.4f (noisier on a shared machine)\n",
                median(counted_rps), median(uncounted_rps), median(counted_rps) / median(uncounted_rps));
    std::printf("hooks alone: %.1f ns per request = %.3f%% of one request's intake CPU\n", hooks_ns,
                100 * hooks_ns / off);
    std::printf("{\"counted_cpu_ns\":%.0f,\"uncounted_cpu_ns\":%.0f,\"cpu_ratio\":%.4f,\"rps_ratio\":%.4f,"
                "\"hooks_ns\":%.2f}\n",
                on, off, on / off, median(counted_rps) / median(uncounted_rps), hooks_ns);
    return 0;
}
