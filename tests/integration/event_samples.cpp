// Sample events shared by the integration tests.
#include "event_samples.hpp"

namespace productgraph::testing {

std::string spec_event(const std::string &event_id)
{
    return R"({"event_id":")" + event_id +
           R"(","project_id":"proj_demo","session.id":"sess_abc123","user.id":"user-123",)"
           R"("event.type":"ui.click","event.name":"signup_button_clicked",)"
           R"("event.timestamp":"2024-01-15T10:30:15Z","page.path":"/signup",)"
           R"("ui.component.name":"SignupButton","ui.action":"click"})";
}

std::string minimal_event(const std::string &event_id, const std::string &extra)
{
    return R"({"event_id":")" + event_id +
           R"(","project_id":"p","session.id":"s1","event.type":"custom","event.timestamp":"2024-01-15T10:30:15.250+01:00")" +
           extra + "}";
}

std::string batch_of(const std::vector<std::string> &events)
{
    std::string body = R"({"events":[)";
    for (size_t i = 0; i < events.size(); ++i) body += (i ? "," : "") + events[i];
    return body + "]}";
}

std::string numbered_batch(const std::string &prefix, int count)
{
    std::vector<std::string> events;
    for (int i = 0; i < count; ++i) events.push_back(minimal_event(prefix + std::to_string(i)));
    return batch_of(events);
}

}  // namespace productgraph::testing
