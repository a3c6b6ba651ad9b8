// Little-endian integer packing for the on-disk formats, independent of the host's byte order.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace productgraph::queue {

// std::byteswap is C++23; only a big-endian host needs it.
inline uint32_t byteswap(uint32_t value)
{
    return __builtin_bswap32(value);
}

inline uint64_t byteswap(uint64_t value)
{
    return __builtin_bswap64(value);
}

inline void put_u32(std::string &out, uint32_t value)
{
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xffu));
}

inline void put_u64(std::string &out, uint64_t value)
{
    for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xffu));
}

// The fixed-width forms go through memcpy, which compiles to one load or store: the
// byte-by-byte loops they replaced stayed loops at -O2, and encoding a request's records
// spent more than half its time in them.
template <typename Unsigned>
inline void store_le(char *at, Unsigned value)
{
    if constexpr (std::endian::native == std::endian::big) value = byteswap(value);
    std::memcpy(at, &value, sizeof value);
}

template <typename Unsigned>
inline Unsigned load_le(const char *at)
{
    Unsigned value;
    std::memcpy(&value, at, sizeof value);
    if constexpr (std::endian::native == std::endian::big) value = byteswap(value);
    return value;
}

/// Writes `value` over 4 bytes at `at` (for headers patched after the fact).
inline void store_u32(char *at, uint32_t value)
{
    store_le(at, value);
}

inline void store_u64(char *at, uint64_t value)
{
    store_le(at, value);
}

inline uint32_t get_u32(const char *at)
{
    return load_le<uint32_t>(at);
}

inline uint64_t get_u64(const char *at)
{
    return load_le<uint64_t>(at);
}

}  // namespace productgraph::queue
