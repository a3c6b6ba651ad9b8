// Finding the bytes that end a plain run inside a JSON string, eight at a time.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace productgraph::event {

/// True for the bytes a JSON string cannot hold raw: '"', '\\' and control characters.
inline constexpr auto is_json_special_byte = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[static_cast<size_t>(c)] = true;
    table['"'] = true;
    table['\\'] = true;
    return table;
}();

namespace detail {

// A word of plain text (no '"', '\\' or control byte, which is almost every word of
// real events) costs a few instructions instead of eight table look-ups. The lowest
// flagged byte of each test is exact (borrows only carry upwards), so the first
// flagged byte is the first special byte.
inline constexpr uint64_t ones = 0x0101010101010101ull;
inline constexpr uint64_t highs = 0x8080808080808080ull;

inline uint64_t zero_bytes(uint64_t word)
{
    return (word - ones) & ~word & highs;
}

inline uint64_t special_bytes(uint64_t word)
{
    const uint64_t control = (word - ones * 0x20) & ~word & highs;
    return control | zero_bytes(word ^ (ones * '"')) | zero_bytes(word ^ (ones * '\\'));
}

}  // namespace detail

/// Index of the first special byte at or after `from` in text[0, length), or `length`.
/// Reads only inside the range.
inline size_t find_json_special_byte(const char *text, size_t from, size_t length)
{
    size_t i = from;
#ifdef __SSE2__
    // Sixteen bytes per step (SSE2 is part of every x86-64 CPU): '"', '\\', and
    // bytes <= 0x1F found as those where max(byte, 0x1F) is 0x1F.
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i last_control = _mm_set1_epi8(0x1F);
    for (; i + 16 <= length; i += 16) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(text + i));
        const __m128i special =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                         _mm_cmpeq_epi8(_mm_max_epu8(chunk, last_control), last_control));
        if (const int mask = _mm_movemask_epi8(special); mask != 0) {
            return i + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(mask)));
        }
    }
#endif
    if constexpr (std::endian::native == std::endian::little) {
        for (; i + 8 <= length; i += 8) {
            uint64_t word;
            std::memcpy(&word, text + i, sizeof word);
            if (const uint64_t flagged = detail::special_bytes(word); flagged != 0) {
                return i + static_cast<size_t>(std::countr_zero(flagged)) / 8;
            }
        }
    }
    while (i < length && !is_json_special_byte[static_cast<unsigned char>(text[i])]) ++i;
    return i;
}

}  // namespace productgraph::event
