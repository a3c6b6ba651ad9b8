// CRC-32C: the known vectors, and the SSE4.2 and table-driven versions agreeing byte for byte.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "queue/crc32c.hpp"

using namespace productgraph::queue;

namespace {

using CrcFunction = uint32_t (*)(uint32_t, const void *, size_t);

struct Version {
    const char *name;
    CrcFunction function;
};

// Every version this CPU can run; the dispatching one is checked like the others.
std::vector<Version> versions()
{
    std::vector<Version> all{{"portable", crc32c_portable}, {"dispatching", crc32c}};
    if (crc32c_hardware_supported()) all.push_back({"sse4.2", crc32c_hardware});
    return all;
}

std::string random_bytes(size_t size, uint32_t seed)
{
    std::mt19937 generator(seed);
    std::string bytes(size, '\0');
    for (char &byte : bytes) byte = static_cast<char>(generator() & 0xffu);
    return bytes;
}

}  // namespace

TEST_CASE("crc32c gives the published check values")
{
    std::string ascending, descending;
    for (int i = 0; i < 32; ++i) {
        ascending.push_back(static_cast<char>(i));
        descending.push_back(static_cast<char>(31 - i));
    }
    const std::string zeros(32, '\0');
    const std::string ones(32, '\xff');
    for (const Version &version : versions()) {
        CAPTURE(version.name);
        CHECK(version.function(0, "123456789", 9) == 0xE3069283u);
        // RFC 3720, appendix B.4.
        CHECK(version.function(0, zeros.data(), zeros.size()) == 0x8A9136AAu);
        CHECK(version.function(0, ones.data(), ones.size()) == 0x62A8AB43u);
        CHECK(version.function(0, ascending.data(), ascending.size()) == 0x46DD794Eu);
        CHECK(version.function(0, descending.data(), descending.size()) == 0x113FDB5Cu);
        CHECK(version.function(0, nullptr, 0) == 0u);
    }
}

TEST_CASE("this x86-64 machine takes the sse4.2 path")
{
#if defined(__x86_64__)
    // Every x86-64 CPU since 2008 has it; without it the agreement tests below test nothing.
    CHECK(crc32c_hardware_supported());
#else
    CHECK_FALSE(crc32c_hardware_supported());
#endif
}

TEST_CASE("the sse4.2 and portable versions agree on every length up to 1000 and at every alignment")
{
    if (!crc32c_hardware_supported()) return;
    // Past 192 and 384 bytes, the short and middle blocks of three interleaved streams.
    const std::string bytes = random_bytes(1000 + 8, 1);
    for (size_t start = 0; start < 8; ++start) {
        for (size_t size = 0; size <= 1000; ++size) {
            CAPTURE(start);
            CAPTURE(size);
            const char *data = bytes.data() + start;
            REQUIRE(crc32c_hardware(0, data, size) == crc32c_portable(0, data, size));
            // Continuing from a non-zero CRC too.
            REQUIRE(crc32c_hardware(0x12345678u, data, size) == crc32c_portable(0x12345678u, data, size));
        }
    }
}

TEST_CASE("the sse4.2 and portable versions agree on large buffers around the stream block sizes")
{
    if (!crc32c_hardware_supported()) return;
    // 6,144 bytes is one long block of three interleaved streams; then middle and short ones.
    const std::vector<size_t> sizes{6143,  6144,  6145,    6144 + 384 + 192 + 13, 12288, 12288 + 383, 20000, 20480,
                                    65536, 99999, 1 << 20, (1 << 20) + 7};
    for (size_t size : sizes) {
        CAPTURE(size);
        const std::string bytes = random_bytes(size, static_cast<uint32_t>(size));
        CHECK(crc32c_hardware(0, bytes.data(), size) == crc32c_portable(0, bytes.data(), size));
    }
}

TEST_CASE("crc32c continued over a second buffer equals crc32c of both at once")
{
    const std::string bytes = random_bytes(20'000, 7);
    const uint32_t whole = crc32c_portable(0, bytes.data(), bytes.size());
    for (size_t split : {size_t(0), size_t(1), size_t(7), size_t(8), size_t(769), size_t(6145), size_t(19'999)}) {
        CAPTURE(split);
        for (const Version &version : versions()) {
            CAPTURE(version.name);
            const uint32_t head = version.function(0, bytes.data(), split);
            CHECK(version.function(head, bytes.data() + split, bytes.size() - split) == whole);
        }
    }
}

TEST_CASE("crc32c catches a single flipped bit anywhere in a 20 KB buffer")
{
    std::string bytes = random_bytes(20'480, 3);
    const uint32_t intact = crc32c(0, bytes.data(), bytes.size());
    for (size_t at = 0; at < bytes.size(); at += 997) {
        bytes[at] ^= 0x04;
        CHECK(crc32c(0, bytes.data(), bytes.size()) != intact);
        bytes[at] ^= 0x04;
    }
    CHECK(crc32c(0, bytes.data(), bytes.size()) == intact);
}
