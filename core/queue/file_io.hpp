// Thin RAII wrappers over the POSIX file calls the disk queue needs, failing as Result values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace productgraph::queue {

/// Owns one file descriptor and closes it when destroyed. Move-only.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
    UniqueFd &operator=(UniqueFd &&other) noexcept;
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd();

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release();

private:
    int fd_ = -1;
};

/// "<what> <path>: <strerror(errno)>", the shape of every I/O error message here.
std::string io_error(std::string_view what, const std::filesystem::path &path);

/// open(2) with O_CLOEXEC added.
common::Result<UniqueFd> open_file(const std::filesystem::path &path, int flags, unsigned mode = 0644);

/// pwrite(2) until every byte is written.
common::Result<void> write_all_at(int fd, std::string_view bytes, uint64_t position, const std::filesystem::path &path);

/// pread(2) until `size` bytes are read or the file ends; returns how many were read.
common::Result<size_t> read_at(int fd, char *into, size_t size, uint64_t position, const std::filesystem::path &path);

/// fdatasync(2): the file's data (and its size) are on stable storage.
common::Result<void> sync_data(int fd, const std::filesystem::path &path);

/// rename(2) that fails (EEXIST) instead of replacing an existing `to`.
common::Result<void> rename_no_replace(const std::filesystem::path &from, const std::filesystem::path &to);

/// fsync(2) on a directory, so that files created, renamed or removed in it stay so
/// after a power loss.
common::Result<void> sync_directory(const std::filesystem::path &directory);

}  // namespace productgraph::queue
