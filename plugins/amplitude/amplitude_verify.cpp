// Reading Amplitude's answer to an empty request as a verdict on the API key.
#include "amplitude_verify.hpp"

#include "amplitude_format.hpp"

#include <rapidjson/document.h>

#include <vector>

namespace productgraph::amplitude {
namespace {

std::string member_text(const rapidjson::Document &body, const char *name)
{
    const auto it = body.FindMember(name);
    return it != body.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

CredentialCheck verdict(CredentialCheck::Verdict kind, std::string reason)
{
    return CredentialCheck{kind, std::move(reason)};
}

}  // namespace

std::string credential_check_body(std::string_view api_key, int min_id_length)
{
    const std::vector<FormattedEvent> none;
    return RequestEnvelope(api_key, min_id_length).body(none, {});
}

CredentialCheck classify_credential_check(const HttpReply &reply, std::string_view api_key)
{
    using Kind = CredentialCheck::Verdict;
    const std::string answer = "HTTP " + std::to_string(reply.status) + ": " + loggable_body(reply.body, api_key, 200);
    if (reply.status == 0) {
        return verdict(Kind::inconclusive,
                       "no answer from Amplitude: " + loggable_body(reply.transport_error, api_key, 200));
    }
    if (reply.status >= 200 && reply.status < 300) return verdict(Kind::accepted, "");
    if (reply.status == 401) return verdict(Kind::refused, "Amplitude refused AMPLITUDE_API_KEY (" + answer + ")");
    if (reply.status != 400) return verdict(Kind::inconclusive, "unexpected answer to the key check (" + answer + ")");

    rapidjson::Document body;
    body.Parse(reply.body.data(), reply.body.size());
    if (body.HasParseError() || !body.IsObject()) {
        return verdict(Kind::inconclusive, "a 400 that is not Amplitude's JSON (" + answer + ")");
    }
    const std::string error = member_text(body, "error");
    if (error.starts_with("Invalid API key")) {
        return verdict(Kind::refused, "Amplitude refused AMPLITUDE_API_KEY: Invalid API key");
    }
    if (member_text(body, "missing_field") == "events") return verdict(Kind::accepted, "");
    return verdict(Kind::inconclusive, "unexpected answer to the key check (" + answer + ")");
}

}  // namespace productgraph::amplitude
