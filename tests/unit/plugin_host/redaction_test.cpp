// Secrets removed from what a plugin says, whatever the secret looks like.
#include <doctest/doctest.h>

#include "plugin_host/plugin_instance.hpp"

using namespace productgraph::plugin_host;

TEST_CASE("every occurrence of a secret is replaced by the mask")
{
    CHECK(redact_secrets("tok-1 and tok-1", {"tok-1"}) == "[redacted] and [redacted]");
    CHECK(redact_secrets("nothing", {"", "x"}) == "nothing");
}

TEST_CASE("a secret that occurs inside the mask itself is replaced once and redaction ends")
{
    // "e" and "red" are inside "[redacted]": searching from the mask's start looped forever.
    CHECK(redact_secrets("key=e", {"e"}) == "k[redacted]y=[redacted]");
    CHECK(redact_secrets("red-red", {"red"}) == "[redacted]-[redacted]");
}
