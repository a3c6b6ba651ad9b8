// One segment file of the disk queue: an open descriptor and the few calls made on it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "queue/file_io.hpp"

namespace productgraph::queue {

/// Shared between the appender and readers: a reader keeps the file open through its
/// shared_ptr even after the segment is deleted, so deletion never races a pread.
class SegmentFile {
public:
    /// Opens an existing segment read-write, or with `create` makes a new empty one
    /// (failing if the name is taken). With `direct_writes` it also opens the file for
    /// O_DIRECT writes, which bypass the page cache; on a filesystem that refuses
    /// O_DIRECT (tmpfs before Linux 6.6, some overlays) writes_direct() says false.
    static common::Result<std::shared_ptr<SegmentFile>> open(const std::filesystem::path &path, bool create,
                                                             bool direct_writes = false);

    const std::filesystem::path &path() const { return path_; }

    /// Writes `bytes` at `position` (the end of the valid data).
    common::Result<void> write_at(uint64_t position, std::string_view bytes) const;

    /// Whether write_direct_at can be used.
    bool writes_direct() const { return direct_fd_.valid(); }

    /// Writes `size` bytes from `aligned` at `position` with O_DIRECT: all three are
    /// multiples of direct_write_alignment. Bytes written this way reach the disk
    /// before the call returns, but only an fdatasync makes them survive a power loss
    /// (the disk's own cache, and the file size of an extending write).
    common::Result<void> write_direct_at(uint64_t position, const char *aligned, size_t size) const;

    /// Allocates disk blocks for the file's first `end` bytes without changing its
    /// size (fallocate with FALLOC_FL_KEEP_SIZE). Fails when the disk (or a quota) is
    /// full; false when the filesystem cannot allocate ahead for any other reason.
    common::Result<bool> allocate(uint64_t end) const;

    /// Reads up to `size` bytes at `position`; fewer only at the end of the file.
    common::Result<size_t> read_at(char *into, size_t size, uint64_t position) const;

    /// fdatasync: everything written so far survives a power loss.
    common::Result<void> sync() const;

    /// Cuts the file to `size` bytes (a torn tail, or a failed write undone).
    common::Result<void> truncate(uint64_t size) const;

    common::Result<uint64_t> size() const;

private:
    SegmentFile(std::filesystem::path path, UniqueFd fd, UniqueFd direct_fd)
        : path_(std::move(path)), fd_(std::move(fd)), direct_fd_(std::move(direct_fd))
    {}

    std::filesystem::path path_;
    UniqueFd fd_;         // reads, buffered writes, syncs, truncation
    UniqueFd direct_fd_;  // O_DIRECT writes; invalid unless asked for and supported
};

/// What O_DIRECT needs positions, sizes and buffer addresses to be multiples of. 4 KiB
/// is the logical block size of every disk we meet, or a multiple of it (512 bytes).
constexpr size_t direct_write_alignment = 4096;

/// `size` rounded up to whole blocks of direct_write_alignment: what an O_DIRECT write
/// of `size` bytes covers.
constexpr uint64_t round_up_to_block(uint64_t size)
{
    return (size + direct_write_alignment - 1) / direct_write_alignment * direct_write_alignment;
}

using SegmentFilePtr = std::shared_ptr<const SegmentFile>;

/// Deletes segment files already dropped from the queue's segment list, logging any
/// failure. Call without locks held: unlinking a large file can take milliseconds.
void remove_segment_files(const std::vector<std::filesystem::path> &paths);

}  // namespace productgraph::queue
