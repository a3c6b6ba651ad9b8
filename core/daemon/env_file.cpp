// A deliberately small env file dialect: the subset of systemd's EnvironmentFile
// that every shell-minded operator reads the same way, with errors instead of guesses.
#include "daemon/env_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace productgraph::daemon {
namespace {

bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    return text;
}

bool valid_name(std::string_view name)
{
    if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
    for (const char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

// The value after '=', already trimmed: unquoted, "double quoted" or 'single quoted'.
common::Result<std::string> parse_value(std::string_view raw)
{
    if (raw.empty() || (raw.front() != '"' && raw.front() != '\'')) return std::string(raw);
    const char quote = raw.front();
    std::string value;
    size_t i = 1;
    for (; i < raw.size() && raw[i] != quote; ++i) {
        if (quote == '"' && raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\')) ++i;
        value.push_back(raw[i]);
    }
    if (i == raw.size()) return common::fail(std::string("unterminated ") + quote + " quote");
    const std::string_view rest = trim(raw.substr(i + 1));
    if (!rest.empty() && rest.front() != '#') return common::fail("text after the closing quote");
    return value;
}

}  // namespace

common::Result<EnvAssignments> parse_env_file(std::string_view text, const std::string &source)
{
    EnvAssignments assignments;
    size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const size_t newline = text.find('\n');
        const std::string_view line = trim(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (line.empty() || line.front() == '#') continue;
        const auto where = [&] { return source + ":" + std::to_string(line_number) + ": "; };
        const size_t equals = line.find('=');
        if (equals == std::string_view::npos) return common::fail(where() + "expected NAME=VALUE");
        const std::string_view name = trim(line.substr(0, equals));
        if (!valid_name(name)) {
            return common::fail(where() + "\"" + std::string(name) +
                                "\" is not a variable name (letters, digits and _, not starting with a digit)");
        }
        auto value = parse_value(trim(line.substr(equals + 1)));
        if (!value) return common::fail(where() + value.error().message);
        assignments[std::string(name)] = std::move(*value);
    }
    return assignments;
}

common::Result<EnvAssignments> read_env_file(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return common::fail("PRODUCTGRAPH_ENV_FILE: cannot read " + file.string() + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_env_file(text.str(), file.string());
}

}  // namespace productgraph::daemon
