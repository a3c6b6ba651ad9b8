// Label values come from fixed sets: listeners, route templates and status codes.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "metrics/label_sets.hpp"

using namespace productgraph::metrics;

TEST_CASE("the route templates the edge sets are their own label values")
{
    for (const std::string_view route :
         {"/v1/events", "/health", "/ready", "/metrics", "/v1/plugins", "/v1/plugins/{name}/dead-letters",
          "/v1/plugins/{name}/dead-letters/replay", "/v1/plugins/{name}/{path}", "preflight", "edge", "unmatched"}) {
        CHECK(route_label(route_of_template(route)) == route);
    }
}

TEST_CASE("a string that is not a route template is counted as unmatched and never its own label")
{
    for (const std::string path : {"/", "/v1/plugins/memory/events", "/wp-admin\"{}", "", "/health?x"}) {
        CHECK(route_of_template(path) == Route::unmatched);
    }
}

TEST_CASE("listeners are public or admin")
{
    CHECK(listener_label(listener_of("admin")) == "admin");
    CHECK(listener_label(listener_of("public")) == "public");
    CHECK(listener_label(listener_of("something else")) == "public");
}

TEST_CASE("status codes get their own label or fold into their class")
{
    CHECK(status_label(status_slot(202)) == "202");
    CHECK(status_label(status_slot(503)) == "503");
    CHECK(status_label(status_slot(431)) == "431");
    CHECK(status_label(status_slot(418)) == "4xx");
    CHECK(status_label(status_slot(299)) == "2xx");
    CHECK(status_label(status_slot(599)) == "5xx");
    CHECK(status_label(status_slot(42)) == "other");
    CHECK(status_label(status_slot(1000)) == "other");
    std::set<std::string_view> labels;
    for (size_t slot = 0; slot < status_slot_count; ++slot) labels.insert(status_label(slot));
    CHECK(labels.size() == status_slot_count);  // every slot has a distinct label
    for (const int code : named_status_codes) CHECK(status_label(status_slot(code)) == std::to_string(code));
}
