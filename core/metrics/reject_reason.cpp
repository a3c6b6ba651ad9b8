// The validator's messages are "<field>: <reason>". The field is a schema name or
// "event", except for nesting errors, which name an unknown (client-chosen) field;
// only the unknown-type reason quotes client text. So nesting is recognised on the
// whole message first, then the reason after the first ": " is matched by prefix.
#include "metrics/reject_reason.hpp"

#include <array>

namespace productgraph::metrics {
namespace {

constexpr std::array<std::string_view, reject_reason_count> labels = {
    "missing_field",      "invalid_type", "invalid_value", "invalid_timestamp",
    "unknown_event_type", "too_large",    "too_deep",      "other",
};

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

}  // namespace

std::string_view reject_reason_label(RejectReason reason)
{
    return labels[static_cast<size_t>(reason)];
}

RejectReason reject_reason_of(std::string_view message)
{
    if (message.ends_with(" levels") && message.find(": nested deeper than ") != std::string_view::npos) {
        return RejectReason::too_deep;
    }
    const size_t colon = message.find(": ");
    if (colon == std::string_view::npos) return RejectReason::other;
    const std::string_view reason = message.substr(colon + 2);
    if (reason.starts_with("required")) return RejectReason::missing_field;
    if (reason.starts_with("must be an RFC 3339")) return RejectReason::invalid_timestamp;
    if (reason.starts_with("must be ")) return RejectReason::invalid_type;
    if (reason.starts_with("must not be empty")) return RejectReason::invalid_value;
    if (reason.starts_with("unknown type ")) return RejectReason::unknown_event_type;
    if (!reason.empty() && is_digit(reason.front()) && reason.find(" bytes, larger than ") != std::string_view::npos) {
        return RejectReason::too_large;
    }
    return RejectReason::other;
}

}  // namespace productgraph::metrics
