// JSON-lines logger: one write(2) per line so concurrent threads never interleave.
#include "common/log.hpp"

#include <atomic>

#include <unistd.h>

#include "common/json_text.hpp"

namespace productgraph::common {
namespace {

std::atomic<int> minimum_level{static_cast<int>(LogLevel::info)};

std::string_view level_name(LogLevel level)
{
    switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
    }
    return "info";
}

}  // namespace

void set_log_level(LogLevel level)
{
    minimum_level.store(static_cast<int>(level));
}

bool log_enabled(LogLevel level)
{
    return static_cast<int>(level) >= minimum_level.load();
}

void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields)
{
    if (!log_enabled(level)) return;
    std::string line = "{\"level\":";
    append_json_string(line, level_name(level));
    line += ",\"msg\":";
    append_json_string(line, msg);
    for (const LogField &field : fields) {
        line.push_back(',');
        append_json_string(line, field.key);
        line.push_back(':');
        if (const auto *text = std::get_if<std::string_view>(&field.value)) {
            append_json_string(line, *text);
        } else {
            line += std::to_string(std::get<int64_t>(field.value));
        }
    }
    line += "}\n";
    const char *data = line.data();
    size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, data, left);
        if (n <= 0) return;  // stderr closed: nothing better to do with a log line
        data += n;
        left -= static_cast<size_t>(n);
    }
}

}  // namespace productgraph::common
