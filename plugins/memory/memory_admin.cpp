// The memory plugin's admin endpoints: routing, the query, and the JSON bodies.
#include "memory_admin.hpp"

#include "memory_query.hpp"

#include <productgraph/publisher.hpp>

#include <charconv>
#include <string>
#include <variant>
#include <vector>

namespace productgraph::memory {
namespace {

// Appends pieces to the host's sink. The host copies each piece, so views into
// temporaries are fine.
class BodyWriter {
public:
    explicit BodyWriter(pgraph_response &response) noexcept : response_(response) {}

    BodyWriter &operator<<(std::string_view text) noexcept
    {
        if (!text.empty()) response_.append_body(response_.context, text.data(), text.size());
        return *this;
    }
    BodyWriter &operator<<(std::uint64_t number) noexcept
    {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
        return *this << std::string_view(digits, static_cast<std::size_t>(end - digits));
    }

private:
    pgraph_response &response_;
};

void answer_events(const MemoryStore &store, std::string_view query, pgraph_response &response)
{
    const QueryResult parsed = parse_events_query(query);
    if (const auto *error = std::get_if<QueryError>(&parsed)) {
        answer_error(response, 400, error->message);
        return;
    }
    const std::vector<std::string> events = store.find(std::get<EventFilter>(parsed));

    // Each element is the canonical JSON the host accepted, so it goes out verbatim.
    response.status = 200;
    BodyWriter body(response);
    body << "{\"events\":[";
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i > 0) body << ",";
        body << events[i];
    }
    body << "],\"count\":" << std::uint64_t{events.size()} << "}";
}

void answer_stats(const MemoryStore &store, pgraph_response &response)
{
    const StoreStats stats = store.stats();
    response.status = 200;
    BodyWriter(response) << "{\"stored\":" << std::uint64_t{stats.stored}
                         << ",\"max_events\":" << std::uint64_t{stats.max_events}
                         << ",\"received_total\":" << stats.received_total
                         << ",\"evicted_total\":" << stats.evicted_total << "}";
}

}  // namespace

void answer_request(const MemoryStore &store, const pgraph_request &request, pgraph_response &response)
{
    if (pgraph::view(request.method) != "GET") {
        answer_error(response, 405, "method not allowed");
        return;
    }
    const std::string_view path = pgraph::view(request.path);
    if (path == "/events") {
        answer_events(store, pgraph::view(request.query), response);
    } else if (path == "/stats") {
        answer_stats(store, response);
    } else {
        answer_error(response, 404, "not found");
    }
}

void answer_error(pgraph_response &response, int32_t status, std::string_view message) noexcept
{
    response.status = status;
    BodyWriter(response) << "{\"error\":\"" << message << "\"}";
}

}  // namespace productgraph::memory
