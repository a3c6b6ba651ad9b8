// The Prometheus text exposition format 0.0.4: # HELP and # TYPE lines, samples with
// escaped label values, histogram _bucket/_sum/_count series.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram.hpp"

namespace productgraph::metrics {

/// The Content-Type a scrape is answered with.
inline constexpr std::string_view exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { counter, gauge, histogram };

struct Label {
    std::string_view name;
    std::string_view value;
};
using Labels = std::vector<Label>;

/// Writes one scrape. Every family starts with family() and its samples follow at
/// once, which is what the format requires.
class Exposition {
public:
    /// # HELP and # TYPE for `name` (without _total/_bucket suffixes for a histogram;
    /// with _total for a counter).
    void family(std::string_view name, MetricType type, std::string_view help);

    void sample(std::string_view name, const Labels &labels, uint64_t value);
    void sample(std::string_view name, const Labels &labels, double value);
    /// `name`_bucket{…,le="…"} per bound and +Inf, then `name`_sum and `name`_count.
    void histogram(std::string_view name, const Labels &labels, const HistogramSnapshot &snapshot);

    const std::string &text() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    void begin_sample(std::string_view name, const Labels &labels, const Label *extra = nullptr);

    std::string out_;
};

/// A label value escaped for the format: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);
/// A HELP text escaped for the format: backslash and newline.
std::string escape_help(std::string_view help);
/// A sample value as the format spells it: shortest round-trip decimal, +Inf, -Inf, NaN.
std::string format_value(double value);

}  // namespace productgraph::metrics
