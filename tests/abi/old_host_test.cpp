// Negotiation in both directions across minors: the frozen 1.0 plugin with today's
// host numbers, and a plugin that needs 1.2 against a simulated 1.1 host.
#include <doctest/doctest.h>

#include <productgraph/publisher.h>

#include <dlfcn.h>

#include <array>
#include <cstring>
#include <string>

namespace {

pgraph_publisher_entry_v1_fn entry_of(const char *file)
{
    void *handle = dlopen(file, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    REQUIRE_MESSAGE(handle != nullptr, dlerror());
    auto entry = reinterpret_cast<pgraph_publisher_entry_v1_fn>(dlsym(handle, PGRAPH_PUBLISHER_ENTRY_SYMBOL));
    REQUIRE(reinterpret_cast<void *>(entry) != nullptr);
    return entry;
}

struct Negotiated {
    const pgraph_publisher_descriptor *descriptor;
    std::string reason;
};

Negotiated negotiate(pgraph_publisher_entry_v1_fn entry, uint32_t host_minor)
{
    std::array<char, 256> reason;
    reason.fill('\x7f');
    const pgraph_negotiation negotiation{sizeof(pgraph_negotiation), 1, host_minor, 0, reason.data(), reason.size()};
    const pgraph_publisher_descriptor *descriptor = entry(&negotiation);
    const bool terminated = std::memchr(reason.data(), '\0', reason.size()) != nullptr;
    REQUIRE((terminated || descriptor != nullptr));
    return {descriptor, descriptor == nullptr ? std::string(reason.data()) : std::string()};
}

}  // namespace

TEST_CASE("a plugin needing ABI 1.2 is refused cleanly by a 1.1 host with a reason naming both minors")
{
    const auto entry = entry_of(PG_NEEDS_HOST_1_2_PLUGIN);
    const Negotiated old_host = negotiate(entry, 1);
    CHECK(old_host.descriptor == nullptr);
    CHECK(old_host.reason == "needs_host_1_2 plugin needs host ABI 1.2 or newer, the host speaks 1.1");
    const Negotiated today = negotiate(entry, PGRAPH_ABI_MINOR);
    REQUIRE(today.descriptor != nullptr);
    CHECK(today.descriptor->min_host_minor == 2);
    CHECK(negotiate(entry, PGRAPH_ABI_MINOR + 1).descriptor != nullptr);  // a newer host is fine
}

TEST_CASE("the frozen 1.0 plugin describes itself with 1.0 sizes to today's host")
{
    const auto entry = entry_of(PG_LEGACY_1_0_PLUGIN);
    const Negotiated today = negotiate(entry, PGRAPH_ABI_MINOR);
    REQUIRE(today.descriptor != nullptr);
    const pgraph_publisher_descriptor &d = *today.descriptor;
    CHECK(d.abi_minor == 0);
    CHECK(d.struct_size == offsetof(pgraph_publisher_descriptor, handle_request) + sizeof(void *));
    CHECK_FALSE(PGRAPH_HAS_FIELD(&d, pgraph_publisher_descriptor, verify));
    CHECK(d.env_var_size == offsetof(pgraph_env_var, description) + sizeof(const char *));
}
