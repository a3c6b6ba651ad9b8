// POSIX file calls with EINTR and short transfers handled once, here.
#include "queue/file_io.hpp"

#include <cerrno>
#include <cstring>

#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

namespace productgraph::queue {

UniqueFd &UniqueFd::operator=(UniqueFd &&other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd()
{
    if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release()
{
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

std::string io_error(std::string_view what, const std::filesystem::path &path)
{
    return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

common::Result<UniqueFd> open_file(const std::filesystem::path &path, int flags, unsigned mode)
{
    int fd = -1;
    do {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return common::fail(io_error("cannot open", path));
    return UniqueFd(fd);
}

common::Result<void> write_all_at(int fd, std::string_view bytes, uint64_t position, const std::filesystem::path &path)
{
    const char *data = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::pwrite(fd, data, left, static_cast<off_t>(position));
        if (n < 0) {
            if (errno == EINTR) continue;
            return common::fail(io_error("cannot write", path));
        }
        data += n;
        left -= static_cast<size_t>(n);
        position += static_cast<uint64_t>(n);
    }
    return {};
}

common::Result<size_t> read_at(int fd, char *into, size_t size, uint64_t position, const std::filesystem::path &path)
{
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, into + done, size - done, static_cast<off_t>(position + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return common::fail(io_error("cannot read", path));
        }
        if (n == 0) break;  // end of file
        done += static_cast<size_t>(n);
    }
    return done;
}

common::Result<void> sync_data(int fd, const std::filesystem::path &path)
{
    // No EINTR retry loop: fdatasync is not interrupted by signals on Linux, and after
    // a real failure the dirty pages may already be dropped, so retrying would lie.
    if (::fdatasync(fd) != 0) return common::fail(io_error("cannot fdatasync", path));
    return {};
}

common::Result<void> rename_no_replace(const std::filesystem::path &from, const std::filesystem::path &to)
{
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
        return common::fail(io_error("cannot rename " + from.string() + " to", to));
    }
    return {};
}

common::Result<void> sync_directory(const std::filesystem::path &directory)
{
    auto fd = open_file(directory, O_RDONLY | O_DIRECTORY);
    if (!fd) return tl::unexpected(fd.error());
    if (::fsync(fd->get()) != 0) return common::fail(io_error("cannot fsync directory", directory));
    return {};
}

}  // namespace productgraph::queue
