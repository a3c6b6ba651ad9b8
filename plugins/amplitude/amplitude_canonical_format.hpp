// The fast path of format_event: Amplitude's event written in one pass over the host's
// canonical compact JSON, with no DOM.
#ifndef PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_CANONICAL_FORMAT_HPP
#define PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_CANONICAL_FORMAT_HPP

#include "amplitude_format.hpp"

#include <string>
#include <string_view>

namespace productgraph::amplitude {

/// Formats `event` exactly as format_event_with_dom() would, reading event.json in one
/// pass and copying its values verbatim where the output spells them the same way.
/// Returns false, leaving `out` unspecified, at the first thing it is not sure to write
/// byte for byte as the DOM path does: whitespace, a \u escape, an escaped top-level or
/// metadata key, a number RapidJSON might read inexactly, an over-long string with
/// escapes, a second metadata member, unusable ids, or JSON that is not valid. The
/// caller then formats the event with format_event_with_dom().
bool format_canonical_event(const EventView &event, FormattedEvent &out);

/// Appends `text` as a JSON string the way RapidJSON's Writer spells it: '"', '\\' and
/// control characters escaped (\b \t \n \f \r, else \u00XX in upper-case hex), every
/// other byte as it is.
void append_json_string(std::string &out, std::string_view text);

}  // namespace productgraph::amplitude

#endif  // PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_CANONICAL_FORMAT_HPP
