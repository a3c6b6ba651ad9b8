// Creating, locking and listing the queue directory.
#include "queue/queue_directory.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>

namespace productgraph::queue {
namespace {

constexpr std::string_view segment_suffix = ".seg";
constexpr size_t offset_digits = 20;  // UINT64_MAX has 20 digits

std::string variable_error(const std::filesystem::path &root, std::string_view what, std::string_view reason)
{
    return "PRODUCTGRAPH_QUEUE_DIR=" + root.string() + ": " + std::string(what) + ": " + std::string(reason);
}

}  // namespace

common::Result<QueueDirectory> QueueDirectory::open(const std::filesystem::path &root)
{
    if (root.empty()) return common::fail("PRODUCTGRAPH_QUEUE_DIR: must name a directory");
    for (const std::filesystem::path &dir : {root, root / "cursors"}) {
        std::error_code error;
        std::filesystem::create_directories(dir, error);
        if (error) return common::fail(variable_error(root, "cannot create " + dir.string(), error.message()));
    }
    const std::filesystem::path lock_path = root / "lock";
    auto lock = open_file(lock_path, O_RDWR | O_CREAT);
    if (!lock) return common::fail(variable_error(root, "cannot write in the directory", lock.error().message));
    if (::flock(lock->get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            return common::fail(variable_error(root, "already in use", "another queue holds " + lock_path.string()));
        }
        return common::fail(variable_error(root, "cannot lock " + lock_path.string(), std::strerror(errno)));
    }
    return QueueDirectory(root, std::move(*lock));
}

std::filesystem::path QueueDirectory::segment_path(uint64_t first_offset) const
{
    char name[offset_digits + segment_suffix.size() + 1];
    std::snprintf(name, sizeof name, "%020llu.seg", static_cast<unsigned long long>(first_offset));
    return root_ / name;
}

common::Result<std::vector<uint64_t>> QueueDirectory::segment_offsets() const
{
    std::vector<uint64_t> offsets;
    std::error_code error;
    for (const auto &entry : std::filesystem::directory_iterator(root_, error)) {
        if (const auto offset = parse_segment_file_name(entry.path().filename().string())) offsets.push_back(*offset);
    }
    if (error) return common::fail(variable_error(root_, "cannot list the directory", error.message()));
    std::sort(offsets.begin(), offsets.end());
    return offsets;
}

std::optional<uint64_t> parse_segment_file_name(std::string_view name)
{
    if (name.size() != offset_digits + segment_suffix.size() || !name.ends_with(segment_suffix)) return std::nullopt;
    uint64_t offset = 0;
    const char *end = name.data() + offset_digits;
    const auto [stop, error] = std::from_chars(name.data(), end, offset);
    if (error != std::errc() || stop != end) return std::nullopt;
    return offset;
}

}  // namespace productgraph::queue
