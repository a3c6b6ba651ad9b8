// Event JSON for integration tests, built from product-spec §1's example.
#pragma once

#include <string>
#include <vector>

namespace productgraph::testing {

/// The product-spec §1 example event with its event_id replaced.
std::string spec_event(const std::string &event_id);
/// A minimal valid event with extra members appended (",\"k\":v" form, may be empty).
std::string minimal_event(const std::string &event_id, const std::string &extra = "");
/// {"events":[...]} around the given events.
std::string batch_of(const std::vector<std::string> &events);
/// A batch of `count` minimal events with ids prefix0..prefixN-1.
std::string numbered_batch(const std::string &prefix, int count);

}  // namespace productgraph::testing
