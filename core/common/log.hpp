// JSON-lines logger on stderr: {"level":...,"msg":...,<fields>}. Thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace productgraph::common {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

/// One extra key/value on a log line. Values are strings or integers.
struct LogField {
    std::string_view key;
    std::variant<std::string_view, int64_t> value;

    LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
    LogField(std::string_view k, const std::string &v) : key(k), value(std::string_view(v)) {}
    LogField(std::string_view k, const char *v) : key(k), value(std::string_view(v)) {}
    template <typename Int>
    requires std::is_integral_v<Int> LogField(std::string_view k, Int v) : key(k), value(static_cast<int64_t>(v)) {}
};

/// Lines below this level are not written. Set once at start-up (DEBUG=true -> debug).
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

/// Writes one line atomically (one write(2) call, so lines never interleave).
void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

inline void log_debug(std::string_view msg, std::initializer_list<LogField> f = {})
{
    log(LogLevel::debug, msg, f);
}
inline void log_info(std::string_view msg, std::initializer_list<LogField> f = {})
{
    log(LogLevel::info, msg, f);
}
inline void log_warn(std::string_view msg, std::initializer_list<LogField> f = {})
{
    log(LogLevel::warn, msg, f);
}
inline void log_error(std::string_view msg, std::initializer_list<LogField> f = {})
{
    log(LogLevel::error, msg, f);
}

}  // namespace productgraph::common
