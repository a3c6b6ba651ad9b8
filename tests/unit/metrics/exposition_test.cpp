// The text exposition format: escaping, value spelling, histogram series.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "metrics/exposition.hpp"

using namespace productgraph::metrics;

TEST_CASE("label values escape backslash and double quote and newline")
{
    CHECK(escape_label_value(R"(a\b"c)") == R"(a\\b\"c)");
    CHECK(escape_label_value("line\nbreak") == "line\\nbreak");
    CHECK(escape_label_value("plain-value_1") == "plain-value_1");
}

TEST_CASE("help text escapes backslash and newline but keeps double quotes")
{
    CHECK(escape_help("say \"hi\"\\now\nthen") == "say \"hi\"\\\\now\\nthen");
}

TEST_CASE("sample values are spelled as the format expects")
{
    CHECK(format_value(0.0025) == "0.0025");
    CHECK(format_value(1.0) == "1");
    CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_value(std::nan("")) == "NaN");
}

TEST_CASE("a family is written as HELP and TYPE lines followed by its samples")
{
    Exposition out;
    out.family("demo_requests_total", MetricType::counter, "Requests.\nSecond line \\ end");
    out.sample("demo_requests_total", {{"route", "/v1/\"x\""}, {"status", "200"}}, uint64_t{7});
    out.sample("demo_requests_total", {}, 2.5);
    CHECK(out.text() == "# HELP demo_requests_total Requests.\\nSecond line \\\\ end\n"
                        "# TYPE demo_requests_total counter\n"
                        "demo_requests_total{route=\"/v1/\\\"x\\\"\",status=\"200\"} 7\n"
                        "demo_requests_total 2.5\n");
}

TEST_CASE("a histogram is written as cumulative buckets ending in +Inf then sum and count")
{
    Histogram histogram{0.0001, 0.1};
    histogram.observe(std::chrono::microseconds(50));
    histogram.observe(std::chrono::milliseconds(50));
    histogram.observe(std::chrono::milliseconds(500));
    Exposition out;
    out.family("demo_duration_seconds", MetricType::histogram, "Durations.");
    out.histogram("demo_duration_seconds", {{"plugin", "memory"}}, histogram.snapshot());
    CHECK(out.text() == "# HELP demo_duration_seconds Durations.\n"
                        "# TYPE demo_duration_seconds histogram\n"
                        "demo_duration_seconds_bucket{plugin=\"memory\",le=\"0.0001\"} 1\n"
                        "demo_duration_seconds_bucket{plugin=\"memory\",le=\"0.1\"} 2\n"
                        "demo_duration_seconds_bucket{plugin=\"memory\",le=\"+Inf\"} 3\n"
                        "demo_duration_seconds_sum{plugin=\"memory\"} 0.55005\n"
                        "demo_duration_seconds_count{plugin=\"memory\"} 3\n");
}
