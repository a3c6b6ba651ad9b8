// The start-up credential check (ABI 1.2 verify): a request with no events, which
// Amplitude refuses with "Invalid API key" only when the key is wrong.
#ifndef PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_VERIFY_HPP
#define PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_VERIFY_HPP

#include "amplitude_client.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace productgraph::amplitude {

/// What the answer to the credential check says about the API key.
struct CredentialCheck {
    enum class Verdict { accepted, refused, inconclusive };
    Verdict verdict = Verdict::inconclusive;
    std::string reason;  // one line; never holds the key
};

/// {"api_key":…,"events":[]}: ingests nothing whatever the answer.
std::string credential_check_body(std::string_view api_key, int min_id_length);

/// Amplitude checks the key before the events (providers.md §1.5): a 400 whose error
/// starts with "Invalid API key" (or a 401) is a definite refusal; a 200, or a 400
/// that only misses "events", means the key was accepted; anything else (no answer,
/// 5xx, 404 from an overridden endpoint, 403 from the WAF) proves nothing.
CredentialCheck classify_credential_check(const HttpReply &reply, std::string_view api_key);

}  // namespace productgraph::amplitude

#endif  // PRODUCTGRAPH_PLUGINS_AMPLITUDE_AMPLITUDE_VERIFY_HPP
