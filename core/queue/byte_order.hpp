// Little-endian integer packing for the on-disk formats, independent of the host's byte order.
#pragma once

#include <cstdint>
#include <string>

namespace productgraph::queue {

inline void put_u32(std::string &out, uint32_t value)
{
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xffu));
}

inline void put_u64(std::string &out, uint64_t value)
{
    for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xffu));
}

/// Writes `value` over 4 bytes at `at` (for headers patched after the fact).
inline void store_u32(char *at, uint32_t value)
{
    for (int i = 0; i < 4; ++i) at[i] = static_cast<char>((value >> (8 * i)) & 0xffu);
}

inline void store_u64(char *at, uint64_t value)
{
    for (int i = 0; i < 8; ++i) at[i] = static_cast<char>((value >> (8 * i)) & 0xffu);
}

inline uint32_t get_u32(const char *at)
{
    uint32_t value = 0;
    for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(at[i]);
    return value;
}

inline uint64_t get_u64(const char *at)
{
    uint64_t value = 0;
    for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(at[i]);
    return value;
}

}  // namespace productgraph::queue
