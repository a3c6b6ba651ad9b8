// Cost of turning host events into Mixpanel /import bodies, per event, against a
// baseline measured in the same run: parsing each event's JSON with RapidJSON and
// writing it straight back. Prints medians of several runs; it is not a test.
#include "mixpanel_format.hpp"
#include "mixpanel_gzip.hpp"

#include <productgraph/publisher.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using namespace productgraph::mixpanel;
using Clock = std::chrono::steady_clock;

constexpr int runs = 9;
constexpr std::size_t batch_size = 2000;

// A realistic mix: the product-spec example, an anonymous page view and an event with
// metadata, each with its own event id.
struct Sample {
    std::string json, event_id, type, name, user_id, device_id, session_id;
};

std::vector<Sample> make_samples()
{
    std::vector<Sample> samples;
    for (std::size_t i = 0; i < batch_size; ++i) {
        const std::string id = "evt_" + std::to_string(i);  // '_' forces the hashed $insert_id path
        switch (i % 3) {
        case 0:
            samples.push_back(
                {R"({"event_id":")" + id +
                     R"(","project_id":"proj_demo","event.timestamp":"2024-01-15T10:30:15Z",)"
                     R"("event.type":"ui.click","event.name":"signup_button_clicked","user.id":"user-123",)"
                     R"("session.id":"sess-abc","page.path":"/signup","ui.component.name":"SignupButton",)"
                     R"("ui.action":"click"})",
                 id, "ui.click", "signup_button_clicked", "user-123", "", "sess-abc"});
            break;
        case 1:
            samples.push_back(
                {R"({"event_id":"pv-)" + std::to_string(i) +
                     R"(","project_id":"proj_demo","event.timestamp":"2024-01-15T10:30:16Z",)"
                     R"("event.type":"page.view","device.id":"device-anon-0002","session.id":"sess-xyz",)"
                     R"("page.path":"/pricing","page.title":"Pricing","page.referrer":"https://example.com/"})",
                 "pv-" + std::to_string(i), "page.view", "", "", "device-anon-0002", "sess-xyz"});
            break;
        default:
            samples.push_back({R"({"event_id":")" + id +
                                   R"(","project_id":"proj_demo","event.timestamp":"2024-01-15T10:30:17Z",)"
                                   R"("event.type":"api.response","user.id":"user-77","session.id":"sess-77",)"
                                   R"("api.method":"POST","api.path":"/v1/orders","api.status_code":201,)"
                                   R"("api.duration_ms":84,"metadata":{"plan":"pro","seats":12,"region":"eu-west-1",)"
                                   R"("feature_flags":["new-checkout","fast-search"]}})",
                               id, "api.response", "", "user-77", "", "sess-77"});
        }
    }
    return samples;
}

pgraph_str str(const std::string &s)
{
    return pgraph_str{s.data(), s.size()};
}

std::vector<pgraph_event> views_of(const std::vector<Sample> &samples)
{
    std::vector<pgraph_event> events;
    for (const Sample &s : samples) {
        pgraph_event e{};
        e.struct_size = sizeof e;
        e.event_id = str(s.event_id);
        e.type = str(s.type);
        e.name = str(s.name);
        e.user_id = str(s.user_id);
        e.device_id = str(s.device_id);
        e.session_id = str(s.session_id);
        e.client_ip = {"203.0.113.7", 11};
        e.timestamp_ms = 1705314615000;
        e.json = str(s.json);
        events.push_back(e);
    }
    return events;
}

// Keeps results observable so the optimiser cannot drop the work.
std::size_t sink = 0;

template <typename Work>
double median_ns_per_event(Work &&work)
{
    std::vector<double> samples;
    for (int run = 0; run < runs; ++run) {
        const auto start = Clock::now();
        sink += work();
        const auto elapsed = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
        samples.push_back(elapsed / static_cast<double>(batch_size));
    }
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

std::size_t baseline(const std::vector<pgraph_event> &events)
{
    std::vector<std::string> out;
    out.reserve(events.size());
    for (const pgraph_event &event : events) {
        rapidjson::Document document;
        document.Parse(event.json.ptr, event.json.len);
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        document.Accept(writer);
        out.emplace_back(buffer.GetString(), buffer.GetSize());
    }
    return request_body(out).size();
}

std::vector<std::string> format_all(const std::vector<pgraph_event> &events)
{
    std::vector<std::string> out;
    out.reserve(events.size());
    for (const pgraph_event &event : events) out.push_back(format_event(event, {})->json);
    return out;
}

}  // namespace

int main()
{
    const std::vector<Sample> samples = make_samples();
    const std::vector<pgraph_event> events = views_of(samples);
    const std::string body = request_body(format_all(events));

    const double base = median_ns_per_event([&] { return baseline(events); });
    const double format = median_ns_per_event([&] { return request_body(format_all(events)).size(); });
    const double gzip1 = median_ns_per_event([&] { return gzip_compress(request_body(format_all(events)), 1).size(); });
    const double gzip6 = median_ns_per_event([&] { return gzip_compress(request_body(format_all(events)), 6).size(); });

    std::printf("mixpanel /import body, %zu events per batch, median of %d runs\n", batch_size, runs);
    std::printf("  uncompressed body: %zu bytes (%.0f bytes/event); gzip level 1: %zu bytes, level 6: %zu bytes\n",
                body.size(), static_cast<double>(body.size()) / batch_size, gzip_compress(body, 1).size(),
                gzip_compress(body, 6).size());
    std::printf("  %-50s %8.0f ns/event  (1.00x)\n", "baseline: RapidJSON parse + write back", base);
    std::printf("  %-50s %8.0f ns/event  (%.2fx)\n", "format_event + request_body", format, format / base);
    std::printf("  %-50s %8.0f ns/event  (%.2fx)\n", "... + gzip level 1 (what the plugin sends)", gzip1, gzip1 / base);
    std::printf("  %-50s %8.0f ns/event  (%.2fx)\n", "... + gzip level 6 (zlib default, for comparison)", gzip6,
                gzip6 / base);
    return sink == 0 ? 1 : 0;
}
