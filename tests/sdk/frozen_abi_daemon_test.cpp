// The real daemon with a plugin built against the frozen ABI 1.0 header: it loads,
// gets its untyped variable unchecked, and receives events.
#include "event_samples.hpp"
#include "http_client.hpp"
#include "running_daemon.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace productgraph::testing;

namespace {

// The GET /v1/plugins entry of `name`, as text fields.
std::string field_of(const DaemonProcess &daemon, const std::string &name, const char *field)
{
    const auto list = http_get(daemon.admin_url() + "/v1/plugins").json();
    for (const auto &plugin : list["plugins"].GetArray()) {
        if (name == plugin["name"].GetString() && plugin.HasMember(field)) return plugin[field].GetString();
    }
    return "";
}

}  // namespace

TEST_CASE("a plugin built against the frozen 1.0 header loads and receives events in today's host")
{
    PluginDirectory plugins;
    plugins.add_plugin("memory");
    std::filesystem::copy_file(PG_LEGACY_1_0_PLUGIN, std::filesystem::path(plugins.path()) / "legacy.so");
    // A value that breaks every 1.2 type: a 1.0 variable is a string and must pass unchecked.
    auto daemon = start_daemon(plugins, {{"LEGACY_NOTE", "mars|not a url"}});
    CHECK(field_of(*daemon, "legacy", "state") == "enabled");
    CHECK(field_of(*daemon, "legacy", "abi") == "1.0");

    REQUIRE(http_post(daemon->base_url() + "/v1/events", batch_of({minimal_event("old-1"), minimal_event("old-2")}))
                .status == 202);
    CHECK(eventually([&] {
        const std::string body = http_get(daemon->admin_url() + "/v1/plugins/legacy/events").body;
        return body.find(R"("old-1","old-2")") != std::string::npos;
    }));
    CHECK(http_get(daemon->admin_url() + "/v1/plugins/legacy/events").body.find(R"("note":"mars|not a url")") !=
          std::string::npos);
}
