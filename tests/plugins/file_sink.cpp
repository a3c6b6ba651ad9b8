// file_sink.so: a provider stand-in that survives the daemon's kill -9. Each delivered
// event id is appended as a line to FILE_SINK_PATH with write(2) before publish
// answers OK, so the file is exactly what the "provider" received. Built twice more
// for the reload tests: as file_sink_b.so (another plugin: FILE_SINK_B_PATH,
// FILE_SINK_B_ENABLED) and as v2/file_sink.so (the same plugin, version 0.0.2).
#include <fcntl.h>
#include <unistd.h>

#include "test_plugin_support.hpp"

#ifndef FILE_SINK_NAME
#define FILE_SINK_NAME "file_sink"
#define FILE_SINK_PREFIX "FILE_SINK"
#endif
#ifndef FILE_SINK_VERSION
#define FILE_SINK_VERSION "0.0.1"
#endif

namespace productgraph::test_plugins {
namespace {

constexpr const char *path_variable = FILE_SINK_PREFIX "_PATH";

constexpr pgraph_env_var variables[] = {
    {sizeof(pgraph_env_var), PGRAPH_ENV_REQUIRED, path_variable, nullptr, "file the delivered event ids go to",
     PGRAPH_VAR_STRING, 0, 0, 0, nullptr},
};

pgraph_status create(const pgraph_create_args *args, void **instance, char *error, std::size_t error_capacity) noexcept
{
    return create_checked_instance(args, instance, error, error_capacity, [](const Instance &self) {
        const auto path = self.text(path_variable);
        return path && !path->empty() ? std::string() : std::string(path_variable) + " is required";
    });
}

pgraph_status publish(void *instance, const pgraph_batch *batch, pgraph_publish_result *result) noexcept
{
    return pgraph::guard(PGRAPH_RETRY, result->message, result->message_capacity, [&] {
        Instance &self = instance_of(instance);
        self.recorder.count_call(batch->attempt);
        std::string lines;
        for (std::size_t i = 0; i < batch->event_count; ++i) {
            lines += pgraph::view(pgraph_batch_event(batch, i)->event_id);
            lines += '\n';
        }
        const std::string path(*self.text(path_variable));
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) return PGRAPH_RETRY;
        const ssize_t written = ::write(fd, lines.data(), lines.size());
        ::close(fd);
        return written == static_cast<ssize_t>(lines.size()) ? PGRAPH_OK : PGRAPH_RETRY;
    });
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor(FILE_SINK_NAME, FILE_SINK_PREFIX "_ENABLED");
    d.version = FILE_SINK_VERSION;
    d.env_vars = variables;
    d.env_var_count = std::size(variables);
    d.create = create;
    d.publish = publish;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
