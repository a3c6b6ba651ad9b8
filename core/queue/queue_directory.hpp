// The disk queue's directory: its layout, file names, and the lock that keeps it to one process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "queue/file_io.hpp"

namespace productgraph::queue {

/// Layout: <root>/<first offset, 20 digits>.seg for segments (names sort in offset
/// order), <root>/cursors/<name>.cursor for persisted cursors, <root>/lock held with
/// flock while a queue is open (two daemons appending to one log would corrupt it),
/// <root>/spare.segment: a consumed segment file kept to be renamed into the next
/// segment (not a segment: its name does not parse as one).
class QueueDirectory {
public:
    /// Creates root and root/cursors if missing and takes the lock. Errors name
    /// PRODUCTGRAPH_QUEUE_DIR, the path and the OS reason.
    static common::Result<QueueDirectory> open(const std::filesystem::path &root);

    const std::filesystem::path &root() const { return root_; }
    std::filesystem::path cursor_directory() const { return root_ / "cursors"; }
    std::filesystem::path segment_path(uint64_t first_offset) const;
    std::filesystem::path spare_segment_path() const { return root_ / "spare.segment"; }

    /// First offsets of the segment files present, in increasing order.
    common::Result<std::vector<uint64_t>> segment_offsets() const;

    /// Makes segment creations and deletions durable.
    common::Result<void> sync() const { return sync_directory(root_); }

private:
    QueueDirectory(std::filesystem::path root, UniqueFd lock) : root_(std::move(root)), lock_(std::move(lock)) {}

    std::filesystem::path root_;
    UniqueFd lock_;  // closing it releases the flock
};

/// The first offset a segment file name carries, or nullopt for other files.
std::optional<uint64_t> parse_segment_file_name(std::string_view name);

}  // namespace productgraph::queue
