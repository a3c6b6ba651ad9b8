// hang.so: publish counts the call and then never returns, like a provider call stuck forever.
#include "test_plugin_support.hpp"

#include <atomic>
#include <chrono>
#include <thread>

namespace productgraph::test_plugins {
namespace {

// Nothing ever sets it. Polling an atomic keeps the endless loop well-defined C++
// (a loop without side effects may be assumed to terminate).
std::atomic<bool> released{false};

pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    return pgraph::guard(PGRAPH_RETRY, result->message, result->message_capacity, [&] {
        instance_of(instance).recorder.count_call(batch->attempt);
        while (!released.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return PGRAPH_RETRY;
    });
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("hang", "HANG_ENABLED");
    d.publish = publish;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
