// Cost of the queue's frame checksums per ~20 KB request: zlib's crc32 (frames before CRC-32C)
// against CRC-32C, portable and SSE4.2, measured in the same run. Numbers to read, not a test.
// Releases before batch frames framed a request as one frame per event: each frame's CRC
// covers its payload, then is extended over the 8 offset bytes. The last line is the batch
// frame written now: one CRC over all the records (each with its length), then the offset
// (FrameLayout, frame_format.cpp).
//
//   pg_bench_crc32c [record_bytes = 420] [records = 50] [rounds = 7]
#include <zlib.h>

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "queue/crc32c.hpp"

using namespace productgraph;

namespace {

uint32_t zlib_crc32(uint32_t crc, const void *data, size_t size)
{
    return static_cast<uint32_t>(::crc32(crc, static_cast<const Bytef *>(data), static_cast<uInt>(size)));
}

using CrcFunction = uint32_t (*)(uint32_t, const void *, size_t);

// The checksums of one request: every record's payload, then its 8 offset bytes.
uint32_t request_crcs(CrcFunction function, const std::vector<std::string> &payloads)
{
    uint32_t combined = 0;
    const char offset_bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (const std::string &payload : payloads) {
        combined ^= function(function(0, payload.data(), payload.size()), offset_bytes, sizeof offset_bytes);
    }
    return combined;
}

// The checksum of one batch frame holding the same records (`batch` is their payload).
uint32_t batch_frame_crc(const std::string &batch)
{
    const char offset_bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    return queue::crc32c(queue::crc32c(0, batch.data(), batch.size()), offset_bytes, sizeof offset_bytes);
}

// This thread's CPU time: other processes on the shared cores disturb it less than wall time.
int64_t thread_cpu_ns()
{
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return int64_t(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// CPU nanoseconds per call of `request` over about 50 ms of CPU.
template <typename Request>
double ns_per_request(Request request)
{
    volatile uint32_t sink = 0;  // keeps the calls from being optimised away
    uint64_t requests = 0;
    const int64_t start = thread_cpu_ns();
    int64_t elapsed = 0;
    do {
        for (int i = 0; i < 16; ++i) sink = sink ^ request();
        requests += 16;
        elapsed = thread_cpu_ns() - start;
    } while (elapsed < 50'000'000);
    return double(elapsed) / double(requests);
}

}  // namespace

int main(int argc, char **argv)
{
    const size_t record_bytes = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 420;
    const size_t records = argc > 2 ? std::max<size_t>(1, std::strtoull(argv[2], nullptr, 10)) : 50;
    const int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 7;
    std::vector<std::string> payloads(records, std::string(record_bytes, '\0'));
    for (size_t r = 0; r < records; ++r) {
        for (size_t i = 0; i < record_bytes; ++i) payloads[r][i] = static_cast<char>(((r + i) * 2654435761u) >> 13);
    }

    struct Candidate {
        const char *name;
        CrcFunction function;
    };
    std::vector<Candidate> candidates{{"zlib crc32", zlib_crc32}, {"crc32c portable", queue::crc32c_portable}};
    if (queue::crc32c_hardware_supported()) candidates.push_back({"crc32c sse4.2", queue::crc32c_hardware});
    candidates.push_back({"crc32c (dispatching)", queue::crc32c});
    std::string batch(4, '\0');  // the count, then each record with its 4 length bytes
    for (const std::string &payload : payloads) batch += std::string(4, '\0') + payload;

    std::printf("a request of %zu records of %zu bytes (%zu bytes), median of %d rounds, zlib %s\n", records,
                record_bytes, records * record_bytes, rounds, zlibVersion());
    // Interleaved: every candidate's round r runs next to the others' round r.
    std::vector<std::vector<double>> samples(candidates.size() + 1);
    for (int round = 0; round < rounds; ++round) {
        for (size_t c = 0; c < candidates.size(); ++c) {
            const CrcFunction function = candidates[c].function;
            samples[c].push_back(ns_per_request([&] { return request_crcs(function, payloads); }));
        }
        samples.back().push_back(ns_per_request([&] { return batch_frame_crc(batch); }));
    }
    candidates.push_back({"crc32c, one batch frame", nullptr});
    double zlib_ns = 0;
    for (size_t c = 0; c < candidates.size(); ++c) {
        std::sort(samples[c].begin(), samples[c].end());
        const double ns = samples[c][samples[c].size() / 2];
        if (c == 0) zlib_ns = ns;
        std::printf("  %-24s %9.0f CPU-ns/request  %6.2f GB/s  %5.2fx zlib\n", candidates[c].name, ns,
                    double(records * record_bytes) / ns, zlib_ns / ns);
    }
    return 0;
}
