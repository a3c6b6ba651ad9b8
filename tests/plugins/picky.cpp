// picky.so: rejects the events whose event_id starts with "bad" and delivers the rest.
// On a batch's first attempt it also asks to retry events starting with "slow" after
// their own 1 s delay (ABI 1.1) and those starting with "again" after the host's
// default delay, to show that one event's delay does not hold up the others.
#include "test_plugin_support.hpp"

namespace productgraph::test_plugins {
namespace {

pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    return pgraph::guard(PGRAPH_RETRY, result->message, result->message_capacity, [&] {
        Recorder &recorder = instance_of(instance).recorder;
        recorder.count_call(batch->attempt);
        bool partial = false;  // some event is not simply delivered
        for (std::size_t i = 0; i < batch->event_count; ++i) {
            const pgraph_event &event = *pgraph_batch_event(batch, i);
            const std::string_view id = pgraph::view(event.event_id);
            if (id.starts_with("bad")) {
                pgraph::set_event_result(result, i, PGRAPH_EVENT_REJECT, "event_id starts with bad");
                partial = true;
            } else if (batch->attempt == 1 && (id.starts_with("slow") || id.starts_with("again"))) {
                pgraph::set_event_result(result, i, PGRAPH_EVENT_RETRY, "asked to wait");
                if (id.starts_with("slow")) pgraph::set_event_retry_after(result, i, 1000);
                partial = true;
            } else {
                pgraph::set_event_result(result, i, PGRAPH_EVENT_OK);
                recorder.delivered(event);
            }
        }
        return partial ? PGRAPH_PARTIAL : PGRAPH_OK;
    });
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("picky", "PICKY_ENABLED");
    d.publish = publish;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
