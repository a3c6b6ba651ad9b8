// UUIDv7 generation. Layout (RFC 9562 §5.7): 48-bit Unix ms | ver 0111 | 12-bit
// rand_a | var 10 | 62-bit rand_b. rand_a holds a counter (§6.2 method 1) that
// starts at a random value below 2^11 each new millisecond, so it has room to grow;
// if it overflows, the timestamp is advanced by one ms rather than going backwards.
#include "event/uuid_v7.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>

namespace productgraph::event {
namespace {

// One getrandom call per block serves about 400 ids; the kernel's CSPRNG is the
// random source RFC 9562 §6.9 asks for, and it never blocks once the system's
// entropy pool is initialised (long before a daemon starts).
class RandomBlock {
public:
    uint64_t next64()
    {
        if (used_ + sizeof(uint64_t) > bytes_.size()) refill();
        uint64_t value;
        std::memcpy(&value, bytes_.data() + used_, sizeof value);
        used_ += sizeof value;
        return value;
    }

private:
    void refill()
    {
        size_t filled = 0;
        while (filled < bytes_.size()) {
            const ssize_t got = getrandom(bytes_.data() + filled, bytes_.size() - filled, 0);
            if (got > 0) {
                filled += static_cast<size_t>(got);
            } else if (got < 0 && errno != EINTR) {
                // Not expected on Linux >= 3.17; uniqueness, not secrecy, is what
                // matters for an id, so fall back to std::random_device.
                std::random_device device;
                for (; filled < bytes_.size(); ++filled) bytes_[filled] = static_cast<unsigned char>(device());
            }
        }
        used_ = 0;
    }

    std::array<unsigned char, 4096> bytes_{};
    size_t used_ = sizeof(bytes_);  // empty: the first call refills
};

struct GeneratorState {
    RandomBlock random;
    uint64_t last_ms = 0;
    uint32_t counter = 0;  // 12 bits are used
};

constexpr uint32_t counter_limit = 0xFFF;

}  // namespace

void append_uuid_v7(std::string &out, int64_t unix_ms)
{
    thread_local GeneratorState state;
    const uint64_t now = unix_ms > 0 ? static_cast<uint64_t>(unix_ms) & 0xFFFF'FFFF'FFFFull : 0;
    const uint64_t random = state.random.next64();
    if (now > state.last_ms) {
        state.last_ms = now;
        state.counter = static_cast<uint32_t>(random >> 53);  // 11 random bits
    } else if (state.counter < counter_limit) {
        ++state.counter;  // same ms (or the clock stepped back): keep ids increasing
    } else {
        ++state.last_ms;
        state.counter = static_cast<uint32_t>(random >> 53);
    }
    const uint64_t rand_b = state.random.next64();

    std::array<unsigned char, 16> bytes{};
    for (int i = 0; i < 6; ++i)
        bytes[static_cast<size_t>(i)] = static_cast<unsigned char>(state.last_ms >> (40 - 8 * i));
    bytes[6] = static_cast<unsigned char>(0x70 | (state.counter >> 8));
    bytes[7] = static_cast<unsigned char>(state.counter & 0xFF);
    for (size_t i = 0; i < 8; ++i) bytes[8 + i] = static_cast<unsigned char>(rand_b >> (56 - 8 * i));
    bytes[8] = static_cast<unsigned char>(0x80 | (bytes[8] & 0x3F));

    static constexpr char hex[] = "0123456789abcdef";
    char text[36];
    size_t pos = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text[pos++] = '-';
        text[pos++] = hex[bytes[i] >> 4];
        text[pos++] = hex[bytes[i] & 0xF];
    }
    out.append(text, sizeof text);
}

}  // namespace productgraph::event
