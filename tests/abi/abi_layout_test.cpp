// Pins the v1 ABI: struct layouts, function signatures and status numbers that must never
// change, and the stride rules that let a newer host hand out larger structs.
#include <productgraph/publisher.h>
#include <productgraph/publisher.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <type_traits>

namespace productgraph::abi {
namespace {

// A layout change must break the build, not just a test run.
#define PG_ASSERT_OFFSET(type, field, offset)                                                                          \
    static_assert(offsetof(type, field) == (offset), #type "." #field " moved")

template <typename T>
constexpr bool starts_with_struct_size()
{
    return offsetof(T, struct_size) == 0 && std::is_same_v<decltype(T::struct_size), std::uint32_t> &&
           std::is_standard_layout_v<T>;
}

TEST_CASE("every ABI struct starts with a uint32_t struct_size at offset 0")
{
    static_assert(starts_with_struct_size<pgraph_config_entry>());
    static_assert(starts_with_struct_size<pgraph_negotiation>());
    static_assert(starts_with_struct_size<pgraph_env_var>());
    static_assert(starts_with_struct_size<pgraph_host>());
    static_assert(starts_with_struct_size<pgraph_event>());
    static_assert(starts_with_struct_size<pgraph_batch>());
    static_assert(starts_with_struct_size<pgraph_event_result>());
    static_assert(starts_with_struct_size<pgraph_publish_result>());
    static_assert(starts_with_struct_size<pgraph_create_args>());
    static_assert(starts_with_struct_size<pgraph_request>());
    static_assert(starts_with_struct_size<pgraph_response>());
    static_assert(starts_with_struct_size<pgraph_publisher_descriptor>());
}

TEST_CASE("status numbers and flag bits keep their v1 values")
{
    static_assert(std::is_same_v<pgraph_status, std::int32_t>);
    static_assert(std::is_same_v<pgraph_event_status, std::int32_t>);
    static_assert(PGRAPH_OK == 0);
    static_assert(PGRAPH_PARTIAL == 1);
    static_assert(PGRAPH_RETRY == 2);
    static_assert(PGRAPH_REJECT == 3);
    static_assert(PGRAPH_FATAL == 4);
    static_assert(PGRAPH_EVENT_OK == 0);
    static_assert(PGRAPH_EVENT_RETRY == 1);
    static_assert(PGRAPH_EVENT_REJECT == 2);
    static_assert(PGRAPH_LOG_DEBUG == 0);
    static_assert(PGRAPH_LOG_INFO == 1);
    static_assert(PGRAPH_LOG_WARN == 2);
    static_assert(PGRAPH_LOG_ERROR == 3);
    static_assert(PGRAPH_ENV_REQUIRED == 0x1u);
    static_assert(PGRAPH_ENV_SECRET == 0x2u);
    static_assert(PGRAPH_PLUGIN_ANALYTICS_PROVIDER == 0x1u);
    static_assert(PGRAPH_PLUGIN_ENABLED_BY_DEFAULT == 0x2u);
    static_assert(PGRAPH_REASON_CAPACITY == 128);
    static_assert(PGRAPH_ABI_MAJOR == 1);
    CHECK(std::string_view(PGRAPH_PUBLISHER_ENTRY_SYMBOL) == "pgraph_publisher_entry_v1");
}

TEST_CASE("v1 function signatures never change")
{
    using D = pgraph_publisher_descriptor;
    static_assert(std::is_same_v<decltype(D::create),
                                 pgraph_status (*)(const pgraph_create_args *, void **, char *, std::size_t)>);
    static_assert(
        std::is_same_v<decltype(D::publish), pgraph_status (*)(void *, const pgraph_batch *, pgraph_publish_result *)>);
    static_assert(std::is_same_v<decltype(D::flush), pgraph_status (*)(void *, std::int64_t)>);
    static_assert(std::is_same_v<decltype(D::destroy), void (*)(void *)>);
    static_assert(
        std::is_same_v<decltype(D::handle_request), void (*)(void *, const pgraph_request *, pgraph_response *)>);
    static_assert(std::is_same_v<decltype(D::verify), pgraph_status (*)(void *, std::int64_t, char *, std::size_t)>);
    static_assert(std::is_same_v<pgraph_publisher_entry_v1_fn,
                                 const pgraph_publisher_descriptor *(*)(const pgraph_negotiation *)>);
    static_assert(
        std::is_same_v<decltype(pgraph_host::log), void (*)(void *, std::int32_t, const char *, std::size_t)>);
    static_assert(std::is_same_v<decltype(pgraph_host::log_enabled), std::int32_t (*)(void *, std::int32_t)>);
    static_assert(std::is_same_v<decltype(pgraph_host::now_unix_ms), std::int64_t (*)(void *)>);
    static_assert(std::is_same_v<decltype(pgraph_host::monotonic_ms), std::int64_t (*)(void *)>);
    static_assert(std::is_same_v<decltype(pgraph_response::append_body), void (*)(void *, const char *, std::size_t)>);
}

#if defined(__LP64__)
// The offsets below are the LP64 (x86_64, aarch64) layout that v1 plugins are built
// against. Fields may only ever be appended, so none of these numbers may change.
TEST_CASE("v1 struct sizes and field offsets never change on LP64")
{
    static_assert(sizeof(pgraph_str) == 16);
    PG_ASSERT_OFFSET(pgraph_str, len, 8);

    static_assert(sizeof(pgraph_config_entry) == 40);
    PG_ASSERT_OFFSET(pgraph_config_entry, name, 8);
    PG_ASSERT_OFFSET(pgraph_config_entry, value, 24);

    static_assert(sizeof(pgraph_negotiation) == 32);
    PG_ASSERT_OFFSET(pgraph_negotiation, host_abi_major, 4);
    PG_ASSERT_OFFSET(pgraph_negotiation, host_abi_minor, 8);
    PG_ASSERT_OFFSET(pgraph_negotiation, error, 16);
    PG_ASSERT_OFFSET(pgraph_negotiation, error_capacity, 24);

    static_assert(sizeof(pgraph_env_var) == 64);
    PG_ASSERT_OFFSET(pgraph_env_var, flags, 4);
    PG_ASSERT_OFFSET(pgraph_env_var, name, 8);
    PG_ASSERT_OFFSET(pgraph_env_var, default_value, 16);
    PG_ASSERT_OFFSET(pgraph_env_var, description, 24);
    PG_ASSERT_OFFSET(pgraph_env_var, type, 32);  // 1.2 appended from here
    PG_ASSERT_OFFSET(pgraph_env_var, min_value, 40);
    PG_ASSERT_OFFSET(pgraph_env_var, max_value, 48);
    PG_ASSERT_OFFSET(pgraph_env_var, allowed_values, 56);

    static_assert(sizeof(pgraph_host) == 48);
    PG_ASSERT_OFFSET(pgraph_host, abi_minor, 4);
    PG_ASSERT_OFFSET(pgraph_host, context, 8);
    PG_ASSERT_OFFSET(pgraph_host, log, 16);
    PG_ASSERT_OFFSET(pgraph_host, log_enabled, 24);
    PG_ASSERT_OFFSET(pgraph_host, now_unix_ms, 32);
    PG_ASSERT_OFFSET(pgraph_host, monotonic_ms, 40);

    static_assert(sizeof(pgraph_event) == 168);
    PG_ASSERT_OFFSET(pgraph_event, reserved0, 4);
    PG_ASSERT_OFFSET(pgraph_event, event_id, 8);
    PG_ASSERT_OFFSET(pgraph_event, type, 24);
    PG_ASSERT_OFFSET(pgraph_event, name, 40);
    PG_ASSERT_OFFSET(pgraph_event, user_id, 56);
    PG_ASSERT_OFFSET(pgraph_event, device_id, 72);
    PG_ASSERT_OFFSET(pgraph_event, session_id, 88);
    PG_ASSERT_OFFSET(pgraph_event, client_ip, 104);
    PG_ASSERT_OFFSET(pgraph_event, user_agent, 120);
    PG_ASSERT_OFFSET(pgraph_event, timestamp_ms, 136);
    PG_ASSERT_OFFSET(pgraph_event, received_ms, 144);
    PG_ASSERT_OFFSET(pgraph_event, json, 152);

    static_assert(sizeof(pgraph_batch) == 40);
    PG_ASSERT_OFFSET(pgraph_batch, attempt, 4);
    PG_ASSERT_OFFSET(pgraph_batch, events, 8);
    PG_ASSERT_OFFSET(pgraph_batch, event_count, 16);
    PG_ASSERT_OFFSET(pgraph_batch, event_size, 24);
    PG_ASSERT_OFFSET(pgraph_batch, deadline_unix_ms, 32);

    // 1.0 ended after reason (136 bytes); 1.1 appended retry_after_ms, moving nothing.
    static_assert(sizeof(pgraph_event_result) == 144);
    PG_ASSERT_OFFSET(pgraph_event_result, status, 4);
    PG_ASSERT_OFFSET(pgraph_event_result, reason, 8);
    PG_ASSERT_OFFSET(pgraph_event_result, retry_after_ms, 136);

    static_assert(sizeof(pgraph_publish_result) == 48);
    PG_ASSERT_OFFSET(pgraph_publish_result, event_result_size, 4);
    PG_ASSERT_OFFSET(pgraph_publish_result, events, 8);
    PG_ASSERT_OFFSET(pgraph_publish_result, retry_after_ms, 16);
    PG_ASSERT_OFFSET(pgraph_publish_result, http_status, 24);
    PG_ASSERT_OFFSET(pgraph_publish_result, message, 32);
    PG_ASSERT_OFFSET(pgraph_publish_result, message_capacity, 40);

    static_assert(sizeof(pgraph_create_args) == 40);
    PG_ASSERT_OFFSET(pgraph_create_args, host, 8);
    PG_ASSERT_OFFSET(pgraph_create_args, config, 16);
    PG_ASSERT_OFFSET(pgraph_create_args, config_count, 24);
    PG_ASSERT_OFFSET(pgraph_create_args, config_entry_size, 32);

    static_assert(sizeof(pgraph_request) == 56);
    PG_ASSERT_OFFSET(pgraph_request, method, 8);
    PG_ASSERT_OFFSET(pgraph_request, path, 24);
    PG_ASSERT_OFFSET(pgraph_request, query, 40);

    static_assert(sizeof(pgraph_response) == 32);
    PG_ASSERT_OFFSET(pgraph_response, status, 4);
    PG_ASSERT_OFFSET(pgraph_response, content_type, 8);
    PG_ASSERT_OFFSET(pgraph_response, context, 16);
    PG_ASSERT_OFFSET(pgraph_response, append_body, 24);

    using D = pgraph_publisher_descriptor;
    static_assert(sizeof(D) == 128);
    PG_ASSERT_OFFSET(D, abi_major, 4);
    PG_ASSERT_OFFSET(D, abi_minor, 8);
    PG_ASSERT_OFFSET(D, min_host_minor, 12);
    PG_ASSERT_OFFSET(D, name, 16);
    PG_ASSERT_OFFSET(D, version, 24);
    PG_ASSERT_OFFSET(D, description, 32);
    PG_ASSERT_OFFSET(D, flags, 40);
    PG_ASSERT_OFFSET(D, max_batch_events, 44);
    PG_ASSERT_OFFSET(D, max_batch_bytes, 48);
    PG_ASSERT_OFFSET(D, enable_variable, 56);
    PG_ASSERT_OFFSET(D, env_vars, 64);
    PG_ASSERT_OFFSET(D, env_var_count, 72);
    PG_ASSERT_OFFSET(D, env_var_size, 76);
    PG_ASSERT_OFFSET(D, create, 80);
    PG_ASSERT_OFFSET(D, publish, 88);
    PG_ASSERT_OFFSET(D, flush, 96);
    PG_ASSERT_OFFSET(D, destroy, 104);
    PG_ASSERT_OFFSET(D, handle_request, 112);
    PG_ASSERT_OFFSET(D, verify, 120);  // 1.2
}
#endif

TEST_CASE("batch events are addressed by the host's stride")
{
    // What a newer host hands out: each event grew by fields this plugin does not know.
    struct NewerEvent {
        pgraph_event v1;
        std::uint64_t added_later[5];
    };
    NewerEvent events[3] = {};
    const char *ids[3] = {"e0", "e1", "e2"};
    for (int i = 0; i < 3; ++i) {
        events[i].v1.struct_size = sizeof(NewerEvent);
        events[i].v1.event_id = pgraph::str(ids[i]);
    }
    pgraph_batch batch{};
    batch.struct_size = sizeof batch;
    batch.events = &events[0].v1;
    batch.event_count = 3;
    batch.event_size = sizeof(NewerEvent);

    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(pgraph_batch_event(&batch, i) == &events[i].v1);
        CHECK(pgraph::view(pgraph_batch_event(&batch, i)->event_id) == ids[i]);
    }
}

TEST_CASE("a per-event retry delay is written only when the host's results have room for it")
{
    struct V10Result {  // what a 1.0 host allocates: the element ends after reason
        std::uint32_t struct_size;
        pgraph_event_status status;
        char reason[PGRAPH_REASON_CAPACITY];
    };
    static_assert(sizeof(V10Result) == 136);
    struct OldHostMemory {  // two 1.0 elements, then a word that must stay untouched
        V10Result results[2];
        std::uint64_t after;
    } old_host = {};
    old_host.after = 0x5A5A5A5A5A5A5A5Aull;
    pgraph_publish_result result{};
    result.struct_size = sizeof result;
    result.events = reinterpret_cast<pgraph_event_result *>(&old_host.results[0]);
    result.event_result_size = sizeof(V10Result);  // the 1.0 stride
    CHECK_FALSE(PGRAPH_EVENT_RESULT_HAS_RETRY_AFTER(&result));
    CHECK_FALSE(pgraph::set_event_retry_after(&result, 1, 30'000));
    CHECK(old_host.after == 0x5A5A5A5A5A5A5A5Aull);

    pgraph_event_result current[2] = {};
    result.events = current;
    result.event_result_size = sizeof(pgraph_event_result);
    CHECK(pgraph::set_event_retry_after(&result, 1, 30'000));
    CHECK(current[1].retry_after_ms == 30'000);
    CHECK(current[0].retry_after_ms == 0);
}

TEST_CASE("event results are addressed by the host's stride")
{
    struct NewerResult {
        pgraph_event_result v1;
        std::uint32_t added_later[7];
    };
    NewerResult results[3] = {};
    for (NewerResult &r : results) {
        r.v1.struct_size = sizeof(NewerResult);
        r.v1.status = PGRAPH_EVENT_RETRY;  // the host's pre-fill
        std::fill(std::begin(r.added_later), std::end(r.added_later), 0xA5A5A5A5u);
    }
    pgraph_publish_result result{};
    result.struct_size = sizeof result;
    result.event_result_size = sizeof(NewerResult);
    result.events = &results[0].v1;

    CHECK(pgraph_event_result_at(&result, 2) == &results[2].v1);
    pgraph::set_event_result(&result, 1, PGRAPH_EVENT_REJECT, "invalid user_id");

    CHECK(results[0].v1.status == PGRAPH_EVENT_RETRY);
    CHECK(results[1].v1.status == PGRAPH_EVENT_REJECT);
    CHECK(std::string_view(results[1].v1.reason) == "invalid user_id");
    CHECK(results[2].v1.status == PGRAPH_EVENT_RETRY);
    for (const NewerResult &r : results) {
        for (const std::uint32_t word : r.added_later) CHECK(word == 0xA5A5A5A5u);
    }
}

TEST_CASE("config entries are read with the host's stride")
{
    struct NewerEntry {
        pgraph_config_entry v1;
        std::uint64_t added_later[2];
    };
    NewerEntry entries[2] = {};
    entries[0].v1 = {sizeof(NewerEntry), 0, pgraph::str("A_KEY"), pgraph::str("a")};
    entries[1].v1 = {sizeof(NewerEntry), 0, pgraph::str("B_KEY"), pgraph::str("b")};
    pgraph_create_args args{};
    args.struct_size = sizeof args;
    args.config = &entries[0].v1;
    args.config_count = 2;
    args.config_entry_size = sizeof(NewerEntry);

    CHECK(pgraph::config_value(&args, "B_KEY") == "b");
    CHECK(pgraph::config_value(&args, "A_KEY") == "a");
    CHECK(pgraph::config_value(&args, "C_KEY").empty());
}

TEST_CASE("PGRAPH_HAS_FIELD admits only fields inside the reader's struct_size")
{
    pgraph_publisher_descriptor older{};
    older.struct_size = offsetof(pgraph_publisher_descriptor, destroy) + sizeof older.destroy;
    CHECK(PGRAPH_HAS_FIELD(&older, pgraph_publisher_descriptor, destroy));
    CHECK_FALSE(PGRAPH_HAS_FIELD(&older, pgraph_publisher_descriptor, handle_request));

    older.struct_size = sizeof older;
    CHECK(PGRAPH_HAS_FIELD(&older, pgraph_publisher_descriptor, handle_request));
}

TEST_CASE("copy_text truncates to the host buffer and always terminates it")
{
    char buffer[6];
    std::memset(buffer, 'x', sizeof buffer);
    pgraph::copy_text(buffer, sizeof buffer, "simulated connection failure");
    CHECK(std::string_view(buffer) == "simul");
    pgraph::copy_text(buffer, sizeof buffer, "ok");
    CHECK(std::string_view(buffer) == "ok");
    pgraph::copy_text(nullptr, 0, "ignored");  // no buffer: nothing written, no crash
}

TEST_CASE("guard turns an escaping exception into the given status and message")
{
    char message[64] = "";
    const pgraph_status status = pgraph::guard(PGRAPH_RETRY, message, sizeof message, []() -> pgraph_status {
        throw std::runtime_error("provider exploded");
    });
    CHECK(status == PGRAPH_RETRY);
    CHECK(std::string_view(message) == "provider exploded");
}

}  // namespace
}  // namespace productgraph::abi
