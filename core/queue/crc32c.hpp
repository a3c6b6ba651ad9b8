// CRC-32C (Castagnoli), the checksum of queue frames: SSE4.2's crc32 instruction when the CPU has it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace productgraph::queue {

/// CRC-32C (RFC 3720's iSCSI checksum) of `size` bytes at `data`, continuing from `crc`:
/// pass 0 to start, or the result of an earlier call to extend it over more bytes (the
/// same convention as zlib's crc32(), so crc32c(crc32c(0, a), b) == crc32c(0, a + b)).
/// Uses the SSE4.2 instruction when the CPU has it (checked once), else crc32c_portable.
uint32_t crc32c(uint32_t crc, const void *data, size_t size);

/// The table-driven version (slicing by 8), for any CPU. Same results as crc32c.
uint32_t crc32c_portable(uint32_t crc, const void *data, size_t size);

/// Whether this CPU runs crc32c_hardware (x86-64 with SSE4.2).
bool crc32c_hardware_supported();

/// The SSE4.2 version; call it only when crc32c_hardware_supported() (tests and
/// benchmarks compare it with the portable one). Elsewhere it is crc32c_portable.
uint32_t crc32c_hardware(uint32_t crc, const void *data, size_t size);

}  // namespace productgraph::queue
