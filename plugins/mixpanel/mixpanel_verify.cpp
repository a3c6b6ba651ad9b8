// Reading Mixpanel's answer to an empty /import request as a verdict on the credentials.
#include "mixpanel_verify.hpp"

namespace productgraph::mixpanel {

CredentialCheck classify_credential_check(ApiMode api, const HttpReply &reply)
{
    using Kind = CredentialCheck::Verdict;
    if (api == ApiMode::track) return {Kind::inconclusive, track_cannot_be_verified};
    const std::string body = reply.body.substr(0, 200);
    const std::string answer = "HTTP " + std::to_string(reply.status) + ": " + body;
    if (reply.status == 0)
        return {Kind::inconclusive, "no answer from Mixpanel: " + reply.transport_error.substr(0, 200)};
    if ((reply.status >= 200 && reply.status < 300) || reply.status == 400) return {Kind::accepted, ""};
    if (reply.status == 401 || reply.status == 403) {
        return {Kind::refused, "Mixpanel refused the credentials (MIXPANEL_TOKEN, or the service account): " + answer};
    }
    return {Kind::inconclusive, "unexpected answer to the credential check (" + answer + ")"};
}

}  // namespace productgraph::mixpanel
