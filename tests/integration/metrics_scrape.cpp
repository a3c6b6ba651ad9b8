// A small reader of the text format: "# TYPE" lines and "name{a="b",…} value" lines,
// with the label-value escapes \\, \" and \n.
#include "metrics_scrape.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "http_client.hpp"

namespace productgraph::testing {
namespace {

bool parse_labels(const std::string &line, size_t &at, std::map<std::string, std::string> &labels)
{
    ++at;  // '{'
    while (at < line.size() && line[at] != '}') {
        const size_t equals = line.find('=', at);
        if (equals == std::string::npos || equals + 1 >= line.size() || line[equals + 1] != '"') return false;
        const std::string name = line.substr(at, equals - at);
        std::string value;
        size_t i = equals + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
            if (line[i] == '\\' && i + 1 < line.size()) {
                ++i;
                value.push_back(line[i] == 'n' ? '\n' : line[i]);
            } else {
                value.push_back(line[i]);
            }
        }
        if (i >= line.size()) return false;
        labels[name] = value;
        at = i + 1;
        if (at < line.size() && line[at] == ',') ++at;
    }
    if (at >= line.size()) return false;
    ++at;  // '}'
    return true;
}

}  // namespace

namespace {

bool matches(const Sample &sample, const std::string &name, const std::map<std::string, std::string> &labels)
{
    if (sample.name != name) return false;
    for (const auto &[key, wanted] : labels) {
        const auto it = sample.labels.find(key);
        if (it == sample.labels.end() || it->second != wanted) return false;
    }
    return true;
}

}  // namespace

std::optional<double> Scrape::value(const std::string &name, const std::map<std::string, std::string> &labels) const
{
    std::optional<double> found;
    for (const Sample &sample : samples) {
        if (!matches(sample, name, labels)) continue;
        if (found) return std::nullopt;  // ambiguous
        found = sample.value;
    }
    return found;
}

double Scrape::total(const std::string &name, const std::map<std::string, std::string> &labels) const
{
    double sum = 0;
    for (const Sample &sample : samples) {
        if (matches(sample, name, labels)) sum += sample.value;
    }
    return sum;
}

double Scrape::count(const std::string &name, const std::map<std::string, std::string> &labels) const
{
    return value(name, labels).value_or(0.0);
}

Scrape parse_scrape(const std::string &text)
{
    Scrape scrape;
    scrape.text = text;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        if (line.starts_with("# TYPE ")) {
            std::istringstream words(line.substr(7));
            std::string name, type;
            words >> name >> type;
            scrape.types[name] = type;
            continue;
        }
        if (line.starts_with("#")) continue;
        Sample sample;
        size_t at = line.find_first_of("{ ");
        sample.name = line.substr(0, at);
        if (at != std::string::npos && line[at] == '{' && !parse_labels(line, at, sample.labels)) {
            FAIL_CHECK("unreadable labels: " << line);
            continue;
        }
        if (at == std::string::npos || line[at] != ' ') {
            FAIL_CHECK("no value: " << line);
            continue;
        }
        const std::string value = line.substr(at + 1);
        sample.value = value == "+Inf" ? HUGE_VAL : value == "-Inf" ? -HUGE_VAL : std::strtod(value.c_str(), nullptr);
        scrape.samples.push_back(std::move(sample));
    }
    return scrape;
}

Scrape scrape(const std::string &admin_url)
{
    const HttpResponse response = http_get(admin_url + "/metrics");
    REQUIRE(response.status == 200);
    return parse_scrape(response.body);
}

}  // namespace productgraph::testing
