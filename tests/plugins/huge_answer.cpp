// huge_answer.so: GET /huge answers 17 MiB (over the host's 16 MiB cap), GET /throw
// lets an exception out of handle_request; anything else is the usual recorder view.
#include "test_plugin_support.hpp"

#include <stdexcept>

namespace productgraph::test_plugins {
namespace {

// Deliberately not noexcept: /throw breaks the ABI's rule on purpose.
void answer(void *instance, const pgraph_request *request, pgraph_response *response)
{
    const std::string_view path = pgraph::view(request->path);
    if (path == "/throw") throw std::runtime_error("handle_request exploded on purpose");
    if (path != "/huge") {
        answer_events(instance, request, response);
        return;
    }
    const std::string piece(1 << 20, 'x');
    response->append_body(response->context, "\"", 1);
    for (int i = 0; i < 17; ++i) response->append_body(response->context, piece.data(), piece.size());
    response->append_body(response->context, "\"", 1);
}

constexpr pgraph_publisher_descriptor descriptor = [] {
    pgraph_publisher_descriptor d = make_descriptor("huge_answer", "HUGE_ANSWER_ENABLED");
    d.handle_request = answer;
    return d;
}();

}  // namespace
}  // namespace productgraph::test_plugins

PGRAPH_TEST_PLUGIN_ENTRY(productgraph::test_plugins::descriptor)
