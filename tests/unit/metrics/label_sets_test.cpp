// Label values come from fixed sets: route templates and status codes.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "metrics/label_sets.hpp"

using namespace productgraph::metrics;

TEST_CASE("request paths map to their route templates")
{
    CHECK(route_label(route_of("/v1/events")) == "/v1/events");
    CHECK(route_label(route_of("/health")) == "/health");
    CHECK(route_label(route_of("/ready")) == "/ready");
    CHECK(route_label(route_of("/metrics")) == "/metrics");
    CHECK(route_label(route_of("/v1/plugins")) == "/v1/plugins");
    CHECK(route_label(route_of("/v1/plugins/amplitude/dead-letters")) == "/v1/plugins/{plugin}/dead-letters");
    CHECK(route_label(route_of("/v1/plugins/x/dead-letters/replay")) == "/v1/plugins/{plugin}/dead-letters/replay");
    CHECK(route_label(route_of("/v1/plugins/memory/events")) == "/v1/plugins/{plugin}/{path}");
    CHECK(route_label(route_of("/v1/plugins/memory")) == "/v1/plugins/{plugin}/{path}");
}

TEST_CASE("any other path is unmatched and never its own label")
{
    for (const std::string path : {"/", "/v1/event", "/v1/events/", "/metrics/x", "/wp-admin\"{}", "/health?x"}) {
        CHECK(route_of(path) == Route::unmatched);
    }
    CHECK(route_label(Route::unmatched) == "unmatched");
}

TEST_CASE("status codes get their own label or fold into their class")
{
    CHECK(status_label(status_slot(202)) == "202");
    CHECK(status_label(status_slot(503)) == "503");
    CHECK(status_label(status_slot(418)) == "4xx");
    CHECK(status_label(status_slot(299)) == "2xx");
    CHECK(status_label(status_slot(599)) == "5xx");
    CHECK(status_label(status_slot(42)) == "other");
    CHECK(status_label(status_slot(1000)) == "other");
    std::set<std::string_view> labels;
    for (size_t slot = 0; slot < status_slot_count; ++slot) labels.insert(status_label(slot));
    CHECK(labels.size() == status_slot_count);  // every slot has a distinct label
}
