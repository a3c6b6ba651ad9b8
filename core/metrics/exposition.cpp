// Text format details from the Prometheus exposition format 0.0.4: label values
// escape \, " and newline; HELP escapes \ and newline; +Inf/-Inf/NaN spelled so.
#include "metrics/exposition.hpp"

#include <cassert>
#include <charconv>
#include <cmath>

namespace productgraph::metrics {
namespace {

[[maybe_unused]] bool valid_name(std::string_view name)
{
    if (name.empty()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

std::string_view type_name(MetricType type)
{
    switch (type) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
    }
    return "untyped";
}

// A bucket bound in plain decimals ("0.0001", not "1e-04"), as other clients write
// them, so le values read the same across exporters.
std::string format_bound(double bound)
{
    char buffer[64];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, bound, std::chars_format::fixed);
    assert(error == std::errc());
    return std::string(buffer, end);
}

}  // namespace

std::string escape_label_value(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string escape_help(std::string_view help)
{
    std::string out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string format_value(double value)
{
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buffer[32];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    assert(error == std::errc());
    return std::string(buffer, end);
}

void Exposition::family(std::string_view name, MetricType type, std::string_view help)
{
    assert(valid_name(name));
    out_ += "# HELP ";
    out_ += name;
    out_.push_back(' ');
    out_ += escape_help(help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_.push_back(' ');
    out_ += type_name(type);
    out_.push_back('\n');
}

void Exposition::begin_sample(std::string_view name, const Labels &labels, const Label *extra)
{
    assert(valid_name(name));
    out_ += name;
    if (labels.empty() && extra == nullptr) {
        out_.push_back(' ');
        return;
    }
    out_.push_back('{');
    bool first = true;
    const auto write = [&](const Label &label) {
        assert(valid_name(label.name) && !label.name.starts_with("__"));
        if (!first) out_.push_back(',');
        first = false;
        out_ += label.name;
        out_ += "=\"";
        out_ += escape_label_value(label.value);
        out_.push_back('"');
    };
    for (const Label &label : labels) write(label);
    if (extra != nullptr) write(*extra);
    out_ += "} ";
}

void Exposition::sample(std::string_view name, const Labels &labels, uint64_t value)
{
    begin_sample(name, labels);
    out_ += std::to_string(value);
    out_.push_back('\n');
}

void Exposition::sample(std::string_view name, const Labels &labels, double value)
{
    begin_sample(name, labels);
    out_ += format_value(value);
    out_.push_back('\n');
}

void Exposition::histogram(std::string_view name, const Labels &labels, const HistogramSnapshot &snapshot)
{
    const std::string bucket = std::string(name) + "_bucket";
    for (size_t i = 0; i < snapshot.cumulative.size(); ++i) {
        const std::string bound = i < snapshot.bounds.size() ? format_bound(snapshot.bounds[i]) : "+Inf";
        const Label le{"le", bound};
        begin_sample(bucket, labels, &le);
        out_ += std::to_string(snapshot.cumulative[i]);
        out_.push_back('\n');
    }
    sample(std::string(name) + "_sum", labels, snapshot.sum_seconds);
    sample(std::string(name) + "_count", labels, snapshot.count);
}

}  // namespace productgraph::metrics
