// Reads a Prometheus text scrape back into samples, for the metrics tests.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace productgraph::testing {

struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;  // values unescaped
    double value = 0;
};

struct Scrape {
    std::string text;
    std::vector<Sample> samples;
    std::map<std::string, std::string> types;  // family name -> counter/gauge/histogram

    /// The value of the sample `name` whose labels include all of `labels`; nullopt
    /// when none or more than one match.
    std::optional<double> value(const std::string &name, const std::map<std::string, std::string> &labels = {}) const;
    /// The same, 0 when the series is absent (a counter not yet seen).
    double count(const std::string &name, const std::map<std::string, std::string> &labels = {}) const;
    /// The sum over every sample `name` whose labels include all of `labels`.
    double total(const std::string &name, const std::map<std::string, std::string> &labels = {}) const;
};

/// Parses exposition text; samples it cannot read are reported with FAIL_CHECK.
Scrape parse_scrape(const std::string &text);

/// GET /metrics on the admin listener of the daemon at `admin_url`, parsed.
Scrape scrape(const std::string &admin_url);

}  // namespace productgraph::testing
