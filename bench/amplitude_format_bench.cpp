// Amplitude formatting cost per event against plain RapidJSON re-serialisation of the same
// events, both measured in the same run (median of several rounds). Prints numbers; not a test.
//
//   amplitude_format_bench [events per round] [rounds]
#include "amplitude_config.hpp"
#include "amplitude_format.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

using namespace productgraph::amplitude;

namespace {

// Events shaped like product-spec §1's example plus the properties a UI event carries.
struct Sample {
    std::string event_id, type, name, user_id, device_id, session_id, json;
};

std::vector<Sample> make_events(std::size_t count)
{
    static const char *types[] = {"ui.click", "page.view", "api.response", "error", "custom"};
    std::vector<Sample> events(count);
    for (std::size_t i = 0; i < count; ++i) {
        Sample &s = events[i];
        s.event_id = "evt_" + std::to_string(100000 + i);
        s.type = types[i % 5];
        s.name = i % 2 == 0 ? "signup_button_clicked" : "";
        s.user_id = i % 3 == 0 ? "" : "user-" + std::to_string(i % 997);
        s.device_id = i % 4 == 0 ? "device-" + std::to_string(i % 389) : "";
        s.session_id = "sess_" + std::to_string(i / 20);
        s.json = R"({"event_id":")" + s.event_id + R"(","project_id":"proj_demo","session.id":")" + s.session_id +
                 R"(","event.type":")" + s.type + R"(","event.timestamp":"2024-01-15T10:30:15.250Z")";
        if (!s.name.empty()) s.json += R"(,"event.name":")" + s.name + '"';
        if (!s.user_id.empty()) s.json += R"(,"user.id":")" + s.user_id + '"';
        if (!s.device_id.empty()) s.json += R"(,"device.id":")" + s.device_id + '"';
        s.json +=
            R"(,"page.path":"/signup","page.title":"Create your account","page.url":"https://app.example.com/signup?ref=nav")"
            R"(,"ui.component.name":"SignupButton","ui.component.path":"App/Signup/Form/SignupButton","ui.action":"click")"
            R"(,"ui.viewport":"1440x900","ui.scroll.position":0.42,"event.sequence":)" +
            std::to_string(i) +
            R"(,"duration_ms":1234,"metadata":{"plan":"pro","experiment":"signup-v2","seats":5,"tags":["a","b"]}})";
    }
    return events;
}

EventView view_of(const Sample &s)
{
    return EventView{s.event_id,    s.type,       s.name,        s.user_id,
                     s.device_id,   s.session_id, "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64)",
                     1705314615250, s.json};
}

// Nanoseconds per event of one round of `work` over `events`.
double round_ns(const std::vector<Sample> &events, const std::function<std::size_t(const Sample &)> &work,
                std::size_t &sink)
{
    const auto start = std::chrono::steady_clock::now();
    for (const Sample &event : events) sink += work(event);
    const auto took = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    return took / static_cast<double>(events.size());
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char **argv)
{
    const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 21;
    if (count == 0 || rounds <= 0) {
        std::fprintf(stderr, "usage: %s [events per round > 0] [rounds > 0]\n", argv[0]);
        return 2;
    }
    const std::vector<Sample> events = make_events(count);
    std::size_t input_bytes = 0, output_bytes = 0;
    for (const Sample &event : events) {
        input_bytes += event.json.size();
        output_bytes += format_event(view_of(event)).json.size();
    }

    // Baseline: what any plugin pays at least, a DOM parse and a compact write.
    const auto reserialise = [](const Sample &event) {
        rapidjson::Document document;
        document.Parse(event.json.data(), event.json.size());
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        document.Accept(writer);
        return buffer.GetSize();
    };
    const auto format = [](const Sample &event) { return format_event(view_of(event)).json.size(); };
    const auto format_dom = [](const Sample &event) { return format_event_with_dom(view_of(event)).json.size(); };

    std::size_t sink = 0;
    std::vector<double> baseline, formatting, dom_formatting, whole;
    // A whole publish's worth of work: format every event, pack, and build each body.
    const RequestEnvelope envelope("AMP_BENCH_API_KEY_0123456789abcdef", 1);
    for (int r = 0; r < rounds; ++r) {  // interleaved, so drift hits both alike
        baseline.push_back(round_ns(events, reserialise, sink));
        formatting.push_back(round_ns(events, format, sink));
        dom_formatting.push_back(round_ns(events, format_dom, sink));
        const auto start = std::chrono::steady_clock::now();
        std::vector<FormattedEvent> formatted;
        formatted.reserve(events.size());
        std::vector<std::size_t> all(events.size());
        std::iota(all.begin(), all.end(), std::size_t{0});
        for (const Sample &event : events) formatted.push_back(format_event(view_of(event)));
        const RequestPlan plan = plan_requests(formatted, all, envelope, limits_of(Api::httpapi));
        for (const auto &request : plan.requests) sink += envelope.body(formatted, request).size();
        whole.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
                        static_cast<double>(events.size()));
    }

    const double base = median(baseline), fmt = median(formatting), dom = median(dom_formatting), all = median(whole);
    const auto fastest = [](const std::vector<double> &v) { return *std::min_element(v.begin(), v.end()); };
    std::printf("amplitude_format_bench: %zu events per round, %d rounds, ns/event: median (fastest round)\n", count,
                rounds);
    std::printf("  event JSON in  %8.1f bytes/event, Amplitude JSON out %8.1f bytes/event\n",
                static_cast<double>(input_bytes) / static_cast<double>(count),
                static_cast<double>(output_bytes) / static_cast<double>(count));
    std::printf("  baseline  RapidJSON parse + compact write   %8.1f (%8.1f)\n", base, fastest(baseline));
    std::printf("  format_event                               %8.1f (%8.1f)  %.2fx baseline\n", fmt,
                fastest(formatting), fmt / base);
    std::printf("  format_event_with_dom (the DOM path)       %8.1f (%8.1f)  %.2fx baseline\n", dom,
                fastest(dom_formatting), dom / base);
    std::printf("  format + pack + request bodies             %8.1f (%8.1f)  %.2fx baseline\n", all, fastest(whole),
                all / base);
    std::printf("  (checksum %zu)\n", sink);
    return 0;
}
