// flaky.so: the first FLAKY_FAILURES publish calls ask for a retry, later ones deliver.
#include "test_plugin_support.hpp"

namespace productgraph::test_plugins {
namespace {

constexpr const char *failures_variable = "FLAKY_FAILURES";
constexpr const char *retry_after_variable = "FLAKY_RETRY_AFTER_MS";

constexpr pgraph_env_var variables[] = {
    {sizeof(pgraph_env_var), 0, failures_variable, "2",
     "how many publish calls answer PGRAPH_RETRY before the first success", PGRAPH_VAR_STRING, 0, 0, 0, nullptr},
    {sizeof(pgraph_env_var), 0, retry_after_variable, "0", "retry_after_ms reported with each PGRAPH_RETRY",
     PGRAPH_VAR_STRING, 0, 0, 0, nullptr},
};

pgraph_status create(const pgraph_create_args *args, void **instance, char *error, std::size_t error_capacity) noexcept
{
    // The host passes every declared variable with its default applied, so an absent
    // value is a host bug worth failing on.
    return create_checked_instance(args, instance, error, error_capacity, [](const Instance &self) {
        for (const char *name : {failures_variable, retry_after_variable}) {
            if (!self.number(name)) return std::string(name) + " must be a non-negative integer";
        }
        return std::string();
    });
}

pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    return pgraph::guard(PGRAPH_RETRY, result->message, result->message_capacity, [&] {
        Instance &self = instance_of(instance);
        const auto failures = static_cast<std::uint64_t>(*self.number(failures_variable));
        if (self.recorder.count_call(batch->attempt) <= failures) {
            result->retry_after_ms = *self.number(retry_after_variable);
            pgraph::copy_text(result->message, result->message_capacity, "simulated provider outage");
            return PGRAPH_RETRY;
        }
        self.recorder.delivered(*batch);
        return PGRAPH_OK;
    });
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("flaky", "FLAKY_ENABLED");
    d.env_vars = variables;
    d.env_var_count = std::size(variables);
    d.create = create;
    d.publish = publish;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
