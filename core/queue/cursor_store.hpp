// Persisted cursor positions: one small file per cursor name, replaced atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace productgraph::queue {

/// Each cursor lives in <directory>/<name>.cursor holding its position as decimal text
/// and a newline (readable and editable by an operator). A save writes a temporary
/// file, fdatasyncs it, renames it over the old one and fsyncs the directory, so a
/// crash leaves either the old or the new position, never a torn one.
class CursorStore {
public:
    explicit CursorStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

    /// Every persisted cursor by name. A file that cannot be parsed is logged and read
    /// as position 0: re-sending is better than skipping.
    common::Result<std::map<std::string, uint64_t>> load_all() const;

    /// One cursor's persisted position, if any.
    std::optional<uint64_t> load(std::string_view name) const;

    /// Writes every (name, position) pair durably; on failure some may be written.
    common::Result<void> save(const std::vector<std::pair<std::string, uint64_t>> &positions) const;

    /// The file name for a cursor name: [a-z0-9_-] kept, any other byte as %XX.
    static std::string file_name(std::string_view cursor_name);

private:
    std::filesystem::path directory_;
};

}  // namespace productgraph::queue
