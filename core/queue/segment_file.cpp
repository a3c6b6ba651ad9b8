// Segment file calls: the descriptor is opened once and shared by appender and readers.
#include "queue/segment_file.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.hpp"
#include "metrics/daemon_metrics.hpp"

namespace productgraph::queue {

common::Result<std::shared_ptr<SegmentFile>> SegmentFile::open(const std::filesystem::path &path, bool create,
                                                               bool direct_writes)
{
    auto fd = open_file(path, create ? O_RDWR | O_CREAT | O_EXCL : O_RDWR);
    if (!fd) return tl::unexpected(fd.error());
    UniqueFd direct_fd;
    if (direct_writes) {
        // A second descriptor: readers pread through the first at any position, which
        // O_DIRECT would refuse. A filesystem without O_DIRECT fails with EINVAL, and
        // the queue then writes through the page cache.
        auto opened = open_file(path, O_WRONLY | O_DIRECT);
        if (opened) direct_fd = std::move(*opened);
    }
    return std::shared_ptr<SegmentFile>(new SegmentFile(path, std::move(*fd), std::move(direct_fd)));
}

common::Result<void> SegmentFile::write_direct_at(uint64_t position, const char *aligned, size_t size) const
{
    return write_all_at(direct_fd_.get(), {aligned, size}, position, path_);
}

common::Result<void> SegmentFile::write_at(uint64_t position, std::string_view bytes) const
{
    return write_all_at(fd_.get(), bytes, position, path_);
}

common::Result<bool> SegmentFile::allocate(uint64_t end) const
{
    if (::fallocate(fd_.get(), FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(end)) == 0) return true;
    // Only a full disk (or quota) is an answer about space. Anything else (no fallocate
    // on this filesystem: EOPNOTSUPP, ENOSYS from FUSE, ...) says nothing about it, and
    // must not stop intake: the writes go ahead without the space allocated first.
    if (errno != ENOSPC && errno != EDQUOT) return false;
    return common::fail(io_error("cannot allocate space for", path_));
}

common::Result<size_t> SegmentFile::read_at(char *into, size_t size, uint64_t position) const
{
    return queue::read_at(fd_.get(), into, size, position, path_);
}

common::Result<void> SegmentFile::sync() const
{
    return metrics::timed(metrics::daemon_metrics().queue_fsync(), [this] { return sync_data(fd_.get(), path_); });
}

common::Result<void> SegmentFile::truncate(uint64_t size) const
{
    if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) return common::fail(io_error("cannot truncate", path_));
    return {};
}

common::Result<uint64_t> SegmentFile::size() const
{
    struct stat status {};
    if (::fstat(fd_.get(), &status) != 0) return common::fail(io_error("cannot stat", path_));
    return static_cast<uint64_t>(status.st_size);
}

void remove_segment_files(const std::vector<std::filesystem::path> &paths)
{
    // A reader still scanning a removed segment keeps its descriptor and finishes it.
    for (const std::filesystem::path &path : paths) {
        std::error_code error;
        std::filesystem::remove(path, error);
        if (error) {
            common::log_warn("cannot delete a consumed queue segment",
                             {{"file", path.string()}, {"reason", error.message()}});
        }
    }
}

}  // namespace productgraph::queue
