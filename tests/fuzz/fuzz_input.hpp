// The classifier targets' input: a first line "<status> <number>" and the response
// body after it, so seed files read like the answers they stand for.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

struct ClassifierInput {
    long status = 0;
    unsigned number = 0;  // the target decides: event count, API mode, ...
    std::string_view body;
};

inline ClassifierInput parse_classifier_input(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    ClassifierInput input;
    const size_t newline = text.find('\n');
    const std::string_view head = text.substr(0, newline);
    input.body = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    const size_t space = head.find(' ');
    const std::string_view status = head.substr(0, space);
    std::from_chars(status.data(), status.data() + status.size(), input.status);
    if (space != std::string_view::npos) {
        const std::string_view number = head.substr(space + 1);
        std::from_chars(number.data(), number.data() + number.size(), input.number);
    }
    return input;
}
