// The start-up credential check (ABI 1.2 verify): an empty /import request, which
// Mixpanel authenticates before it reads the body.
#ifndef PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_VERIFY_HPP
#define PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_VERIFY_HPP

#include "mixpanel_client.hpp"

#include <string>

namespace productgraph::mixpanel {

/// What the answer to the credential check says about the credentials.
struct CredentialCheck {
    enum class Verdict { accepted, refused, inconclusive };
    Verdict verdict = Verdict::inconclusive;
    std::string reason;  // one line; the caller removes secrets
};

/// /import with Basic auth (providers.md §2.5): 401 "Invalid credentials" or 403 is a
/// definite refusal; 2xx (nothing imported) or a 400 about the empty body means the
/// credentials passed; no answer, 404, 5xx and anything else prove nothing. /track
/// carries the token inside each event and answers 1 whatever it is, so there is no
/// cheap check there: always inconclusive.
CredentialCheck classify_credential_check(ApiMode api, const HttpReply &reply);

/// Why MIXPANEL_API=track cannot be checked, for the warning.
inline constexpr const char *track_cannot_be_verified = "MIXPANEL_API=track: /track accepts any token without saying "
                                                        "so, so credentials cannot be checked before events flow";

}  // namespace productgraph::mixpanel

#endif  // PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_VERIFY_HPP
