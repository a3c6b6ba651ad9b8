// GET /metrics as an operator's Prometheus sees it: counters move by exactly what
// happened, label values come only from fixed sets, histograms keep their invariants.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "event_samples.hpp"
#include "http_client.hpp"
#include "metrics_scrape.hpp"
#include "running_daemon.hpp"

using namespace productgraph::testing;

namespace {

const std::string requests = "productgraphd_http_requests_total";

std::map<std::string, std::string> request_labels(const std::string &route, const std::string &status)
{
    return {{"listener", "public"}, {"route", route}, {"status", status}};
}

std::string random_token()
{
    std::random_device device;
    std::string token = "zq";
    for (int i = 0; i < 12; ++i) token.push_back(static_cast<char>('a' + device() % 26));
    return token;
}

// Every histogram family in `scrape`, checked as Prometheus requires.
void check_histograms(const Scrape &scrape)
{
    size_t histograms = 0;
    for (const auto &[family, type] : scrape.types) {
        if (type != "histogram") continue;
        // Group the family's buckets by their labels without le.
        std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> series;
        for (const Sample &sample : scrape.samples) {
            if (sample.name != family + "_bucket") continue;
            auto labels = sample.labels;
            REQUIRE(labels.count("le") == 1);
            const std::string le = labels["le"];
            labels.erase("le");
            series[labels].emplace_back(le == "+Inf" ? HUGE_VAL : std::stod(le), sample.value);
        }
        for (const auto &[labels, buckets] : series) {
            ++histograms;
            INFO(family);
            REQUIRE(buckets.size() >= 2);
            for (size_t i = 1; i < buckets.size(); ++i) {
                CHECK(buckets[i].first > buckets[i - 1].first);     // le ascending
                CHECK(buckets[i].second >= buckets[i - 1].second);  // cumulative
            }
            CHECK(std::isinf(buckets.back().first));
            const auto count = scrape.value(family + "_count", labels);
            const auto sum = scrape.value(family + "_sum", labels);
            REQUIRE(count.has_value());
            REQUIRE(sum.has_value());
            CHECK(buckets.back().second == *count);
            CHECK(*sum >= 0);
            if (*count == 0) CHECK(*sum == 0);
        }
    }
    CHECK(histograms >= 2);  // the fsync histogram and one per enabled plugin
}

}  // namespace

TEST_CASE("requests and events move the metrics counters by exactly what was sent")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const Scrape before = scrape(daemon->admin_url());

    const std::string no_session = R"({"event_id":"n1","project_id":"p","event.type":"custom",)"
                                   R"("event.timestamp":"2024-01-15T10:30:15Z"})";
    const std::string batch = batch_of({minimal_event("a1"), no_session, minimal_event("a2"),
                                        minimal_event("t1", R"(,"event.sequence":"seven")"), minimal_event("a3")});
    REQUIRE(http_post(daemon->base_url() + "/v1/events", batch).status == 202);
    REQUIRE(http_post(daemon->base_url() + "/v1/events", "{not json").status == 400);
    REQUIRE(http_get(daemon->base_url() + "/no-such-endpoint").status == 404);
    REQUIRE(http_get(daemon->base_url() + "/health").status == 200);

    // Each answer is counted as the edge hands it to the socket; the scrape itself is
    // counted once answered, so poll until the last request shows.
    Scrape after;
    REQUIRE(eventually([&] {
        after = scrape(daemon->admin_url());
        return after.count(requests, request_labels("/health", "200")) == 1;
    }));
    CHECK(after.count(requests, request_labels("/v1/events", "202")) -
              before.count(requests, request_labels("/v1/events", "202")) ==
          1);
    CHECK(after.count(requests, request_labels("/v1/events", "400")) == 1);
    CHECK(after.count(requests, request_labels("unmatched", "404")) == 1);
    CHECK(after.total(requests, {{"listener", "admin"}, {"route", "/metrics"}, {"status", "200"}}) >= 1);
    CHECK(after.total(requests, {{"listener", "public"}, {"route", "/metrics"}}) == 0);

    CHECK(after.count("productgraphd_events_accepted_total") - before.count("productgraphd_events_accepted_total") ==
          3);
    const auto rejected = [&](const Scrape &s, const std::string &reason) {
        return s.count("productgraphd_events_rejected_total", {{"reason", reason}});
    };
    CHECK(rejected(after, "missing_field") - rejected(before, "missing_field") == 1);
    CHECK(rejected(after, "invalid_type") - rejected(before, "invalid_type") == 1);
    for (const std::string reason :
         {"invalid_value", "invalid_timestamp", "unknown_event_type", "too_large", "too_deep", "other"}) {
        CHECK(rejected(after, reason) == 0);
    }
    CHECK(after.count("productgraphd_queue_appended_events_total") == 3);
    REQUIRE(eventually([&] {
        return scrape(daemon->admin_url())
                   .count("productgraphd_plugin_delivered_events_total", {{"plugin", "memory"}}) == 3;
    }));
}

TEST_CASE("a request to a random path is counted as unmatched and never becomes a label value")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins);
    const std::string token = random_token();
    CHECK(http_get(daemon->base_url() + "/" + token + "?q=" + token).status == 404);
    CHECK(http_post(daemon->base_url() + "/v1/" + token, "{}").status == 404);
    http_get(daemon->admin_url() + "/v1/plugins/" + token + "/x");  // a plugin path: the template only

    Scrape after;
    REQUIRE(eventually([&] {
        after = scrape(daemon->admin_url());
        return after.count(requests, request_labels("unmatched", "404")) == 2;
    }));
    CHECK(after.text.find(token) == std::string::npos);
    const std::set<std::string> routes = {"/v1/events",
                                          "/health",
                                          "/ready",
                                          "/metrics",
                                          "/v1/plugins",
                                          "/v1/plugins/{name}/dead-letters",
                                          "/v1/plugins/{name}/dead-letters/replay",
                                          "/v1/plugins/{name}/{path}",
                                          "preflight",
                                          "edge",
                                          "unmatched"};
    for (const Sample &sample : after.samples) {
        if (sample.name != requests) continue;
        CHECK(routes.count(sample.labels.at("route")) == 1);
        CHECK((sample.labels.at("listener") == "public" || sample.labels.at("listener") == "admin"));
    }
    CHECK(after.total(requests, {{"listener", "admin"}, {"route", "/v1/plugins/{name}/{path}"}}) == 1);
}

TEST_CASE("plugin deliveries and retries and rejections move the per-plugin metrics")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("flaky").add_test_plugin("picky");
    auto daemon = start_daemon(
        plugins, {{"FLAKY_FAILURES", "2"}, {"FLAKY_RETRY_AFTER_MS", "20"}, {"PRODUCTGRAPH_RETRY_INITIAL_MS", "10"}});
    REQUIRE(http_post(daemon->base_url() + "/v1/events",
                      batch_of({minimal_event("good1"), minimal_event("bad1"), minimal_event("good2")}))
                .status == 202);

    const auto plugin = [](const std::string &name) { return std::map<std::string, std::string>{{"plugin", name}}; };
    Scrape after;
    REQUIRE(eventually([&] {
        after = scrape(daemon->admin_url());
        return after.count("productgraphd_plugin_delivered_events_total", plugin("flaky")) == 3 &&
               after.count("productgraphd_plugin_dead_letters", plugin("picky")) == 1 &&
               after.count("productgraphd_plugin_queue_lag_events", plugin("flaky")) == 0;
    }));
    // flaky answers RETRY twice, then OK: three events retried twice each.
    CHECK(after.count("productgraphd_plugin_retried_events_total", plugin("flaky")) == 6);
    CHECK(after.count("productgraphd_plugin_publish_calls_total", plugin("flaky")) == 3);
    CHECK(after.count("productgraphd_plugin_publish_duration_seconds_count", plugin("flaky")) == 3);
    CHECK(after.count("productgraphd_plugin_rejected_events_total", plugin("flaky")) == 0);
    // picky rejects events whose id starts with "bad".
    CHECK(after.count("productgraphd_plugin_delivered_events_total", plugin("picky")) == 2);
    CHECK(after.count("productgraphd_plugin_rejected_events_total", plugin("picky")) == 1);
    CHECK(after.count("productgraphd_plugin_dead_lettered_events_total", plugin("picky")) == 1);
    CHECK(after.count("productgraphd_plugin_dead_letters_dropped_events_total", plugin("picky")) == 0);
    CHECK(after.count("productgraphd_plugin_delivered_events_total", plugin("memory")) == 3);
    CHECK(after.count("productgraphd_plugin_publish_duration_seconds_count", plugin("memory")) ==
          after.count("productgraphd_plugin_publish_calls_total", plugin("memory")));
    for (const std::string name : {"memory", "flaky", "picky"}) {
        CHECK(after.count("productgraphd_plugin_state", {{"plugin", name}, {"state", "enabled"}}) == 1);
        CHECK(after.count("productgraphd_plugin_state", {{"plugin", name}, {"state", "failed"}}) == 0);
    }
}

TEST_CASE("a plugin that fails flips its state gauge to failed and keeps its events queued")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory").add_test_plugin("fatal");
    auto daemon = start_daemon(plugins);
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("f", 4)).status == 202);
    Scrape after;
    REQUIRE(eventually([&] {
        after = scrape(daemon->admin_url());
        return after.count("productgraphd_plugin_state", {{"plugin", "fatal"}, {"state", "failed"}}) == 1;
    }));
    CHECK(after.count("productgraphd_plugin_state", {{"plugin", "fatal"}, {"state", "enabled"}}) == 0);
    CHECK(after.count("productgraphd_plugin_queue_lag_events", {{"plugin", "fatal"}}) == 4);
    CHECK(after.count("productgraphd_plugin_failed_backlog_moved_events_total", {{"plugin", "fatal"}}) == 0);
    CHECK(after.count("productgraphd_plugin_publish_calls_total", {{"plugin", "fatal"}}) == 1);
    CHECK(after.count("productgraphd_plugin_state", {{"plugin", "memory"}, {"state", "enabled"}}) == 1);
}

TEST_CASE("the metrics page is text format 0.0.4 with consistent histograms and process and build info")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon =
        start_daemon(plugins, {{"PRODUCTGRAPH_FSYNC", "always"}, {"PRODUCTGRAPH_QUEUE_MAX_BYTES", "10000000"}});
    for (int i = 0; i < 5; ++i) {
        REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("h" + std::to_string(i), 20)).status ==
                202);
    }
    const HttpResponse response = http_get(daemon->admin_url() + "/metrics");
    REQUIRE(response.status == 200);
    CHECK(response.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    const Scrape page = parse_scrape(response.body);

    check_histograms(page);
    // Under PRODUCTGRAPH_FSYNC=always every 202 waited for at least one fdatasync.
    CHECK(page.count("productgraphd_queue_fsync_duration_seconds_count") >= 1);
    CHECK(page.count("productgraphd_queue_capacity_bytes") == 10000000);
    CHECK(std::isinf(page.count("productgraphd_queue_capacity_events")));
    CHECK(page.count("productgraphd_queue_bytes") > 0);
    CHECK(page.value("productgraphd_build_info", {{"abi", "1.2"}}) == 1.0);
    CHECK(page.count("process_resident_memory_bytes") > 0);
    CHECK(page.count("process_open_fds") > 0);
    CHECK(page.count("process_max_fds") >= page.count("process_open_fds"));
    CHECK(page.count("process_start_time_seconds") > 1.6e9);
    // Every sample belongs to a family declared with # TYPE.
    for (const Sample &sample : page.samples) {
        std::string family = sample.name;
        for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
            const std::string base = family.substr(0, family.size() - std::min(family.size(), suffix.size()));
            if (family.ends_with(suffix) && page.types.count(base) == 1 && page.types.at(base) == "histogram") {
                family = base;
            }
        }
        INFO(sample.name);
        CHECK(page.types.count(family) == 1);
    }
}

TEST_CASE("with admin keys set a scrape needs the bearer key and the public listener has no metrics")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    auto daemon = start_daemon(plugins, {{"PRODUCTGRAPH_ADMIN_KEYS", "scrape-key-1"}});
    CHECK(http_get(daemon->admin_url() + "/metrics").status == 401);
    CHECK(http_get(daemon->base_url() + "/metrics", {{"Authorization", "Bearer scrape-key-1"}}).status == 404);
    const HttpResponse response =
        http_get(daemon->admin_url() + "/metrics", {{"Authorization", "Bearer scrape-key-1"}});
    REQUIRE(response.status == 200);
    const Scrape page = parse_scrape(response.body);
    // The refused scrape is counted under its route, as a 401.
    CHECK(page.count(requests, {{"listener", "admin"}, {"route", "/metrics"}, {"status", "401"}}) == 1);
    CHECK(page.count(requests, {{"listener", "admin"}, {"route", "unmatched"}, {"status", "401"}}) == 0);
    CHECK(page.count(requests, {{"listener", "public"}, {"route", "unmatched"}, {"status", "404"}}) == 1);
}

TEST_CASE("a second file with the same plugin name adds no duplicate series")
{
    std::ifstream original(std::string(PG_BUILD_PLUGIN_DIR) + "/memory.so", std::ios::binary);
    std::ostringstream bytes;
    bytes << original.rdbuf();
    PluginDirectory plugins;
    plugins.add_plugin("memory").write_file("zz-memory-copy.so", bytes.str());
    auto daemon = start_daemon(plugins);
    REQUIRE(http_post(daemon->base_url() + "/v1/events", numbered_batch("d", 2)).status == 202);
    Scrape page;
    REQUIRE(eventually([&] {
        page = scrape(daemon->admin_url());
        return page.count("productgraphd_plugin_delivered_events_total", {{"plugin", "memory"}}) == 2;
    }));
    // value() is nullopt when two samples match: exactly one series per plugin and state.
    CHECK(page.value("productgraphd_plugin_state", {{"plugin", "memory"}, {"state", "enabled"}}) == 1.0);
    CHECK(page.value("productgraphd_plugin_publish_duration_seconds_count", {{"plugin", "memory"}}).has_value());
    std::set<std::string> series;
    for (const Sample &sample : page.samples) {
        std::string key = sample.name;
        for (const auto &[name, value] : sample.labels) key += "|" + name + "=" + value;
        CHECK_MESSAGE(series.insert(key).second, "duplicate series " << key);
    }
}
