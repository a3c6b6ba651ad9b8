// Strict RFC 3339 parsing: clients send many almost-ISO formats, and a provider
// would silently misplace an event whose zone we guessed, so a zone is required.
#include "event/timestamp.hpp"

namespace productgraph::event {
namespace {

bool read_digits(std::string_view text, size_t pos, size_t count, int &out)
{
    if (pos + count > text.size()) return false;
    int value = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

bool is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month)
{
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic Gregorian calendar.
int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// The inverse, civil_from_days, from the same paper.
void civil_from_days(int64_t z, int64_t &y, int &m, int &d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

void append_digits(std::string &out, int64_t value, int width)
{
    char digits[8];
    for (int i = width - 1; i >= 0; --i) {
        digits[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    out.append(digits, static_cast<size_t>(width));
}

// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
constexpr int64_t min_rfc3339_ms = -62167219200000;
constexpr int64_t max_rfc3339_ms = 253402300799999;

}  // namespace

void append_rfc3339_ms(std::string &out, int64_t unix_ms)
{
    unix_ms = unix_ms < min_rfc3339_ms ? min_rfc3339_ms : unix_ms > max_rfc3339_ms ? max_rfc3339_ms : unix_ms;
    const int64_t millis = ((unix_ms % 1000) + 1000) % 1000;
    const int64_t total_seconds = (unix_ms - millis) / 1000;
    const int64_t seconds_of_day = ((total_seconds % 86400) + 86400) % 86400;
    const int64_t days = (total_seconds - seconds_of_day) / 86400;
    int64_t year = 0;
    int month = 0, day = 0;
    civil_from_days(days, year, month, day);
    append_digits(out, year, 4);
    out.push_back('-');
    append_digits(out, month, 2);
    out.push_back('-');
    append_digits(out, day, 2);
    out.push_back('T');
    append_digits(out, seconds_of_day / 3600, 2);
    out.push_back(':');
    append_digits(out, seconds_of_day / 60 % 60, 2);
    out.push_back(':');
    append_digits(out, seconds_of_day % 60, 2);
    out.push_back('.');
    append_digits(out, millis, 3);
    out.push_back('Z');
}

std::optional<int64_t> parse_rfc3339_ms(std::string_view text)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' || !read_digits(text, 5, 2, month) ||
        text[7] != '-' || !read_digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
        !read_digits(text, 11, 2, hour) || text[13] != ':' || !read_digits(text, 14, 2, minute) || text[16] != ':' ||
        !read_digits(text, 17, 2, second)) {
        return std::nullopt;
    }
    // Second 60 is a leap second; folding it into 59 keeps ordering and loses < 1 s.
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 ||
        second > 60) {
        return std::nullopt;
    }
    if (second == 60) second = 59;

    size_t pos = 19;
    int millis = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        const size_t first_digit = pos;
        int scale = 100;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            millis += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == first_digit) return std::nullopt;
    }

    int offset_minutes = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int offset_hours = 0, offset_mins = 0;
        if (!read_digits(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !read_digits(text, pos + 4, 2, offset_mins) || offset_hours > 23 || offset_mins > 59) {
            return std::nullopt;
        }
        offset_minutes = (offset_hours * 60 + offset_mins) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;  // a zone is required
    }
    if (pos != text.size()) return std::nullopt;

    const int64_t days = days_from_civil(year, month, day);
    const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    return seconds * 1000 + millis;
}

}  // namespace productgraph::event
