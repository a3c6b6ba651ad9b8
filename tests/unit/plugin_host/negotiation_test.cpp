// ABI negotiation: what a host of ABI 1.0 accepts and refuses in a descriptor.
#include <doctest/doctest.h>

#include "plugin_host/plugin_library.hpp"

using namespace productgraph::plugin_host;

namespace {

pgraph_status create_ok(const pgraph_create_args *, void **instance, char *, size_t)
{
    static int dummy;
    *instance = &dummy;
    return PGRAPH_OK;
}
pgraph_status publish_ok(void *, const pgraph_batch *, pgraph_publish_result *)
{
    return PGRAPH_OK;
}
void destroy_noop(void *) {}

pgraph_publisher_descriptor good_descriptor()
{
    pgraph_publisher_descriptor d{};
    d.struct_size = sizeof d;
    d.abi_major = PGRAPH_ABI_MAJOR;
    d.abi_minor = PGRAPH_ABI_MINOR;
    d.min_host_minor = 0;
    d.name = "good";
    d.version = "1.0.0";
    d.max_batch_events = 10;
    d.enable_variable = "GOOD_ENABLED";
    d.create = create_ok;
    d.publish = publish_ok;
    d.destroy = destroy_noop;
    return d;
}

std::string refusal(const pgraph_publisher_descriptor &d)
{
    const auto result = check_descriptor(&d);
    REQUIRE_FALSE(result.has_value());
    return result.error().message;
}

}  // namespace

TEST_CASE("a descriptor of the host's major and minor is accepted")
{
    const auto d = good_descriptor();
    CHECK(check_descriptor(&d).has_value());
}

TEST_CASE("a plugin built against a newer minor is accepted when it needs no more than ours")
{
    auto d = good_descriptor();
    d.abi_minor = PGRAPH_ABI_MINOR + 3;
    d.struct_size = sizeof d + 32;  // a newer plugin's descriptor grew at the end
    CHECK(check_descriptor(&d).has_value());
}

TEST_CASE("another major is refused naming both versions")
{
    auto d = good_descriptor();
    d.abi_major = 2;
    CHECK(refusal(d) == "plugin speaks ABI major 2, this host speaks 1");
}

TEST_CASE("a plugin needing a newer host minor is refused")
{
    auto d = good_descriptor();
    d.min_host_minor = PGRAPH_ABI_MINOR + 1;
    CHECK(refusal(d).find("needs host ABI 1." + std::to_string(PGRAPH_ABI_MINOR + 1)) != std::string::npos);
}

TEST_CASE("a descriptor shorter than v1.0 is refused")
{
    auto d = good_descriptor();
    d.struct_size = 16;
    CHECK(refusal(d).find("struct_size 16") != std::string::npos);
}

TEST_CASE("required functions and a valid name and an enable variable and a batch limit are required")
{
    auto no_publish = good_descriptor();
    no_publish.publish = nullptr;
    CHECK(refusal(no_publish) == "plugin lacks publish, which is required");
    auto no_create = good_descriptor();
    no_create.create = nullptr;
    CHECK(refusal(no_create) == "plugin lacks create, which is required");
    auto no_destroy = good_descriptor();
    no_destroy.destroy = nullptr;
    CHECK(refusal(no_destroy) == "plugin lacks destroy, which is required");

    auto bad_name = good_descriptor();
    bad_name.name = "Bad Name";
    CHECK(refusal(bad_name) == "plugin name \"Bad Name\" is invalid: it must be 1-64 characters of [a-z0-9_-]");
    auto hostile_name = good_descriptor();
    hostile_name.name = "a\"b\n";
    CHECK(refusal(hostile_name).starts_with("plugin name \"a\\\"b\\x0a\" is invalid"));

    auto no_switch = good_descriptor();
    no_switch.enable_variable = "";
    CHECK(refusal(no_switch) == "plugin declares no enable variable");

    auto zero_batch = good_descriptor();
    zero_batch.max_batch_events = 0;
    CHECK(refusal(zero_batch) == "max_batch_events must be at least 1");
}

TEST_CASE("a null descriptor is refused")
{
    CHECK_FALSE(check_descriptor(nullptr).has_value());
}

TEST_CASE("a file that is not a shared library fails to load with a reason")
{
    const auto result = load_plugin_library("/etc/hostname");
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().message.starts_with("not a loadable shared library"));
    CHECK(result.error().message.find("/etc/") == std::string::npos);  // the file's name, not its path
}
