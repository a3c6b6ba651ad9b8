// Reading and atomically replacing cursor files.
#include "queue/cursor_store.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fcntl.h>

#include "common/log.hpp"
#include "queue/file_io.hpp"

namespace productgraph::queue {
namespace {

constexpr std::string_view suffix = ".cursor";

bool kept_as_is(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::optional<std::string> decode_file_name(std::string_view file)
{
    if (!file.ends_with(suffix)) return std::nullopt;
    file.remove_suffix(suffix.size());
    std::string name;
    for (size_t i = 0; i < file.size(); ++i) {
        if (file[i] != '%') {
            name.push_back(file[i]);
            continue;
        }
        unsigned value = 0;
        if (i + 2 >= file.size()) return std::nullopt;
        const auto [stop, error] = std::from_chars(file.data() + i + 1, file.data() + i + 3, value, 16);
        if (error != std::errc() || stop != file.data() + i + 3) return std::nullopt;
        name.push_back(static_cast<char>(value));
        i += 2;
    }
    return name;
}

std::optional<uint64_t> parse_position(const std::string &text)
{
    if (text.empty() || text.back() != '\n') return std::nullopt;
    uint64_t position = 0;
    const char *end = text.data() + text.size() - 1;
    const auto [stop, error] = std::from_chars(text.data(), end, position);
    if (error != std::errc() || stop != end) return std::nullopt;
    return position;
}

std::optional<std::string> read_small_file(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string CursorStore::file_name(std::string_view cursor_name)
{
    std::string file;
    for (char c : cursor_name) {
        if (kept_as_is(c)) {
            file.push_back(c);
        } else {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
            file += escaped;
        }
    }
    return file + std::string(suffix);
}

common::Result<std::map<std::string, uint64_t>> CursorStore::load_all() const
{
    std::map<std::string, uint64_t> cursors;
    std::error_code error;
    for (const auto &entry : std::filesystem::directory_iterator(directory_, error)) {
        const auto name = decode_file_name(entry.path().filename().string());
        if (!name) continue;  // temporary files of an interrupted save, or foreign files
        const std::optional<std::string> text = read_small_file(entry.path());
        const std::optional<uint64_t> position = text ? parse_position(*text) : std::nullopt;
        if (!position) {
            common::log_warn("unreadable queue cursor file; the cursor resumes at the oldest record",
                             {{"file", entry.path().string()}});
        }
        cursors[*name] = position.value_or(0);
    }
    if (error) return common::fail("cannot list queue cursors in " + directory_.string() + ": " + error.message());
    return cursors;
}

std::optional<uint64_t> CursorStore::load(std::string_view name) const
{
    const std::optional<std::string> text = read_small_file(directory_ / file_name(name));
    return text ? parse_position(*text) : std::nullopt;
}

common::Result<void> CursorStore::save(const std::vector<std::pair<std::string, uint64_t>> &positions) const
{
    for (const auto &[name, position] : positions) {
        const std::filesystem::path target = directory_ / file_name(name);
        std::filesystem::path temporary = target;
        temporary += ".tmp";
        {
            auto fd = open_file(temporary, O_WRONLY | O_CREAT | O_TRUNC);
            if (!fd) return tl::unexpected(fd.error());
            if (auto written = write_all_at(fd->get(), std::to_string(position) + "\n", 0, temporary); !written) {
                return written;
            }
            if (auto synced = sync_data(fd->get(), temporary); !synced) return synced;
        }
        std::error_code error;
        std::filesystem::rename(temporary, target, error);
        if (error) return common::fail("cannot rename " + temporary.string() + ": " + error.message());
    }
    if (positions.empty()) return {};
    return sync_directory(directory_);
}

}  // namespace productgraph::queue
